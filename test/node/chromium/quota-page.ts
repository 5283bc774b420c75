// Runs in Chromium (bundled by test/node/chromium-quota.test.ts): fills a small quota through
// the IndexedDB adapter and reports what it saw.
import { indexedDBAdapter } from "../../../adapters/indexeddb/index.ts";
import { StorageError } from "../../../src/errors.ts";

(globalThis as { quotaCheck?: () => Promise<unknown> }).quotaCheck = async () => {
  const s = indexedDBAdapter({ dbName: "quota-check" });
  await s.write("run/small", new Uint8Array(1000).fill(3));
  let error: unknown;
  try {
    await s.write("run/huge", new Uint8Array(16 * 1024 * 1024).fill(4));
  } catch (err) {
    error = err;
  }
  const small = await s.read("run/small");
  return {
    isStorageError: error instanceof StorageError,
    code: (error as StorageError | undefined)?.code,
    causeName: ((error as StorageError | undefined)?.cause as { name?: string } | undefined)?.name,
    message: String((error as Error | undefined)?.message),
    huge: await s.read("run/huge"),
    smallIntact: small?.length === 1000 && small.every((b) => b === 3),
  };
};
