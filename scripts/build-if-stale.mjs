#!/usr/bin/env node
// Builds dist/ only when a source is newer than the last build, and says what it does: the demos
// and examples run it first (`npm run demo`), and a silent 30–80 s rebuild looked like a hang.
//   node scripts/build-if-stale.mjs          build when stale, else say it is up to date
//   node scripts/build-if-stale.mjs --force  always build
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { distState } from "./build-inputs.mjs";

const root = resolve(import.meta.dirname, "..");
const state = distState(root);
if (!process.argv.includes("--force") && state === "fresh") {
  console.log("ml-dash: dist/ is up to date (no source changed since the last build)");
  process.exit(0);
}
// Measured: JavaScript 35–93 s, then type declarations; the whole build 11–13 min on a 2-core machine under load ~20.
const took = "30–80 s on an idle machine, over 10 min on a busy one: the type declarations come last";
console.log(state === "missing" ? `ml-dash: building dist/ (first build; ${took})…` : `ml-dash: sources changed, rebuilding dist/ (${took})…`);
const t0 = Date.now();
const tick = process.stdout.isTTY
  ? setInterval(() => process.stdout.write(`\r  building… ${Math.round((Date.now() - t0) / 1000)} s`), 1000)
  : setInterval(() => console.log(`  still building… ${Math.round((Date.now() - t0) / 1000)} s`), 15_000);
const child = spawn("npx", ["--no-install", "tsup", "--silent"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
child.on("exit", (code) => {
  clearInterval(tick);
  if (process.stdout.isTTY) process.stdout.write("\r");
  console.log(code === 0 ? `ml-dash: built dist/ in ${Math.round((Date.now() - t0) / 1000)} s` : `ml-dash: the build failed (exit ${code})`);
  process.exit(code ?? 1);
});
