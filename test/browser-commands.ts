/**
 * Node-side commands for browser tests (vitest browser mode `commands`): they run in the vitest
 * process, so browser tests can bundle a worker script, or read an exported archive with Node's
 * tools.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { BrowserCommand } from "vitest/node";
import { nodeFsAdapter } from "../adapters/node-fs/index.ts";
import { snapshotRun } from "./support/run-snapshot.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundles a test entry for a dedicated worker, with "vitest" mapped to the portable runner
 * (vitest's own runner does not run inside workers). Returns the module's source code.
 */
const bundleWorker: BrowserCommand<[entry: string]> = async (_ctx, entry) => {
  const out = await build({
    entryPoints: [`${REPO}/${entry}`],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    conditions: ["browser"],
    alias: { vitest: `${REPO}/test/portable/vitest-shim.ts` },
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
};

/**
 * Extracts a `.dash` tar archive (a file the browser uploaded to the test server) with GNU tar
 * and reads the run at `prefix` with node-fs and `LocalReader`: Node's view of the run.
 */
const readDashArchive: BrowserCommand<[path: string, prefix: string]> = async (_ctx, path, prefix) => {
  const dir = mkdtempSync(join(tmpdir(), "mldash-extract-"));
  try {
    execFileSync("tar", ["-xf", path, "-C", dir]);
    const storage = nodeFsAdapter({ root: join(dir, ".dash") });
    try {
      return await snapshotRun(storage, prefix);
    } finally {
      await storage.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const browserCommands = { bundleWorker, readDashArchive };

declare module "vitest/browser" {
  interface BrowserCommands {
    bundleWorker(entry: string): Promise<string>;
    readDashArchive(path: string, prefix: string): Promise<string>;
  }
}
