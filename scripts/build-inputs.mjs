// What the build reads and writes, for the two places that decide whether dist/ is stale: the
// tests' `ensureBuilt()` (test/support/built.ts) and the demos' `build-if-stale.mjs`.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the build reads (folders are walked). */
export const BUILD_SOURCES = ["src", "adapters", "package.json", "tsup.config.ts", "scripts/build-dashboard-ui.mjs", "scripts/build-web-worker.mjs", "scripts/encoder-worker-url.mjs"];

/** What the build writes, one file per step: JavaScript, the two workers, declarations, the dashboard UI. */
export const BUILD_OUTPUTS = ["dist/entries/node.js", "dist/cli.js", "dist/encoder-worker.js", "dist/web-encoder-worker.js", "dist/index.d.ts", "dist/server/node.d.ts", "dist/dashboard/ui/index.html"];

/** Newest modification time (ms) at or under `path`; 0 when it is missing. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, n) => Math.max(m, newestMtime(join(path, n))), st.mtimeMs);
}

/**
 * The state of dist/ under the repository `root`: `"missing"` (an output is absent), `"stale"`
 * (a source is newer than the oldest output) or `"fresh"`.
 */
export function distState(root) {
  const outputs = BUILD_OUTPUTS.map((o) => join(root, o));
  if (!outputs.every((o) => existsSync(o))) return "missing";
  const oldestOutput = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  const newestSource = Math.max(...BUILD_SOURCES.map((s) => newestMtime(join(root, s))));
  return oldestOutput >= newestSource ? "fresh" : "stale";
}
