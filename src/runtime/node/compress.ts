/**
 * Node's compression for the team store (`TeamStoreOptions.compression`): node:zlib in libuv's
 * thread pool. Through CompressionStream (level 6), a 10,000-point batch of `.dash` lines
 * (1.3 MB) took 12–20 ms of CPU; node:zlib at level 1 takes 5–8 ms and comes out ~10% bigger
 * (208 kB against 189 kB). DecompressionStream cost a team node more than decompressing
 * itself: its output pieces went through a web stream and were joined by `arrayBuffer()`. Every
 * accepted batch is compressed once and most are decompressed once (when sealed), so this CPU
 * is a node's ingest rate.
 */
import { gunzip, gzip } from "node:zlib";
import type { Compression } from "../../server/stores/team/compress.ts";

const bytesOf = (out: Buffer): Uint8Array => new Uint8Array(out.buffer, out.byteOffset, out.byteLength);

/**
 * Output pieces of 256 KiB (zlib's default is 16 KiB): a chunk's ~200 kB of gzip comes back in one
 * callback instead of thirteen, each allocated and joined on the main thread. 10,000 lines at
 * level 1: 4.9 ms of CPU instead of 6.3, 0.4 ms of it on the main thread instead of 1.3.
 */
const PIECE = 256 * 1024;

/** gzip at level 1 and gunzip, off the main thread. */
export const nodeCompression: Compression = {
  gzip: (bytes) => new Promise((resolve, reject) => gzip(bytes, { level: 1, chunkSize: PIECE }, (error, out) => (error ? reject(error) : resolve(bytesOf(out))))),
  gunzip: (bytes) => new Promise((resolve, reject) => gunzip(bytes, { chunkSize: 4 * PIECE }, (error, out) => (error ? reject(error) : resolve(bytesOf(out))))),
};
