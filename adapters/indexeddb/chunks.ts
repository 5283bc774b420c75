/**
 * The chunked layout of the IndexedDB adapter: a head per key (generation, size, last chunk)
 * and bytes in chunks keyed `[key, generation, byte offset]`, and the reads and writes of
 * chunks inside one transaction.
 */
import type { IDBPObjectStore } from "idb";
import type { DashDB, Head } from "./connection.ts";

type Names = ("heads" | "chunks")[];

/** The chunk store of a transaction in mode `M`. */
export type ChunkStore<M extends IDBTransactionMode = IDBTransactionMode> = IDBPObjectStore<DashDB, Names, "chunks", M>;

/** The two object stores of one transaction. */
export interface Stores<M extends IDBTransactionMode = IDBTransactionMode> {
  readonly heads: IDBPObjectStore<DashDB, Names, "heads", M>;
  readonly chunks: ChunkStore<M>;
}

/** Largest chunk; values and appends above it are split. */
export const CHUNK = 1 << 20;
/**
 * Largest part of `appendParts` stored as one chunk as it is (the core's batches: up to 10,000
 * records, ~1.6 MB of metric lines): no copy but the one structured clone makes.
 */
export const PART = 4 << 20;
/** A last chunk below this size is topped up by the next append instead of adding a chunk. */
export const SMALL = 64 * 1024;
export const EMPTY = new Uint8Array(0);

export const chunkRange = (key: string, gen: number, from: number, to: number, openEnd = false): IDBKeyRange => IDBKeyRange.bound([key, gen, from], [key, gen, to], false, openEnd);
/** All chunks of one generation of `key`. */
export const genRange = (key: string, gen: number): IDBKeyRange => chunkRange(key, gen, 0, Infinity);
/** Every chunk of `key`, whatever the generation (`[]` sorts after every number). */
export const keyChunks = (key: string): IDBKeyRange => IDBKeyRange.bound([key], [key, []]);
/** Keys strictly below `prefix/` (`0` is the character after `/`). */
export const below = (prefix: string): IDBKeyRange => IDBKeyRange.bound(`${prefix}/`, `${prefix}0`, false, true);

export const errorName = (err: unknown): string | undefined => (err as { name?: string } | null)?.name;

/** A random generation number (unique across tabs without coordination). */
export function newGen(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  return (hi & 0x1fffff) * 0x1_0000_0000 + lo;
}

export const emptyHead = (): Head => ({ gen: newGen(), size: 0, mtimeMs: Date.now(), lastOffset: 0, lastLength: 0 });

/** A view that owns exactly its bytes, so structured clone stores nothing more. */
export const tight = (v: Uint8Array): Uint8Array => (owns(v) ? v : v.slice());

/** Puts `data` as chunks of generation `head.gen` from `head.size` on, updating `head`. */
export function putChunks(chunks: ChunkStore<"readwrite">, key: string, head: Head, data: Uint8Array, pending: Promise<unknown>[]): void {
  for (let at = 0; at < data.length; at += CHUNK) putChunk(chunks, key, head, tight(data.subarray(at, at + CHUNK)), pending);
}

/** Puts `piece` (a view owning its buffer whole) as the next chunk, updating `head`. */
export function putChunk(chunks: ChunkStore<"readwrite">, key: string, head: Head, piece: Uint8Array, pending: Promise<unknown>[]): void {
  pending.push(chunks.put(piece, [key, head.gen, head.size]));
  head.lastOffset = head.size;
  head.lastLength = piece.length;
  head.size += piece.length;
}

/** True when `v` owns its buffer whole, so storing it stores nothing more. */
export const owns = (v: Uint8Array): boolean => v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;

/** Bytes `[from, to)` of a value, read inside one transaction. */
export async function readSpan(chunks: ChunkStore, key: string, head: Head, from: number, to: number): Promise<Uint8Array> {
  const start = Math.max(0, from);
  const stop = Math.min(to, head.size);
  if (stop <= start) return new Uint8Array(0);
  let first = 0;
  if (start > 0) {
    const cursor = await chunks.openCursor(chunkRange(key, head.gen, 0, start), "prev");
    first = cursor ? cursor.key[2] : 0;
  }
  const parts = await chunks.getAll(chunkRange(key, head.gen, first, stop, true));
  if (parts.length === 1 && first === start && parts[0]!.length === stop - start) return parts[0]!;
  const out = new Uint8Array(stop - start);
  let pos = first;
  let filled = 0;
  for (const p of parts) {
    const a = Math.max(start - pos, 0);
    const b = Math.min(p.length, stop - pos);
    if (b > a) {
      out.set(p.subarray(a, b), filled);
      filled += b - a;
    }
    pos += p.length;
  }
  return filled === out.length ? out : out.subarray(0, filled);
}
