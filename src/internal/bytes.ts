/** Byte-array helpers shared by the file, remote and server code. */

/** The arrays one after another in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** True when `v` views its whole buffer (an `ArrayBuffer`): storing or transferring it moves nothing more. */
export function ownsBuffer(v: Uint8Array): boolean {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer;
}

/** The buffers that `parts` view whole, each once: what a message may transfer. */
export function ownedBuffers(parts: readonly Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const p of parts) if (ownsBuffer(p)) out.add(p.buffer as ArrayBuffer);
  return [...out];
}
