/** The memory store fixture, portable to every host (no runtime APIs). */
import { memoryAdapter, MemoryStore } from "../../adapters/memory/index.ts";
import type { StorageFixture } from "../contract/storage-contract.ts";

/** A memory store; reopen shares the same data. */
export async function memoryFixture(): Promise<StorageFixture> {
  const store = new MemoryStore();
  return { adapter: memoryAdapter({ store }), reopen: async () => memoryAdapter({ store }), cleanup: async () => undefined };
}
