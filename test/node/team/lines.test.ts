/**
 * The team store's gzip and gunzip (compress.ts): pending batches and sealed chunks go
 * through them. Any bytes round-trip; a corrupt chunk rejects with the stream's error, and
 * leaves no unhandled rejection behind (vitest fails the run on one).
 */
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { expect, test } from "vitest";
import { gunzip, gzip, webCompression, type Compression } from "../../../src/server/stores/team/compress.ts";
import { nodeCompression } from "../../../src/runtime/node/compress.ts";

test("gzip and gunzip round-trip any bytes, and read what node:zlib writes (and the other way)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 70_000, size: "max" }), async (bytes) => {
      const packed = await gzip(bytes);
      expect(new Uint8Array(gunzipSync(packed))).toEqual(bytes);
      expect(await gunzip(packed)).toEqual(bytes);
      expect(await gunzip(new Uint8Array(gzipSync(bytes)))).toEqual(bytes);
    }),
    { numRuns: 60 },
  );
  expect(await gunzip(await gzip(new Uint8Array(0)))).toEqual(new Uint8Array(0));
});

test("a corrupt or cut chunk rejects", async () => {
  const packed = await gzip(new TextEncoder().encode('{"index": 0, "data": {"loss": 1}}\n'.repeat(1000)));
  await expect(gunzip(packed.subarray(0, packed.length >> 1))).rejects.toThrow();
  const flipped = packed.slice();
  flipped[20] = (flipped[20] as number) ^ 0xff;
  await expect(gunzip(flipped)).rejects.toThrow();
  await expect(gunzip(new TextEncoder().encode("not gzip at all"))).rejects.toThrow();
});

test("Node's compression (the CLI's) and the web one read each other's bytes, and a corrupt chunk rejects", async () => {
  const pairs: [Compression, Compression][] = [
    [nodeCompression, webCompression],
    [webCompression, nodeCompression],
    [nodeCompression, nodeCompression],
  ];
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 70_000, size: "max" }), async (bytes) => {
      for (const [writer, reader] of pairs) expect(await reader.gunzip(await writer.gzip(bytes))).toEqual(bytes);
    }),
    { numRuns: 15 },
  );
  const packed = await nodeCompression.gzip(new TextEncoder().encode('{"index": 0, "data": {"loss": 1}}\n'.repeat(1000)));
  await expect(nodeCompression.gunzip(packed.subarray(0, packed.length >> 1))).rejects.toThrow();
  await expect(nodeCompression.gunzip(new TextEncoder().encode("not gzip at all"))).rejects.toThrow();
});
