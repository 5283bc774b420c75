/**
 * `saveImage` encoding: PNG everywhere (our encoder over `CompressionStream`); JPEG through
 * `OffscreenCanvas.convertToBlob` where the runtime has it (browsers, workers) and through the
 * pure-JS jpeg-js encoder elsewhere (Node, Bun, Deno), loaded only when a JPEG is asked for.
 * JPEG has no alpha: like ML-Dash Python, transparent pixels are composited onto white.
 */
import { ValidationError } from "../errors.ts";
import { toPixels, type PixelData, type Pixels } from "./image-input.ts";
import { encodePng } from "./png.ts";

/** A browser image source: canvas, OffscreenCanvas or ImageBitmap. */
export type CanvasSource = { readonly width: number; readonly height: number } & object;

/**
 * What `saveImage` accepts. A DOM `ImageData` is a {@link PixelData} (`data`, `width`, `height`);
 * it is not named here, so the types need no DOM lib (a Node program typechecks without it).
 */
export type ImageSource = PixelData | CanvasSource | readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];

/** The image formats `saveImage` writes, by extension. */
export function imageFormatOf(filename: string): "png" | "jpeg" {
  const ext = filename.slice(filename.lastIndexOf(".") + 1).toLowerCase();
  if (ext === "png") return "png";
  if (ext === "jpg" || ext === "jpeg") return "jpeg";
  throw new ValidationError(`Invalid image file name ${JSON.stringify(filename)}: saveImage writes .png or .jpg/.jpeg files`, { field: "to" });
}

function checkQuality(q: unknown): number {
  if (q === undefined) return 95;
  if (typeof q !== "number" || !Number.isInteger(q) || q < 1 || q > 100) {
    throw new ValidationError(`Invalid JPEG quality ${String(q)}: use an integer from 1 to 100`, { field: "quality" });
  }
  return q;
}

function isCanvasSource(x: unknown): x is CanvasSource {
  const g = globalThis as Record<string, unknown>;
  for (const name of ["OffscreenCanvas", "HTMLCanvasElement", "ImageBitmap"]) {
    const C = g[name] as (abstract new (...a: never[]) => unknown) | undefined;
    if (typeof C === "function" && x instanceof C) return true;
  }
  return false;
}

/**
 * Encodes an image for a file name ending in .png, .jpg or .jpeg.
 *
 * @example const { bytes } = await encodeImage({ data: rgb, width: 64, height: 48, channels: 3 }, "frame.png");
 */
export async function encodeImage(src: unknown, filename: string, quality?: number): Promise<{ bytes: Uint8Array }> {
  const format = imageFormatOf(filename);
  const q = checkQuality(quality);
  if (isCanvasSource(src)) return { bytes: await encodeCanvas(src, format, q) };
  const px = toPixels(src);
  if (format === "png") return { bytes: await encodePng(px.data, px.width, px.height, px.channels) };
  const rgba = flattenOnWhite(px);
  const canvas = canvas2d(px.width, px.height);
  if (canvas) {
    canvas.ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer), px.width, px.height), 0, 0);
    return { bytes: await blobBytes(await canvas.canvas.convertToBlob({ type: "image/jpeg", quality: q / 100 })) };
  }
  return { bytes: await encodeJpegJs(rgba, px.width, px.height, q) };
}

/**
 * An OffscreenCanvas with a 2D context, or `undefined` where there is none: Deno has an
 * `OffscreenCanvas` class whose `getContext("2d")` returns null, so the class alone says nothing.
 */
function canvas2d(width: number, height: number): { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | undefined {
  if (typeof OffscreenCanvas !== "function" || typeof ImageData !== "function") return undefined;
  try {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d");
    return ctx && typeof canvas.convertToBlob === "function" ? { canvas, ctx } : undefined;
  } catch {
    return undefined;
  }
}

/** RGBA with every pixel opaque: gray expanded, alpha composited onto white (Python's JPEG rule). */
export function flattenOnWhite(px: Pixels): Uint8Array {
  const n = px.width * px.height;
  const out = new Uint8Array(n * 4);
  const d = px.data;
  const c = px.channels;
  for (let i = 0; i < n; i++) {
    let r: number, g: number, b: number, a: number;
    if (c === 1 || c === 2) {
      r = g = b = d[i * c] as number;
      a = c === 2 ? (d[i * 2 + 1] as number) : 255;
    } else {
      r = d[i * c] as number;
      g = d[i * c + 1] as number;
      b = d[i * c + 2] as number;
      a = c === 4 ? (d[i * 4 + 3] as number) : 255;
    }
    if (a !== 255) {
      // Pillow's paste with a mask: out = src·a + 255·(255 − a), over 255, rounded.
      const w = 255 * (255 - a);
      r = Math.round((r * a + w) / 255);
      g = Math.round((g * a + w) / 255);
      b = Math.round((b * a + w) / 255);
    }
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return out;
}

async function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

async function encodeCanvas(src: CanvasSource, format: "png" | "jpeg", quality: number): Promise<Uint8Array> {
  const type = format === "png" ? "image/png" : "image/jpeg";
  const { width, height } = src;
  const made = canvas2d(width, height);
  if (!made) throw new ValidationError("Invalid image: a canvas or ImageBitmap needs OffscreenCanvas with a 2D context, which this runtime lacks; pass pixels as { data, width, height, channels }", { field: "image" });
  const { canvas, ctx } = made;
  if (format === "jpeg") {
    ctx.fillStyle = "#ffffff"; // JPEG has no alpha: composite onto white, as Python does
    ctx.fillRect(0, 0, width, height);
  }
  ctx.drawImage(src as CanvasImageSource, 0, 0);
  return blobBytes(await canvas.convertToBlob(format === "png" ? { type } : { type, quality: quality / 100 }));
}

async function encodeJpegJs(rgba: Uint8Array, width: number, height: number, quality: number): Promise<Uint8Array> {
  let encode: (img: { data: Uint8Array; width: number; height: number }, q: number) => { data: Uint8Array };
  try {
    // The encoder alone: the package's index also pulls in its decoder (5 kB gzip we never use).
    // jpeg-js types its index only; lib/encoder.js is CommonJS `module.exports = encode`. tsc has no
    // declaration for the file, Deno's checker gives it one: ts-ignore, because ts-expect-error fails
    // wherever the error is absent.
    // @ts-ignore
    const mod = (await import("jpeg-js/lib/encoder.js")) as { default: typeof encode } | typeof encode;
    encode = typeof mod === "function" ? mod : mod.default;
    const out = encode({ data: rgba, width, height }, quality).data;
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw new ValidationError(
      `Cannot write a JPEG here: this runtime has no OffscreenCanvas and the jpeg-js encoder failed (${err instanceof Error ? err.message : String(err)}); save the image as .png instead`,
      { field: "to", cause: err },
    );
  }
}

export type { PixelData };
