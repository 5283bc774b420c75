#!/usr/bin/env node
// The team server's benchmark (issue 16): ingest points/s with one and three `ml-dash serve
// --store postgres://… --blobs s3://…` nodes against the .dash store in the same run, bytes
// stored per point, and the time to open a 1M- and a 10M-point metric from the team store.
// bench/team.bench.ts measures (PostgreSQL and s3rver as the tests start them); this file
// bundles and runs it, and prints the tables.
//
//   node bench/team.mjs        (or `npm run bench team`)
//   TEAM_BENCH_POINTS=200000,1000000 TEAM_BENCH_OPEN=1000000,10000000 node bench/team.mjs
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
// Two levels below the repository (test/support's helpers find it, and s3rver's child script, from where they run).
const out = join(root, ".bench-out", "team");

/** Runs the benchmark; resolves with its JSON rows. */
export async function teamBenchmarks() {
  mkdirSync(out, { recursive: true });
  const file = join(out, "team.bench.mjs");
  await build({
    entryPoints: [join(root, "bench", "team.bench.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: file,
    logLevel: "error",
    packages: "external",
  });
  copyFileSync(join(root, "test/support/s3rver-child.cjs"), join(out, "s3rver-child.cjs"));
  const r = spawnSync(process.execPath, [file], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench/team.bench.ts exited with ${r.status}`);
  return r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : String(n));

/** The rows as markdown tables. */
export function formatTeamBenchmarks(rows) {
  const ingest = rows.filter((r) => r.points !== undefined);
  const open = rows.filter((r) => r.openPoints !== undefined);
  const lines = [
    "### Ingest: 4 remote-only clients through one round-robin proxy (points/s), and bytes stored per point",
    "",
    "| points | .dash, 1 node | team, 1 node | team, 3 nodes | 3 nodes ÷ .dash | .dash bytes/pt | team S3 bytes/pt | team PostgreSQL bytes/pt |",
    "|---|---|---|---|---|---|---|---|",
    ...ingest.map((r) => `| ${fmt(r.points)} | ${fmt(r.dashPtsPerSec)} | ${fmt(r.team1PtsPerSec)} | ${fmt(r.team3PtsPerSec)} | ${(r.team3PtsPerSec / r.dashPtsPerSec).toFixed(2)} | ${r.dashBytesPerPoint} | ${r.teamS3BytesPerPoint} | ${r.teamPgBytesPerPoint} |`),
    "",
    "### CPU per point while ingesting (µs of CPU, all threads, by process; the team store's sealing included)",
    "",
    "A ratio below 1 on this machine comes from here: with every process on the same cores, points/s is the cores divided by the total.",
    "",
    "| points | store | serve nodes | PostgreSQL | s3rver | clients + proxy | total |",
    "|---|---|---|---|---|---|---|",
    ...ingest.flatMap((r) =>
      [
        [".dash, 1 node", r.dashCpu],
        ["team, 1 node", r.team1Cpu],
        ["team, 3 nodes", r.team3Cpu],
      ]
        .filter(([, c]) => c)
        .map(([name, c]) => `| ${fmt(r.points)} | ${name} | ${c.nodes} | ${c.postgres} | ${c.s3rver} | ${c.clients} | ${(c.nodes + c.postgres + c.s3rver + c.clients).toFixed(1)} |`),
    ),
    "",
    "### Opening a metric from the team store (first chart request, 1,000 buckets, fresh store)",
    "",
    "| points | ms | points drawn | from summaries | fill points/s (in-process appends + seals) |",
    "|---|---|---|---|---|",
    ...open.map((r) => `| ${fmt(r.openPoints)} | ${fmt(r.openMs)} | ${fmt(r.drawn)} | ${r.fromSummaries} | ${fmt(r.fillPtsPerSec)} |`),
    "",
    "targets: 3 nodes ≥ the .dash store's single node; open 1M ≤ 1 s, 10M ≤ 2 s. s3rver writes each object to local disk in a JavaScript process: a real S3 is another machine.",
  ];
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatTeamBenchmarks(await teamBenchmarks()));
