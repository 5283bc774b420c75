/** Storage fixtures for runtimes with node:fs (Node under vitest, Bun). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import type { StorageFixture } from "../contract/storage-contract.ts";

let root: string | undefined;

/**
 * A fresh temporary folder. The suites write hundreds of runs and a few 256 MiB files per
 * `npm test`, which would pile up in /tmp until the disk is full, so every folder lies in one
 * root that is removed afterwards: under vitest the one its global setup owns
 * (`MLDASH_TEST_TMP`), elsewhere (Bun) one of this process's, removed when it exits.
 */
export function tempDir(tag = "mldash"): string {
  if (root === undefined) {
    const shared = process.env["MLDASH_TEST_TMP"];
    if (shared) root = shared;
    else {
      const own = mkdtempSync(join(tmpdir(), "mldash-test-"));
      root = own;
      process.on("exit", () => rmSync(own, { recursive: true, force: true }));
    }
  }
  return mkdtempSync(join(root, `${tag}-`));
}

export { memoryFixture } from "./memory-fixture.ts";

/** A node-fs store in a fresh temp folder; reopen is a new adapter on the same folder. */
export async function nodeFsFixture(): Promise<StorageFixture> {
  const root = tempDir("nodefs");
  return {
    adapter: nodeFsAdapter({ root }),
    reopen: async () => nodeFsAdapter({ root }),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
}
