#!/usr/bin/env node
// `npm test`: every suite in every host, then one line "N passed, N failed".
//
// vitest, bun and deno do not print a combined count, so each writes a machine-readable report
// (vitest JSON, JUnit XML) into .test-out/ and this script sums them. A suite that crashes
// without a report counts as one failure. Checks that are not test runners (typecheck, build)
// count as one test each. Exit code 0 only when nothing failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const OUT = ".test-out";
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const only = process.argv.slice(2);

const env = {
  ...process.env,
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  DENO_NO_UPDATE_CHECK: "1",
  DENO_NO_PROMPT: "1",
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

function run(cmd, args) {
  console.log(`\n=== ${[cmd, ...args].join(" ")} (${new Date().toISOString().slice(11, 19)})`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  return r.status === 0;
}

/** Counts of a JUnit XML report: tests minus failures and errors. */
function junit(file) {
  const x = readFileSync(file, "utf8");
  const head = x.match(/<testsuites[^>]*>/)?.[0] ?? x.match(/<testsuite[^>]*>/)?.[0] ?? "";
  const num = (name) => Number(head.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0);
  const failed = num("failures") + num("errors");
  return { passed: num("tests") - failed - num("skipped"), failed };
}

function vitestJson(file) {
  const j = JSON.parse(readFileSync(file, "utf8"));
  // A file that fails outside its tests (a beforeAll that throws or times out) fails no test of
  // its own: its tests are skipped. Count each such file once, or the summary says "1 failed"
  // for three failed files.
  const filesFailedOutsideTests = (j.testResults ?? []).filter(
    (r) => r.status === "failed" && !(r.assertionResults ?? []).some((a) => a.status === "failed"),
  ).length;
  return { passed: j.numPassedTests, failed: j.numFailedTests + Math.max(j.numRuntimeErrorTestSuites ?? 0, filesFailedOutsideTests) };
}

/**
 * Browser tests need Chromium. Playwright cannot download its own here, so Debian's package is
 * installed when it is missing and we are root (as on a fresh CI machine).
 */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(path)) return true;
  if (process.getuid?.() !== 0) {
    console.log(`\n=== ${path} is missing and we are not root: install it with "apt-get install -y chromium"`);
    return false;
  }
  console.log(`\n=== installing Chromium (${path} is missing)`);
  const apt = { stdio: "inherit", env: { ...env, DEBIAN_FRONTEND: "noninteractive" } };
  return spawnSync("apt-get", ["update", "-qq"], apt).status === 0 && spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], apt).status === 0 && existsSync(path);
}

const suites = [
  { name: "chromium", run: ensureChromium },
  // The build comes first: benchmarks and examples import the built package.
  { name: "build", run: () => run("npx", ["--no-install", "tsup", "--silent"]) },
  { name: "typecheck", run: () => run("npx", ["--no-install", "tsc", "-p", "tsconfig.json"]) },
  // A page importing Experiment: ≤ 15 kB up front (Vite and esbuild), ≤ 50 kB on a first run in Chromium (scripts/size.mjs exits 1 over a budget).
  { name: "size", run: () => run("node", ["scripts/size.mjs"]) },
  {
    name: "vitest",
    report: join(OUT, "vitest.json"),
    parse: vitestJson,
    run: () => run("npx", ["--no-install", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${join(OUT, "vitest.json")}`]),
  },
  {
    name: "deno",
    report: join(OUT, "deno.xml"),
    parse: junit,
    run: () => run("npx", ["--no-install", "deno", "test", "-A", "--reporter=dot", `--junit-path=${join(OUT, "deno.xml")}`]),
  },
  {
    name: "bun",
    report: join(OUT, "bun.xml"),
    parse: junit,
    run: () => run("npx", ["--no-install", "bun", "test", "--reporter=junit", `--reporter-outfile=${join(OUT, "bun.xml")}`]),
  },
  {
    // The dashboard in Chromium (Playwright); its config writes .test-out/dashboard.xml.
    name: "dashboard",
    report: join(OUT, "dashboard.xml"),
    parse: junit,
    run: () => run("npx", ["--no-install", "playwright", "test", "-c", "test/dashboard/playwright.config.mjs"]),
  },
  {
    // The packed package as a user installs it: strict typecheck, esbuild/vite/webpack/wrangler
    // with 0 warnings, a page built by each bundler run in Chromium, publint, attw, deno publish
    // --dry-run (scripts/test-package.mjs; needs the build).
    name: "package",
    report: join(OUT, "package.xml"),
    parse: junit,
    run: () => run("node", ["scripts/test-package.mjs", "--junit", join(OUT, "package.xml")]),
  },
  {
    // The Cloudflare Worker example in workerd (Miniflare) against the server on 127.0.0.1.
    name: "worker-example",
    report: join(OUT, "worker-example.xml"),
    parse: junit,
    run: () => run("node", ["examples/cloudflare-worker/test.mjs", "--junit", join(OUT, "worker-example.xml")]),
  },
];

let passed = 0;
let failed = 0;
const lines = [];
for (const s of suites) {
  if (only.length > 0 && !only.includes(s.name)) continue;
  const ok = s.run();
  let p = 0;
  let f = 0;
  if (s.report) {
    if (existsSync(s.report)) {
      try {
        ({ passed: p, failed: f } = s.parse(s.report));
      } catch {
        f = 1;
      }
    } else f = 1;
    if (!ok && f === 0) f = 1; // the runner failed without reporting a failed test
  } else if (ok) p = 1;
  else f = 1;
  passed += p;
  failed += f;
  lines.push(`${s.name}: ${p} passed, ${f} failed`);
}

console.log("\n=== summary");
for (const l of lines) console.log(l);
const summary = `${passed} passed, ${failed} failed`;
writeFileSync(join(OUT, "summary.txt"), summary + "\n");
console.log(summary);
process.exit(failed === 0 ? 0 : 1);
