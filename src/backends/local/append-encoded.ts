/**
 * One asynchronous append of encoded batches: the batches a write has ready go to IndexedDB or
 * OPFS in one call (each call costs a transaction or a worker round trip).
 */
import { concatBytes } from "../../internal/bytes.ts";
import type { StorageAdapter } from "../../storage/contract.ts";

/** Most bytes one asynchronous append carries when several encoded batches are ready. */
export const MAX_APPEND_BYTES = 8 * 1024 * 1024;

/**
 * Appends `parts` (encoded batches, in order) to `key`. Each part is a fresh array of its own (a
 * worker's reply, or an exact-size copy), so an adapter that takes parts (`appendParts`) stores
 * or transfers them without copying; other adapters get their concatenation.
 */
export function appendEncoded(storage: StorageAdapter, key: string, parts: Uint8Array[]): Promise<void> {
  if (storage.appendParts) return storage.appendParts(key, parts);
  return storage.append(key, parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts));
}
