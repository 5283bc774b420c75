/**
 * Node-side commands for browser tests (vitest browser mode `commands`): they run in the vitest
 * process, so browser tests can bundle a worker script, or read an exported archive with Node's
 * tools.
 */
import type { BrowserCommand } from "vitest/node";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

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

export const browserCommands = { bundleWorker };

declare module "vitest/browser" {
  interface BrowserCommands {
    bundleWorker(entry: string): Promise<string>;
  }
}
