/**
 * Files in a real browser (Chromium): PNGs decoded by the browser's own decoder match the input
 * exactly; JPEG goes through OffscreenCanvas with transparency on white; canvas, OffscreenCanvas
 * and ImageBitmap sources; a streamed save's SHA-256 (portable hash) equals crypto.subtle's.
 */
import { expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { Experiment } from "../../src/index.ts";

async function decode(bytes: Uint8Array, type: string): Promise<Uint8ClampedArray> {
  const bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const c = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = c.getContext("2d") as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(bmp, 0, 0);
  return ctx.getImageData(0, 0, bmp.width, bmp.height).data;
}

test("saveImage in the browser: exact PNG, JPEG on white, canvas and bitmap sources, streamed checksum", async () => {
  const exp = await new Experiment("b/r/files", { storage: memoryAdapter(), echo: false }).run.start();
  const [w, h] = [16, 9];
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([(i * 7) & 255, (i * 13) & 255, (i * 3) & 255, 255], i * 4);
  await exp.files.saveImage({ data: rgba, width: w, height: h }, { to: "a.png" });
  expect(Array.from(await decode(await exp.files.read("a.png"), "image/png"))).toEqual(Array.from(rgba));
  const gray = Uint8Array.from({ length: w * h }, (_, i) => i);
  await exp.files.saveImage({ data: gray, width: w, height: h, channels: 1 }, { to: "g.png" });
  const g = await decode(await exp.files.read("g.png"), "image/png");
  expect(Array.from(gray, (_, i) => [g[i * 4], g[i * 4 + 3]])).toEqual(Array.from(gray, (v) => [v, 255]));

  const jpg = await exp.files.saveImage({ data: new Uint8ClampedArray(w * h * 4), width: w, height: h }, { to: "t.jpg", quality: 90 });
  expect(jpg.contentType).toBe("image/jpeg");
  const t = await decode(await exp.files.read("t.jpg"), "image/jpeg");
  expect(Math.min(t[0] as number, t[1] as number, t[2] as number)).toBeGreaterThan(245);

  const canvas = new OffscreenCanvas(20, 10);
  const ctx = canvas.getContext("2d") as OffscreenCanvasRenderingContext2D;
  ctx.fillStyle = "rgb(10, 200, 30)";
  ctx.fillRect(0, 0, 20, 10);
  await exp.files.saveImage(canvas, { to: "canvas.png" });
  expect(Array.from((await decode(await exp.files.read("canvas.png"), "image/png")).subarray(0, 4))).toEqual([10, 200, 30, 255]);
  await exp.files.saveImage(await createImageBitmap(canvas), { to: "bitmap.png" });
  expect(Array.from((await decode(await exp.files.read("bitmap.png"), "image/png")).subarray(0, 3))).toEqual([10, 200, 30]);
  await exp.files.saveImage(new OffscreenCanvas(4, 4), { to: "empty.jpg", quality: 80 }); // transparent → white
  expect((await decode(await exp.files.read("empty.jpg"), "image/jpeg"))[0]).toBeGreaterThan(245);
  if (typeof document !== "undefined") {
    const el = document.createElement("canvas");
    el.width = 3;
    el.height = 2;
    (el.getContext("2d") as CanvasRenderingContext2D).fillRect(0, 0, 3, 2);
    await exp.files.saveImage(el, { to: "element.png" });
    expect(Array.from((await decode(await exp.files.read("element.png"), "image/png")).subarray(0, 4))).toEqual([0, 0, 0, 255]);
  }

  const chunks = [crypto.getRandomValues(new Uint8Array(50_000)), crypto.getRandomValues(new Uint8Array(7))];
  let k = 0;
  const s = await exp.files.save(new ReadableStream<Uint8Array>({ pull: (c) => (k < 2 ? c.enqueue(chunks[k++] as Uint8Array) : c.close()) }), { to: "s.bin" });
  const all = new Uint8Array([...(chunks[0] as Uint8Array), ...(chunks[1] as Uint8Array)]);
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  expect(s.checksum).toBe(Array.from(d, (b) => b.toString(16).padStart(2, "0")).join(""));
  expect((await exp.files.list("*.png")).map((f) => f.filename)).toEqual(["a.png", "g.png", "canvas.png", "bitmap.png", ...(typeof document !== "undefined" ? ["element.png"] : [])]);
  await exp.run.complete();
});
