/**
 * The built package (dist/), for tests that run ml-dash as users get it. `ensureBuilt()` runs
 * tsup when dist/ is missing or older than the sources, once for all test files: vitest runs
 * files in parallel processes, and tsup empties dist/ before it writes (`clean: true`), so two
 * builds at once, or a build under a test that reads dist/, would break each other. A lock
 * directory makes the others wait; the build runs in a child process, so a waiting test's
 * timeout still fires. Call it from `beforeAll(ensureBuilt, BUILD_TIMEOUT_MS)`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./child.ts";
import { distState } from "../../scripts/build-inputs.mjs";

/** A full tsup build (JavaScript, declarations, dashboard UI) takes minutes on a loaded 2-core machine. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

const LOCK = join(REPO, "node_modules/.cache/ml-dash-test-build.lock");

/** True when every output exists and none is older than the newest source (scripts/build-inputs.mjs). */
export function distIsFresh(): boolean {
  return distState(REPO) === "fresh";
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
