#!/usr/bin/env node
// `node bench/glob.mjs`: the glob attack patterns of issue 14 against names of several lengths,
// with the matcher both dialects use now (steps counted by the matcher, and time) and the
// backtracking regular expressions they replaced (time only; kept as test oracles). The old
// matchers are only run at lengths where they still finish: their time grows like C(n, 8).
// Compare ratios within one run: the machine is shared and noisy.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const out = join(root, ".bench-out");
mkdirSync(out, { recursive: true });
const entry = join(out, "glob-entry.ts");
const file = join(out, "glob.mjs");
await build({
  stdin: {
    contents: `export * as files from "${root}/src/files/glob.ts";
export * as dash from "${root}/src/dashboard/glob.ts";
export { globMatch as filesBefore } from "${root}/test/node/hardened/glob-before.ts";
export { globMatch as dashBefore } from "${root}/test/node/hardened/dashboard-glob-before.ts";`,
    resolveDir: root,
    sourcefile: entry,
    loader: "ts",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: file,
  logLevel: "error",
});
const { files, dash, filesBefore, dashBefore } = await import(pathToFileURL(file).href);

const PATTERNS = ["*?*?*?*?*?*?*?*?#", "*a*a*a*a*a*a*a*a*a*a*a*b", `${"**/x".repeat(12)}#`];
const ms = (f) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

console.log("pattern                         name  dialect    steps    now ms   before ms");
for (const pattern of PATTERNS) {
  for (const n of [16, 20, 24, 64, 1024]) {
    const name = pattern.includes("x") ? "x/".repeat(n / 2) : "a".repeat(n);
    for (const [dialect, m, before] of [
      ["files", files, filesBefore],
      ["dashboard", dash, dashBefore],
    ]) {
      const steps = { count: 0 };
      const now = ms(() => m.globMatch(pattern, name, steps));
      // The old matchers past 24 characters take from seconds to hours.
      const old = n <= 24 ? ms(() => before(pattern, name)).toFixed(1) : "-";
      console.log(`${pattern.slice(0, 30).padEnd(30)} ${String(n).padStart(5)}  ${dialect.padEnd(9)} ${String(steps.count).padStart(7)} ${now.toFixed(2).padStart(9)} ${old.padStart(11)}`);
    }
  }
}

// Ordinary patterns over listings of several sizes (the server filters every file of a run).
console.log("\nordinary pattern          names  dialect     now ms   before ms");
for (const pattern of ["*.png", "images/**/*.png", "step_00*_[0-4].*"]) {
  for (const count of [1_000, 10_000, 100_000]) {
    const names = Array.from({ length: count }, (_, i) => `images/epoch_${i % 97}/step_${String(i).padStart(6, "0")}_${i % 9}.${i % 3 ? "png" : "jpg"}`);
    for (const [dialect, m, before] of [
      ["files", files, filesBefore],
      ["dashboard", dash, dashBefore],
    ]) {
      let hits = 0;
      const now = ms(() => names.forEach((n) => (hits += m.globMatch(pattern, n) ? 1 : 0)));
      const old = ms(() => names.forEach((n) => before(pattern, n)));
      console.log(`${pattern.padEnd(24)} ${String(count).padStart(7)}  ${dialect.padEnd(9)} ${now.toFixed(1).padStart(9)} ${old.toFixed(1).padStart(11)}   (${hits} hits)`);
    }
  }
}
