/**
 * Files benchmark (node-fs, the `ml-dash` Node entry): many small files, then one large stream.
 *
 * - small: N files of 1 KiB saved one after another (each save awaited: the slowest pattern),
 *   and the same saved 32 at a time; files/s at two sizes so growth with the run is visible
 *   (median of 3 runs: this machine is shared and noisy).
 * - stream: one 256 MiB `ReadableStream` (1 MiB chunks) saved to a file; MB/s and the peak RSS
 *   growth while it runs (sampled every 5 ms).
 * - png: encode time and size of RGB images (a smooth "photo" with noise, and a line chart) at
 *   64², 256² and 1024², adaptive row filters vs a fixed Up filter.
 *
 * Run: `npm run bench` (bench/run.mjs), or on its own:
 *   npx esbuild bench/files.bench.ts --bundle --platform=node --format=esm --outfile=.bench-out/files.mjs && node .bench-out/files.mjs
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeFsAdapter } from "../adapters/node-fs/index.ts";
import { Experiment } from "../src/runtime/node/entry.ts";
import { encodePng, type PngFilter } from "../src/files/png.ts";

/** One figure: a name, a value and its unit. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

async function withRun<T>(tag: string, fn: (exp: Experiment) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), `mldash-bench-${tag}-`));
  const storage = nodeFsAdapter({ root });
  try {
    const exp = new Experiment(`bench/files/${tag}`, { storage, echo: false });
    return await exp.run(fn);
  } finally {
    await storage.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** CPU time of this process (main thread and libuv pool), in µs, per save of the last `smallFiles` run. */
export let lastCpuMicrosPerFile = 0;

/** Saves `n` files of 1 KiB, `parallel` at a time; returns files per second. */
export async function smallFiles(n: number, parallel = 1): Promise<number> {
  const body = new Uint8Array(1024).map((_, i) => i & 255);
  return withRun(`small-${n}-${parallel}`, async (exp) => {
    const f = exp.files("small");
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i += parallel) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(n, i + parallel); j++) batch.push(f.saveBlob(body, { to: `f${j}.bin` }));
      await Promise.all(batch);
    }
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    lastCpuMicrosPerFile = (cpu.user + cpu.system) / n;
    if ((await f.list()).length !== n) throw new Error("bench: files missing");
    return n / s;
  });
}

/** Saves one stream of `mib` MiB; returns MB/s and the peak RSS growth in MiB. */
export async function bigStream(mib: number): Promise<{ mbPerS: number; peakRssGrowthMiB: number }> {
  const chunk = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 255);
  return withRun(`stream-${mib}`, async (exp) => {
    let sent = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < mib) c.enqueue(chunk.slice());
        else c.close();
      },
    });
    const base = process.memoryUsage.rss();
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 5);
    const t0 = performance.now();
    const info = await exp.files("big").save(source, { to: "stream.bin" });
    const s = (performance.now() - t0) / 1000;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    if (info.sizeBytes !== mib * 1024 * 1024) throw new Error("bench: short stream");
    return { mbPerS: info.sizeBytes / 1e6 / s, peakRssGrowthMiB: (peak - base) / 1024 / 1024 };
  });
}

/**
 * Synthetic test images: "photo" is multi-octave value noise per channel (smooth structure at
 * several scales, like a natural image) plus independent sensor noise; "chart" is a line plot
 * on white with grid lines (few colours, long runs).
 */
function testImage(w: number, h: number, kind: "photo" | "chart"): Uint8Array {
  const a = new Uint8Array(w * h * 3);
  let seed = 1;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  if (kind === "chart") {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const on = Math.abs(y - h / 2 - (Math.sin(x / 30) * h) / 4) < 2;
        const grid = x % 64 === 0 || y % 64 === 0;
        const v = on ? 30 : grid ? 220 : 255;
        a.set([v, on ? 90 : v, on ? 200 : v], (y * w + x) * 3);
      }
    }
    return a;
  }
  const octaves = [8, 32, 128].map((cell) => {
    const gw = Math.ceil(w / cell) + 2;
    const gh = Math.ceil(h / cell) + 2;
    return { cell, gw, grid: Float64Array.from({ length: gw * gh * 3 }, rand) };
  });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const [k, o] of octaves.entries()) {
          const fx = x / o.cell;
          const fy = y / o.cell;
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const tx = fx - x0;
          const ty = fy - y0;
          const g = (gx: number, gy: number): number => o.grid[(gy * o.gw + gx) * 3 + c] as number;
          const top = g(x0, y0) * (1 - tx) + g(x0 + 1, y0) * tx;
          const bottom = g(x0, y0 + 1) * (1 - tx) + g(x0 + 1, y0 + 1) * tx;
          v += (top * (1 - ty) + bottom * ty) * (k + 1);
        }
        a[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round((v / 6) * 255 + (rand() - 0.5) * 6)));
      }
    }
  }
  return a;
}

/** PNG encode time (ms, median of 5) and size (bytes) for one image and filter choice. */
export async function pngFigure(w: number, kind: "photo" | "chart", filter: PngFilter): Promise<{ ms: number; bytes: number }> {
  const px = testImage(w, w, kind);
  let bytes = 0;
  const times: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    bytes = (await encodePng(px, w, w, 3, filter)).length;
    if (r > 0) times.push(performance.now() - t0);
  }
  return { ms: times.sort((a, b) => a - b)[2] as number, bytes };
}

/** Runs the whole benchmark and returns its figures. */
export async function filesBench(): Promise<Figure[]> {
  const out: Figure[] = [];
  await smallFiles(1000); // warm-up (JIT, libuv threadpool, page cache)
  const median = async (f: () => Promise<number>): Promise<number> => {
    const xs = [await f(), await f(), await f()].sort((a, b) => a - b);
    return xs[1] as number;
  };
  for (const n of [1000, 5000]) {
    out.push({ name: `files: ${n} × 1 KiB, awaited one by one`, value: await median(() => smallFiles(n)), unit: "files/s" });
    out.push({ name: `files: ${n} × 1 KiB, awaited one by one: CPU per file`, value: lastCpuMicrosPerFile, unit: "µs" });
    out.push({ name: `files: ${n} × 1 KiB, 32 at a time`, value: await median(() => smallFiles(n, 32)), unit: "files/s" });
  }
  for (const w of [64, 256, 1024]) {
    for (const kind of ["photo", "chart"] as const) {
      for (const filter of ["adaptive", 2] as const) {
        const r = await pngFigure(w, kind, filter);
        const tag = `png ${w}x${w} RGB ${kind}, ${filter === "adaptive" ? "adaptive filters" : "Up filter"}`;
        out.push({ name: `${tag}: encode`, value: r.ms, unit: "ms" });
        out.push({ name: `${tag}: size`, value: r.bytes / 1024, unit: "KiB" });
      }
    }
  }
  for (const mib of [64, 256]) {
    const r = await bigStream(mib);
    out.push({ name: `files: one ${mib} MiB stream`, value: r.mbPerS, unit: "MB/s" });
    out.push({ name: `files: one ${mib} MiB stream, peak RSS growth`, value: r.peakRssGrowthMiB, unit: "MiB" });
  }
  return out;
}

const isMain = typeof process !== "undefined" && process.argv[1] !== undefined && /files(\.bench)?\.(ts|mjs|js)$/.test(process.argv[1]);
if (isMain) {
  for (const f of await filesBench()) console.log(`${f.name.padEnd(60)} ${f.value.toFixed(f.value < 100 ? 1 : 0).padStart(8)} ${f.unit}`);
}
