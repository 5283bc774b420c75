/** A Web ReadableStream over an open node:fs file handle (Node and Bun). */
import type { FileHandle } from "node:fs/promises";

/**
 * Streams the file behind `h` from byte 0 in chunks of `chunkSize`, closing the handle at the
 * end or on cancel; nothing more than one chunk is held in memory.
 */
export function fileHandleStream(h: FileHandle, chunkSize: number): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(chunkSize);
      const { bytesRead } = await h.read(buf, 0, chunkSize, pos);
      if (bytesRead === 0) {
        await h.close();
        controller.close();
        return;
      }
      pos += bytesRead;
      controller.enqueue(bytesRead === chunkSize ? buf : buf.subarray(0, bytesRead));
    },
    async cancel() {
      await h.close();
    },
  });
}
