/**
 * A PNG encoder on Web APIs only: 8-bit gray, gray+alpha, RGB and RGBA, rows filtered
 * adaptively (per row the filter whose output has the smallest sum of absolute values, the
 * heuristic libpng and Pillow use) and deflated by `CompressionStream("deflate")` — the native
 * zlib of every runtime, and exactly the zlib-wrapped stream PNG's IDAT wants.
 */

/** PNG color type per channel count. */
import { concatBytes } from "../internal/bytes.ts";
const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** Row filter choice: `"adaptive"` (default) or a fixed PNG filter 0–4. */
export type PngFilter = "adaptive" | 0 | 1 | 2 | 3 | 4;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = p > a ? p - a : a - p;
  const pb = p > b ? p - b : b - p;
  const pc = p > c ? p - c : c - p;
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Filters row `y` with filter `f` into `out` (after the filter byte) and returns the sum of the
 * output read as signed bytes (lower usually deflates smaller). One tight loop per filter.
 */
function filterRow(f: number, px: Uint8Array, y: number, stride: number, bpp: number, out: Uint8Array): number {
  const row = y * stride;
  const prev = row - stride;
  const first = y === 0;
  out[0] = f;
  let sum = 0;
  let v = 0;
  let x = 0;
  if (f === 0 || (f === 2 && first)) {
    for (; x < stride; x++) {
      v = px[row + x] as number;
      out[x + 1] = v;
      sum += v < 128 ? v : 256 - v;
    }
  } else if (f === 1) {
    for (; x < bpp; x++) {
      v = px[row + x] as number;
      out[x + 1] = v;
      sum += v < 128 ? v : 256 - v;
    }
    for (; x < stride; x++) {
      v = ((px[row + x] as number) - (px[row + x - bpp] as number)) & 0xff;
      out[x + 1] = v;
      sum += v < 128 ? v : 256 - v;
    }
  } else if (f === 2) {
    for (; x < stride; x++) {
      v = ((px[row + x] as number) - (px[prev + x] as number)) & 0xff;
      out[x + 1] = v;
      sum += v < 128 ? v : 256 - v;
    }
  } else if (f === 3) {
    for (; x < stride; x++) {
      const a = x >= bpp ? (px[row + x - bpp] as number) : 0;
      const b = first ? 0 : (px[prev + x] as number);
      v = ((px[row + x] as number) - ((a + b) >> 1)) & 0xff;
      out[x + 1] = v;
      sum += v < 128 ? v : 256 - v;
    }
  } else {
    for (; x < stride; x++) {
      const a = x >= bpp ? (px[row + x - bpp] as number) : 0;
      const b = first ? 0 : (px[prev + x] as number);
      const c = x >= bpp && !first ? (px[prev + x - bpp] as number) : 0;
      v = ((px[row + x] as number) - paeth(a, b, c)) & 0xff;
      out[x + 1] = v;
      sum += v < 128 ? v : 256 - v;
    }
  }
  return sum;
}

async function deflate(parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const cs = new CompressionStream("deflate");
  const writer = cs.writable.getWriter();
  const collected = (async () => {
    const chunks: Uint8Array[] = [];
    const reader = cs.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return concatBytes(chunks);
  })();
  for await (const p of parts) await writer.write(p as Uint8Array<ArrayBuffer>);
  await writer.close();
  return collected;
}

/** Yields the filtered scanlines in blocks of about 256 KiB. */
function* scanlines(px: Uint8Array, width: number, height: number, bpp: number, filter: PngFilter): Generator<Uint8Array> {
  const stride = width * bpp;
  const rowsPerBlock = Math.max(1, Math.floor((256 * 1024) / (stride + 1)));
  const trial = filter === "adaptive" ? [0, 1, 2, 3, 4].map(() => new Uint8Array(stride + 1)) : [];
  for (let y0 = 0; y0 < height; y0 += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, height - y0);
    const block = new Uint8Array(rows * (stride + 1));
    for (let r = 0; r < rows; r++) {
      const y = y0 + r;
      const out = block.subarray(r * (stride + 1), (r + 1) * (stride + 1));
      if (filter !== "adaptive") {
        filterRow(filter, px, y, stride, bpp, out);
        continue;
      }
      let best = 0;
      let bestCost = Infinity;
      for (let f = 0; f < 5; f++) {
        const c = filterRow(f, px, y, stride, bpp, trial[f] as Uint8Array);
        if (c < bestCost) {
          bestCost = c;
          best = f;
        }
      }
      out.set(trial[best] as Uint8Array);
    }
    yield block;
  }
}

/**
 * Encodes 8-bit pixels (`channels` interleaved values per pixel, rows top to bottom) as PNG.
 *
 * @example const png = await encodePng(rgba, 640, 480, 4);
 */
export async function encodePng(px: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4, filter: PngFilter = "adaptive"): Promise<Uint8Array> {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  // compression 0, filter method 0, interlace 0
  const idat = await deflate(scanlines(px, width, height, channels, filter));
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))];
  return concatBytes(parts);
}
