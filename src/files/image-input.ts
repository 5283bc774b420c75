/**
 * Image input for `saveImage`: `ImageData`, `{ data, width, height, channels? }` (any typed
 * array or number array), or nested arrays shaped H×W / H×W×C like a numpy image, turned into
 * 8-bit interleaved pixels with ML-Dash Python's dtype rules (its `save_image`): 8-bit data is
 * used as is; anything else is ×255 when its maximum is ≤ 1, else min-max scaled to 0–255,
 * truncated as numpy's `astype(uint8)` does.
 */
import { ValidationError } from "../errors.ts";

/** Pixels with their layout: `channels` values per pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
export interface PixelData {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
  readonly channels?: 1 | 2 | 3 | 4;
}

/** 8-bit pixels ready to encode. */
export interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
}

function bad(field: string, message: string): never {
  throw new ValidationError(`Invalid image: ${message}`, { field });
}

function isNumericArrayLike(x: unknown): x is ArrayLike<number> {
  return (ArrayBuffer.isView(x) && !(x instanceof DataView)) || (Array.isArray(x) && (x.length === 0 || typeof x[0] === "number"));
}

/** Converts one of the accepted inputs to 8-bit pixels, or throws a {@link ValidationError} that names the problem. */
export function toPixels(src: unknown): Pixels {
  if (Array.isArray(src) && Array.isArray(src[0])) return fromNested(src as unknown[][]);
  if (typeof src !== "object" || src === null || !("data" in src) || !("width" in src) || !("height" in src)) {
    bad(
      "image",
      `expected ImageData, { data, width, height, channels? }, a nested H×W or H×W×C array, a canvas or an ImageBitmap; got ${src === null ? "null" : Array.isArray(src) ? "a flat array (give width and height: { data, width, height })" : typeof src}`,
    );
  }
  const { data, width, height } = src as PixelData;
  let channels = (src as PixelData).channels as number | undefined;
  if (!Number.isInteger(width) || width <= 0) bad("image.width", `width must be a positive integer, got ${String(width)}`);
  if (!Number.isInteger(height) || height <= 0) bad("image.height", `height must be a positive integer, got ${String(height)}`);
  if (!isNumericArrayLike(data)) bad("image.data", "data must be a typed array or an array of numbers");
  const pixels = width * height;
  if (channels === undefined) {
    channels = data.length / pixels;
    if (!Number.isInteger(channels)) {
      bad("image.data", `data has ${data.length} values, not a whole number of values per pixel for ${width}×${height} = ${pixels} pixels`);
    }
  }
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    bad("image.channels", `${channels} channels per pixel; saveImage takes 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA)`);
  }
  if (data.length !== pixels * channels) {
    bad("image.data", `data has ${data.length} values, expected width × height × channels = ${width} × ${height} × ${channels} = ${pixels * channels}`);
  }
  return { data: toUint8(data), width, height, channels };
}

function fromNested(rows: unknown[][]): Pixels {
  const height = rows.length;
  const width = rows[0]?.length ?? 0;
  if (width === 0) bad("image", "the nested array has empty rows");
  const first = rows[0]?.[0];
  const channels = Array.isArray(first) ? first.length : 1;
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    bad("image.channels", `${channels} channels per pixel; saveImage takes 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA)`);
  }
  const flat = new Float64Array(width * height * channels);
  let k = 0;
  for (let y = 0; y < height; y++) {
    const row = rows[y];
    if (!Array.isArray(row) || row.length !== width) bad("image", `row ${y} has ${Array.isArray(row) ? row.length : 0} pixels, expected ${width} (rows must all have the same length)`);
    for (let x = 0; x < width; x++) {
      const p = row[x];
      if (channels === 1) {
        if (typeof p !== "number") bad("image", `pixel [${y}][${x}] is not a number`);
        flat[k++] = p;
      } else {
        if (!Array.isArray(p) || p.length !== channels) bad("image", `pixel [${y}][${x}] must have ${channels} channel values`);
        for (let c = 0; c < channels; c++) flat[k++] = Number(p[c]);
      }
    }
  }
  return { data: scale(flat), width, height, channels };
}

/** 8-bit data as is; anything else by Python's rules. */
function toUint8(data: ArrayLike<number>): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof Uint8ClampedArray) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return scale(data);
}

function scale(data: ArrayLike<number>): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Uint8Array(data.length);
  const unit = max <= 1;
  const range = max - min;
  for (let i = 0; i < data.length; i++) {
    // The same operations in the same order as numpy, so truncation lands on the same integers.
    const x = data[i] as number;
    const v = Math.trunc(unit ? x * 255 : range > 0 ? ((x - min) / range) * 255 : 0);
    out[i] = v > 255 ? 255 : v > 0 ? v : 0;
  }
  return out;
}
