/** Storage fixtures for runtimes with node:fs (Node under vitest, Bun). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryAdapter, MemoryStore } from "../../adapters/memory/index.ts";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import type { StorageFixture } from "../contract/storage-contract.ts";

/** A fresh temporary folder. */
export function tempDir(tag = "mldash"): string {
  return mkdtempSync(join(tmpdir(), `${tag}-`));
}

/** A memory store; reopen shares the same data. */
export async function memoryFixture(): Promise<StorageFixture> {
  const store = new MemoryStore();
  return { adapter: memoryAdapter({ store }), reopen: async () => memoryAdapter({ store }), cleanup: async () => undefined };
}

/** A node-fs store in a fresh temp folder; reopen is a new adapter on the same folder. */
export async function nodeFsFixture(): Promise<StorageFixture> {
  const root = tempDir("nodefs");
  return {
    adapter: nodeFsAdapter({ root }),
    reopen: async () => nodeFsAdapter({ root }),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
}
