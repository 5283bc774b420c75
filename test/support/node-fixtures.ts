/** Storage fixtures for runtimes with node:fs (Node under vitest, Bun). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import type { StorageFixture } from "../contract/storage-contract.ts";

/** A fresh temporary folder. */
export function tempDir(tag = "mldash"): string {
  return mkdtempSync(join(tmpdir(), `${tag}-`));
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
