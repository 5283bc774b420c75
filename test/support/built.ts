/**
 * The built package (dist/), for tests that run ml-dash as users get it. `ensureBuilt()` runs
 * tsup when dist/ is missing or older than the sources, once for all test files: vitest runs
 * files in parallel processes, and tsup empties dist/ before it writes (`clean: true`), so two
 * builds at once, or a build under a test that reads dist/, would break each other. A lock
 * directory makes the others wait; the build runs in a child process, so a waiting test's
 * timeout still fires. Call it from `beforeAll(ensureBuilt, BUILD_TIMEOUT_MS)`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./child.ts";

/** A full tsup build (JavaScript, declarations, dashboard UI) takes minutes on a loaded 2-core machine. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

/** What the build writes, one file per step: JavaScript, a worker entry, declarations, the dashboard UI. */
const OUTPUTS = ["dist/entries/node.js", "dist/encoder-worker.js", "dist/web-encoder-worker.js", "dist/index.d.ts", "dist/server/node.d.ts", "dist/dashboard/ui/index.html"];
/** What the build reads. */
const SOURCES = ["src", "adapters", "package.json", "tsup.config.ts", "scripts/build-dashboard-ui.mjs", "scripts/build-web-worker.mjs", "scripts/encoder-worker-url.mjs"];
const LOCK = join(REPO, "node_modules/.cache/ml-dash-test-build.lock");

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, n) => Math.max(m, newestMtime(join(path, n))), st.mtimeMs);
}

/** True when every output exists and none is older than the newest source. */
export function distIsFresh(): boolean {
  const outputs = OUTPUTS.map((o) => join(REPO, o));
  if (!outputs.every((o) => existsSync(o))) return false;
  const oldestOutput = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  const newestSource = Math.max(...SOURCES.map((s) => join(REPO, s)).filter((s) => existsSync(s)).map(newestMtime));
  return oldestOutput >= newestSource;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the build lock, or returns false while another live process holds it. */
function tryLock(): boolean {
  mkdirSync(join(LOCK, ".."), { recursive: true });
  try {
    mkdirSync(LOCK);
  } catch {
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(LOCK, "pid"), "utf8"));
    } catch {
      // the holder has not written its pid yet
      return false;
    }
    if (alive(holder)) return false;
    rmSync(LOCK, { recursive: true, force: true }); // left behind by a killed test process
    return tryLock();
  }
  writeFileSync(join(LOCK, "pid"), String(process.pid));
  return true;
}

function tsup(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["--no-install", "tsup", "--silent"], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`tsup exited with ${code}`))));
  });
}

/** Builds dist/ unless it is fresh; waits for a build another test process is running. */
export async function ensureBuilt(): Promise<void> {
  while (!distIsFresh()) {
    if (!tryLock()) {
      await new Promise((r) => setTimeout(r, 250)); // polling the lock: the condition is checked again
      continue;
    }
    try {
      if (!distIsFresh()) await tsup();
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
    return; // built once: a source edited meanwhile is not chased
  }
}
