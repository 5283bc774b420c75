/**
 * Files benchmark (node-fs, the `ml-dash` Node entry): many small files, then one large stream.
 *
 * - small: N files of 1 KiB saved one after another (each save awaited: the slowest pattern),
 *   and the same saved 32 at a time; files/s at two sizes so growth with the run is visible
 *   (median of 3 runs: this machine is shared and noisy).
 * - stream: one 256 MiB `ReadableStream` (1 MiB chunks) saved to a file; MB/s and the peak RSS
 *   growth while it runs (sampled every 5 ms).
 *
 * Run: `npm run bench` (bench/run.mjs), or on its own:
 *   npx esbuild bench/files.bench.ts --bundle --platform=node --format=esm --outfile=.bench-out/files.mjs && node .bench-out/files.mjs
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeFsAdapter } from "../adapters/node-fs/index.ts";
import { Experiment } from "../src/entries/node.ts";

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

/** Saves `n` files of 1 KiB, `parallel` at a time; returns files per second. */
export async function smallFiles(n: number, parallel = 1): Promise<number> {
  const body = new Uint8Array(1024).map((_, i) => i & 255);
  return withRun(`small-${n}-${parallel}`, async (exp) => {
    const f = exp.files("small");
    const t0 = performance.now();
    for (let i = 0; i < n; i += parallel) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(n, i + parallel); j++) batch.push(f.saveBlob(body, { to: `f${j}.bin` }));
      await Promise.all(batch);
    }
    const s = (performance.now() - t0) / 1000;
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
    out.push({ name: `files: ${n} × 1 KiB, 32 at a time`, value: await median(() => smallFiles(n, 32)), unit: "files/s" });
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
  for (const f of await filesBench()) console.log(`${f.name.padEnd(48)} ${f.value.toFixed(f.unit === "MiB" ? 1 : 0).padStart(8)} ${f.unit}`);
}
