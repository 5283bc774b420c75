#!/usr/bin/env node
// `node bench/compare.mjs <commit> [rounds]`: the core and remote benchmarks of another commit
// and of this tree, in ONE run, alternating (A, B, A, B, …) so both see the same machine. This
// machine is shared and its load swings by ±20% within minutes: only figures taken side by side
// compare. The other commit is checked out into .bench-out/compare-<commit> (a git worktree),
// installed with `npm ci` and built, once.
//
// Prints, per measurement, the median and range of each side and the ratio of the medians
// (this tree ÷ the other). Measurements:
//   hot 1M         µs per `exp.metrics("train").log({ loss, acc, step })` call (lower is better)
//   e2e 100k / 1M  points/s logged (yielding every 1,000) until `await exp.flush()` resolves, node-fs
//   remote msgpack 1M, json 100k   points/s SDK → `ml-dash serve` over loopback, until complete()
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const here = resolve(import.meta.dirname, "..");
const [commit, roundsArg = "5"] = process.argv.slice(2);
if (!commit) {
  console.error("usage: node bench/compare.mjs <commit> [rounds]");
  process.exit(2);
}
const rounds = Number(roundsArg);
const sha = execFileSync("git", ["rev-parse", "--short", commit], { cwd: here, encoding: "utf8" }).trim();
const other = join(here, ".bench-out", `compare-${sha}`);

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}`);
}

if (!existsSync(join(other, "package.json"))) {
  mkdirSync(join(here, ".bench-out"), { recursive: true });
  sh("git", ["worktree", "add", "--force", "--detach", other, sha], here);
}
if (!existsSync(join(other, "node_modules"))) sh("npm", ["ci", "--no-audit", "--no-fund"], other);
for (const root of [other, here]) sh("npx", ["--no-install", "tsup", "--silent"], root);

/** Bundles a bench file of `root` (its own sources, its own node_modules). */
async function bundle(root, name) {
  const outfile = join(root, ".bench-out", `${name}.mjs`);
  await build({ entryPoints: [join(root, "bench", `${name}.ts`)], bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "error", packages: "external" });
  return outfile;
}

function run(root, file, args) {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const line = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  if (r.status !== 0 || !line) return undefined;
  return JSON.parse(line);
}

const sides = { before: other, after: here };
const files = {};
for (const [side, root] of Object.entries(sides)) files[side] = { core: await bundle(root, "core.bench"), remote: await bundle(root, "remote.bench") };

const cases = [
  { name: "hot 1M (µs/call)", file: "core", args: ["hot", "1000000"], value: (r) => r.usPerCall, lower: true },
  { name: "e2e 100k (points/s)", file: "core", args: ["e2e", "100000", "yield"], value: (r) => r.pointsPerSec },
  { name: "e2e 1M (points/s)", file: "core", args: ["e2e", "1000000", "yield"], value: (r) => r.pointsPerSec },
  { name: "remote msgpack 1M (points/s)", file: "remote", args: ["run", "msgpack", "1000000"], value: (r) => r.pointsPerSec },
  { name: "remote json 100k (points/s)", file: "remote", args: ["run", "json", "100000"], value: (r) => r.pointsPerSec },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (x) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(3));

console.log(`\n## ${sha} (before) vs this tree (after), ${rounds} alternating rounds\n`);
console.log("| measurement | before: median (range) | after: median (range) | after ÷ before |");
console.log("|---|---|---|---|");
for (const c of cases) {
  const got = { before: [], after: [] };
  for (let i = 0; i < rounds; i++) {
    for (const side of i % 2 ? ["after", "before"] : ["before", "after"]) {
      const r = run(sides[side], files[side][c.file], c.args);
      if (r) got[side].push(c.value(r));
    }
  }
  const cell = (xs) => (xs.length ? `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : "failed");
  const ratio = got.before.length && got.after.length ? (median(got.after) / median(got.before)).toFixed(2) : "—";
  console.log(`| ${c.name} | ${cell(got.before)} | ${cell(got.after)} | ${ratio}${c.lower ? " (lower is better)" : ""} |`);
}
