// Encoding off the page's thread: the browser entry encodes big batches on a module worker
// (src/runtime/browser/encoder.ts), the bytes are the ones inline encoding gives, and where the
// worker cannot start (a Content-Security-Policy, a missing file, no Worker) encoding falls back
// to the page with the same bytes.
import { afterEach, describe, expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { EncoderPool, encoderPoolFor, type EncoderReply, type EncoderWorker } from "../../src/backends/local/encoder-pool.ts";
import { encodeBatchBytes, type EncodeJob } from "../../src/backends/local/encode-batch.ts";
import { webEncoderSpawner, webEncoderWorker } from "../../src/runtime/browser/encoder.ts";
import { Experiment, browserRuntime } from "../../src/runtime/browser/entry.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";

/** A metric batch with awkward numbers, two column blocks and a row block. */
function metricJob(n: number): EncodeJob {
  const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const ts = new Float64Array(n);
  const odd = [NaN, Infinity, -Infinity, -0, 1e-7, 1 / 3, 2 ** 53 + 2, 5e-324, 1.7976931348623157e308];
  for (let i = 0; i < n; i++) {
    (cols[0] as Float64Array)[i] = i % 97 === 0 ? (odd[i % odd.length] as number) : Math.exp(-i / n) + Math.sin(i) / 100;
    (cols[1] as Float64Array)[i] = Math.round(1000 * (i / n)) / 1000;
    (cols[2] as Float64Array)[i] = i;
    ts[i] = 1.7e9 + Math.round(i * 13.7) / 1e6;
  }
  return {
    data: {
      kind: "metric",
      blocks: [
        { kind: "cols", keys: ["loss", "acc", "step"], cols, ts, length: n },
        { kind: "rows", rows: [{ loss: 0.5, note: "text with \"quotes\" and ünïcode", _ts: 1.7e9 }], length: 1 },
      ],
    },
    first: 42,
    createdAt: "2026-12-02T10:00:00.123456Z",
  };
}

const logJob = (n: number): EncodeJob => ({
  data: { kind: "log", records: Array.from({ length: n }, (_, i) => ({ timeMs: 1.7e12 + i * 1.5, level: "info" as const, message: `line ${i} ✓`, metadata: i % 3 ? undefined : { i } })) },
  first: 7,
  createdAt: "2026-12-02T10:00:00.000000Z",
});

/** Wraps a spawner to record what crosses to the workers and what comes back. */
function watched(spawn: () => EncoderWorker): { spawn: () => EncoderWorker; transfers: ArrayBuffer[][]; replies: EncoderReply[]; errors: unknown[] } {
  const seen = { transfers: [] as ArrayBuffer[][], replies: [] as EncoderReply[], errors: [] as unknown[] };
  return {
    ...seen,
    spawn() {
      const w = spawn();
      return {
        post(message, transfer) {
          seen.transfers.push(transfer);
          w.post(message, transfer);
        },
        listen(onMessage, onError) {
          w.listen(
            (reply) => {
              seen.replies.push(reply);
              onMessage(reply);
            },
            (err) => {
              seen.errors.push(err);
              onError(err);
            },
          );
        },
        terminate: () => w.terminate(),
      };
    },
  };
}

/** Encoding thousands of points inline, in a page on a loaded 2-core machine, took up to ~45 s. */
const LOADED_MACHINE_MS = 180_000;

const pools: EncoderPool[] = [];
const frames: HTMLIFrameElement[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
  for (const f of frames.splice(0)) f.remove();
});

function pool(spawn: () => EncoderWorker): EncoderPool {
  const p = new EncoderPool(spawn, 1);
  pools.push(p);
  return p;
}

/** A same-origin frame whose document carries `csp`; its `Worker` constructor obeys that policy. */
async function frameWithPolicy(csp: string): Promise<typeof Worker> {
  const f = document.createElement("iframe");
  f.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="${csp}"><p>csp</p>`;
  frames.push(f);
  const loaded = new Promise((r) => f.addEventListener("load", r, { once: true }));
  document.body.append(f);
  await loaded;
  return (f.contentWindow as unknown as { Worker: typeof Worker }).Worker;
}

/** Runs `fn` with `globalThis.Worker` replaced, so the real spawner starts its workers through `ctor`. */
async function withWorkerConstructor<T>(ctor: typeof Worker, fn: () => Promise<T>): Promise<T> {
  const original = globalThis.Worker;
  globalThis.Worker = ctor;
  try {
    return await fn();
  } finally {
    globalThis.Worker = original;
  }
}

describe("encoder worker (browsers)", () => {
  test("the browser entry loads a module-worker spawner on first use", async () => {
    expect(browserRuntime.spawnEncoder).toBeUndefined(); // nothing of it in the page's first load
    expect(typeof (await browserRuntime.loadEncoder!())).toBe("function");
  });

  test("a metric batch is encoded in the worker, its columns transferred, and the bytes are those of inline encoding", async () => {
    const job = metricJob(8000);
    const inline = encodeBatchBytes(job);
    const w = watched(webEncoderSpawner()!);
    const bytes = pool(w.spawn).encode(job, 8001);
    expect(bytes).toBeInstanceOf(Promise); // handed to the worker, not encoded here
    const got = await bytes;
    expect(w.errors).toEqual([]);
    expect(w.replies.filter((r) => "bytes" in r)).toHaveLength(1);
    expect((w.replies[0] as { bytes: Uint8Array }).bytes).toBe(got); // the bytes are the worker's reply
    expect(w.transfers[0]!.length).toBe(4); // three columns and the times, moved, not cloned
    expect(w.transfers[0]!.every((b) => b.byteLength === 0)).toBe(true); // detached here once sent
    expect(got.length).toBe(inline.length);
    expect(got).toEqual(inline);
    expect(parseJsonLines(got).records).toHaveLength(8001);
  }, LOADED_MACHINE_MS);

  test("log batches encode to the same bytes in the worker", async () => {
    const job = logJob(3000);
    const w = watched(webEncoderSpawner()!);
    const got = await pool(w.spawn).encode(job, 3000);
    expect(w.replies.filter((r) => "bytes" in r)).toHaveLength(1);
    expect(got).toEqual(encodeBatchBytes(job));
  }, LOADED_MACHINE_MS);

  test("under a strict Content-Security-Policy (worker-src 'self', no blob:) the worker starts", async () => {
    const StrictWorker = await frameWithPolicy("default-src 'none'; script-src 'self'; worker-src 'self'");
    const job = metricJob(3000);
    const w = watched(webEncoderSpawner()!);
    const got = await withWorkerConstructor(StrictWorker, async () => await pool(w.spawn).encode(job, 3000));
    expect(w.errors).toEqual([]);
    expect(w.replies.filter((r) => "bytes" in r)).toHaveLength(1);
    // The frame's Worker delivers replies in the frame's realm: compare the bytes, not the prototypes.
    expect(new Uint8Array(got)).toEqual(encodeBatchBytes(job));
  }, LOADED_MACHINE_MS);

  test("a policy that forbids workers: the batch is encoded inline, same bytes", async () => {
    const NoWorkers = await frameWithPolicy("default-src 'none'; script-src 'self'; worker-src 'none'");
    const job = metricJob(3000);
    const w = watched(webEncoderSpawner()!);
    const p = pool(w.spawn);
    const got = await withWorkerConstructor(NoWorkers, async () => await p.encode(job, 3000));
    expect(w.replies.filter((r) => "bytes" in r)).toHaveLength(0);
    expect(p.offloaded).toBe(0);
    expect(got).toEqual(encodeBatchBytes(metricJob(3000)));
    // Broken for good: later batches do not try again.
    expect(p.encode(metricJob(3000), 3000)).toBeInstanceOf(Uint8Array);
  }, LOADED_MACHINE_MS);

  test("a worker file that does not load, or a Worker constructor that throws: inline, same bytes", async () => {
    const missing = pool(() => webEncoderWorker(() => new Worker(new URL("./no-such-encoder-worker.js", import.meta.url), { type: "module" })));
    const job = metricJob(2500);
    expect(await missing.encode(job, 2500)).toEqual(encodeBatchBytes(metricJob(2500)));
    expect(missing.offloaded).toBe(0);

    const throwing = pool(() =>
      webEncoderWorker(() => {
        throw new DOMException("workers are not allowed here", "SecurityError");
      }),
    );
    const sync = throwing.encode(metricJob(2500), 2500);
    expect(sync).toBeInstanceOf(Uint8Array); // encoded on this thread, at once
    expect(sync).toEqual(encodeBatchBytes(metricJob(2500)));
  }, LOADED_MACHINE_MS);

  test("an Experiment of the browser entry encodes its batches on the worker, and every point arrives", async () => {
    const storage = memoryAdapter();
    const n = 30_000;
    const exp = new Experiment("alice/web/encoded", { storage, echo: false });
    await exp.run(async (e) => {
      const m = e.metrics("train");
      for (let step = 0; step < n; step++) m.log({ loss: 1 / (step + 1), step });
      await e.flush();
    });
    const shared = encoderPoolFor(browserRuntime, (await browserRuntime.loadEncoder!())!)!;
    expect(shared.offloaded).toBeGreaterThan(0);
    const records = parseJsonLines((await storage.read("alice/web/encoded/metrics/train/data.jsonl"))!).records as { index: number; data: { step: number } }[];
    expect(records).toHaveLength(n);
    expect(records.every((r, i) => r.index === i && r.data.step === i)).toBe(true);
  }, LOADED_MACHINE_MS);
});
