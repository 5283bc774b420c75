/**
 * One asynchronous append of encoded batches: the batches a write has ready go to IndexedDB or
 * OPFS in one call (each call costs a transaction or a worker round trip).
 */
import { concatBytes } from "../../internal/bytes.ts";
import type { StorageAdapter } from "../../storage/contract.ts";

/** Most bytes one asynchronous append carries when several encoded batches are ready. */
export const MAX_APPEND_BYTES = 8 * 1024 * 1024;

/**
 * Appends `parts` (encoded batches, in order) to `key`. Each part is usually a fresh array of its
 * own (a worker's reply, or an exact-size copy), so an adapter that takes parts (`appendParts`)
 * stores or transfers them without copying; other adapters get their concatenation.
 */
export function appendEncoded(storage: StorageAdapter, key: string, parts: Uint8Array[]): Promise<void> {
  // A part may be a view of a larger spare array of the encoder pool: the adapter gets a copy.
  if (storage.appendParts) return storage.appendParts(key, parts.map((p) => (p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : p.slice())));
  return storage.append(key, parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts));
}
