#!/usr/bin/env node
// Builds dist/ only when a source is newer than the last build, and says what it does: the demos
// and examples run it first (`npm run demo`), and a silent 30–80 s rebuild looked like a hang.
//   node scripts/build-if-stale.mjs          build when stale, else say it is up to date
//   node scripts/build-if-stale.mjs --force  always build
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const STAMP = join(root, "dist/cli.js");
const UI = join(root, "dist/dashboard/ui/index.html");

/** Newest modification time under `p` (ms), skipping nothing but missing paths. */
function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = 0;
  for (const e of readdirSync(p)) m = Math.max(m, newest(join(p, e)));
  return m;
}

const built = existsSync(STAMP) && existsSync(UI) ? Math.min(statSync(STAMP).mtimeMs, statSync(UI).mtimeMs) : 0;
const source = Math.max(...["src", "adapters", "tsup.config.ts", "package.json", "scripts/build-dashboard-ui.mjs", "scripts/build-web-worker.mjs", "scripts/encoder-worker-url.mjs"].map((p) => newest(join(root, p))));
if (!process.argv.includes("--force") && built > 0 && built >= source) {
  console.log("ml-dash: dist/ is up to date (no source changed since the last build)");
  process.exit(0);
}
// Measured: JavaScript 35–93 s, then type declarations; the whole build 11–13 min on a 2-core machine under load ~20.
const took = "30–80 s on an idle machine, over 10 min on a busy one: the type declarations come last";
console.log(built === 0 ? `ml-dash: building dist/ (first build; ${took})…` : `ml-dash: sources changed, rebuilding dist/ (${took})…`);
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
