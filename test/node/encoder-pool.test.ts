/**
 * The encoder pool: batches encoded on a worker are byte-identical to inline encoding; a worker
 * that dies or cannot start never loses or delays a batch (it is encoded inline instead).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { newColumnBlock, type MetricBlock } from "../../src/model/metric-block.ts";
import { encodeBatchBytes, type EncodeJob } from "../../src/backends/local/encode-batch.ts";
import { EncoderPool, handleEncoderRequest, OFFLOAD_MIN_RECORDS, type EncoderRequest, type EncoderWorker } from "../../src/backends/local/encoder-pool.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";
import { spareBuffers } from "../../src/internal/spare-buffers.ts";
import { LocalBackend } from "../../src/backends/local/local-backend.ts";
import { parsePrefix } from "../../src/model/prefix.ts";
import { streamId, type Batch } from "../../src/model/batch.ts";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { DEFAULT_MAX_QUEUE_BYTES } from "../../src/model/defaults.ts";
import { newStats } from "../../src/model/stats.ts";
import { underPressure } from "../../src/replicate/assemble.ts";
import { ensureBuilt, BUILD_TIMEOUT_MS } from "../support/built.ts";
import { REPO, start } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** A worker on a real MessageChannel: messages are structured-cloned and buffers transferred. */
/** What a worker got in one request (before it transferred the buffers back). */
interface Received {
  /** Bytes of the spare output array, when the request carried one. */
  out: number | undefined;
  /** Rows of the first column block, and bytes of the buffer under its times. */
  rows: number;
  tsBuffer: number;
}

function channelWorker(opts: { die?: boolean; seen?: Received[] } = {}): EncoderWorker & { handled: number } {
  const { port1, port2 } = new MessageChannel();
  const state = { handled: 0 };
  port2.onmessage = (e: MessageEvent<EncoderRequest>) => {
    state.handled++;
    const block = e.data.job.data.kind === "metric" ? e.data.job.data.blocks[0] : undefined;
    const cols = block?.kind === "cols" ? block : undefined;
    opts.seen?.push({ out: e.data.out?.byteLength, rows: cols?.length ?? 0, tsBuffer: cols?.ts.buffer.byteLength ?? 0 });
    const { reply, transfer } = handleEncoderRequest(e.data);
    port2.postMessage(reply, transfer);
  };
  let onError: (e: unknown) => void = () => undefined;
  return {
    get handled() {
      return state.handled;
    },
    post(message, transfer) {
      if (opts.die) queueMicrotask(() => onError(new Error("worker crashed")));
      else port1.postMessage(message, transfer);
    },
    listen(onMessage, err) {
      onError = err;
      port1.onmessage = (e: MessageEvent) => onMessage(e.data);
    },
    terminate() {
      port1.close();
      port2.close();
    },
  };
}

function metricJob(n: number): EncodeJob {
  const cols = newColumnBlock(["loss", "step"], n);
  for (let i = 0; i < n; i++) {
    (cols.cols[0] as Float64Array)[i] = i % 97 === 0 ? NaN : 1 / (i + 1);
    (cols.cols[1] as Float64Array)[i] = i;
    cols.ts[i] = 1795677564.4799397 + i * 1e-6;
  }
  cols.length = n;
  const rows: MetricBlock = { kind: "rows", rows: [{ note: "é", arr: [1, Infinity], _ts: 1 }], length: 1 };
  return { data: { kind: "metric", blocks: [cols, rows] }, first: 42, createdAt: "2026-11-26T07:19:24.485368Z" };
}

/** A pool of `threads` channel workers (one by default), and how many jobs those workers have encoded. */
function countingPool(threads = 1): { pool: EncoderPool; workers: ReturnType<typeof channelWorker>[]; handled: () => number } {
  const workers: ReturnType<typeof channelWorker>[] = [];
  const pool = new EncoderPool(() => {
    const w = channelWorker();
    workers.push(w);
    return w;
  }, threads);
  return { pool, workers, handled: () => workers.reduce((n, w) => n + w.handled, 0) };
}

/** A sealed batch of {@link metricJob}(3000)'s 3,001 records of `stream`, numbered from `first`. */
function metricBatch(stream: Batch["stream"], first: number): Batch {
  return { stream, first, count: 3001, data: metricJob(3000).data, sealedMs: 0, bytes: 3001 * 24, info: undefined };
}

describe("encoder pool", () => {
  test("a worker's bytes equal inline encoding, and the caller's columns are left intact", async () => {
    const { pool, workers, handled } = countingPool(2);
    const jobs = [metricJob(OFFLOAD_MIN_RECORDS + 5), metricJob(5000), metricJob(3000)];
    const expected = jobs.map((j) => encodeBatchBytes(j));
    const got = await Promise.all(jobs.map((j) => pool.encode(j, OFFLOAD_MIN_RECORDS + 1)));
    for (let i = 0; i < jobs.length; i++) expect(Buffer.from(got[i]!).equals(Buffer.from(expected[i]!))).toBe(true);
    expect(workers.length).toBe(2);
    expect(handled()).toBe(3);
    // Still readable by the caller after posting (columns were copied, not detached).
    expect(Buffer.from(encodeBatchBytes(jobs[0]!)).equals(Buffer.from(expected[0]!))).toBe(true);
    pool.close();
  });

  test("warm() starts every worker once with a sample batch that never keeps the process alive", async () => {
    const workers: ReturnType<typeof channelWorker>[] = [];
    const busy: boolean[] = [];
    const pool = new EncoderPool(() => {
      const w = channelWorker();
      workers.push(w);
      return Object.assign(w, { setBusy: (b: boolean) => void busy.push(b) });
    }, 2);
    const warming = pool.warm();
    expect(pool.warm()).toBe(warming); // once per pool
    expect(workers.length).toBe(2);
    await warming; // resolves once each worker has encoded its sample
    expect(workers.map((w) => w.handled)).toEqual([1, 1]);
    expect(busy).toEqual([]); // never ref'd for the warm-up
    // Real batches then go to the warm workers, and their replies are not confused with the samples'.
    const job = metricJob(OFFLOAD_MIN_RECORDS + 5);
    const out = await pool.encode(job, OFFLOAD_MIN_RECORDS + 5);
    expect(Buffer.from(out).equals(Buffer.from(encodeBatchBytes(job)))).toBe(true);
    expect(workers.length).toBe(2);
    expect(busy).toEqual([true, false]);
    pool.close();
  });

  test("warm() on a runtime that cannot start workers leaves encoding inline", async () => {
    const pool = new EncoderPool(() => {
      throw new Error("no workers here");
    }, 2);
    await pool.warm(); // resolves at once: there is nothing to wait for
    expect(pool.encode(metricJob(4000), 4000)).toBeInstanceOf(Uint8Array);
  });

  test("a worker dying during its warm-up: warm() still resolves and batches are encoded inline", async () => {
    const pool = new EncoderPool(() => channelWorker({ die: true }), 2);
    await pool.warm();
    const job = metricJob(4000);
    expect(Buffer.from(await pool.encode(job, 4000)).equals(Buffer.from(encodeBatchBytes(job)))).toBe(true);
  });

  test("a run opens even when its encoder threads never answer: open() waits for them only a moment", async () => {
    // "A moment" is measured on the timer clock, not the wall clock (which a loaded machine
    // stretches): with fake timers, open() has resolved once less than 1 s of timer time passed.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const silent: EncoderWorker = { post: () => undefined, listen: () => undefined, terminate: () => undefined };
      const backend = new LocalBackend(memoryAdapter(), "a/b/c", undefined, new EncoderPool(() => silent, 2));
      let state: Awaited<ReturnType<LocalBackend["open"]>> | undefined;
      const opening = backend.open({ prefix: parsePrefix("a/b/c"), description: undefined, tags: undefined, bindrs: undefined, metadata: undefined }).then((s) => (state = s));
      await vi.advanceTimersByTimeAsync(999);
      expect(state?.paramsVersion).toBe(0);
      await opening;
    } finally {
      vi.useRealTimers();
    }
  });

  test("prepare() encodes sealed batches ahead and write() uses those bytes, unless the batch was renumbered", async () => {
    const { pool, workers, handled } = countingPool();
    const storage = memoryAdapter();
    const stream = streamId("metric", "train");
    const batch = (first: number): Batch => metricBatch(stream, first);
    const backend = new LocalBackend(storage, "p/q/r", undefined, pool);
    expect(await backend.cursor(stream)).toBe(0);
    const b1 = batch(0);
    backend.prepare(stream, [b1]);
    expect(workers.length).toBe(1); // posted at once, not at write time
    await backend.write(stream, [b1]);
    expect(handled()).toBe(1); // write() took the prepared bytes: nothing encoded twice
    // Another writer of the same folder advances the stream: the prepared numbering is stale.
    const b2 = batch(3001);
    backend.prepare(stream, [b2]);
    await new LocalBackend(storage, "p/q/r").write(stream, [batch(3001)]);
    await backend.write(stream, [b2]);
    expect(b2.first).toBe(6002);
    expect(handled()).toBe(3); // b2 re-encoded with its new numbers
    const { records } = parseJsonLines<{ index: number }>((await storage.read("p/q/r/metrics/train/data.jsonl"))!);
    expect(records.map((r) => r.index)).toEqual(Array.from({ length: 9003 }, (_, i) => i));
    pool.close();
  });

  test("an asynchronous store shared with other writers: batches are encoded ahead, and those ready go in one append", async () => {
    const { pool, workers, handled } = countingPool();
    const inner = memoryAdapter();
    const appends: number[] = [];
    // IndexedDB and OPFS as the backend sees them: no appendSync, other writers possible.
    const { appendSync: _noSyncAppend, ...rest } = inner;
    const storage = {
      ...rest,
      capabilities: { ...inner.capabilities, sharedWriters: true },
      append: async (key: string, data: Uint8Array) => {
        if (key.endsWith("data.jsonl")) appends.push(data.length);
        return inner.append(key, data);
      },
    };
    const stream = streamId("metric", "train");
    const backend = new LocalBackend(storage, "p/q/s", undefined, pool);
    expect(await backend.cursor(stream)).toBe(0);
    const batches = [0, 1, 2, 3].map((k) => metricBatch(stream, k * 3001));
    backend.prepare(stream, batches);
    expect(workers.length).toBe(1); // encoding starts when they are sealed, not when the cycle writes
    await vi.waitFor(() => expect(pool.offloaded).toBe(4), { timeout: 30_000 }); // every reply is back
    await new Promise((r) => setTimeout(r, 0)); // one turn of the event loop: their promises have settled
    await backend.write(stream, batches);
    expect(handled()).toBe(4); // nothing encoded twice
    expect(appends).toHaveLength(1); // four batches, one append
    const expected = Buffer.concat(batches.map((b) => Buffer.from(encodeBatchBytes({ ...metricJob(3000), first: b.first }))));
    const stored = Buffer.from((await inner.read("p/q/s/metrics/train/data.jsonl"))!);
    // The same lines as four separate appends (createdAt differs: it is the time of the write).
    const strip = (b: Buffer): string => b.toString("utf8").replace(/"createdAt": "[^"]*"/g, "");
    expect(stored.length).toBe(appends[0]);
    expect(strip(stored)).toBe(strip(expected));
    pool.close();
  });

  test("bytes given back after a synchronous append are encoded into again, and the worker sends its column copies back", async () => {
    spareBuffers.clear(); // this thread's spares: other tests' buffers must not fit first
    const seen: Received[] = [];
    const pool = new EncoderPool(() => channelWorker({ seen }), 1);
    const [first, second] = [metricJob(5000), metricJob(3000)]; // made first: new blocks take spares too
    const a = await pool.encode(first, 5001);
    expect(seen[0]?.out).toBeUndefined(); // nothing given back yet: an exact-size array of its own
    expect(a.byteLength).toBe(a.buffer.byteLength);
    expect(Buffer.from(a).equals(Buffer.from(encodeBatchBytes(first)))).toBe(true);
    const aSize = a.buffer.byteLength;
    pool.recycle(a);
    // From now on the bytes are views of reusable arrays: the next batches are encoded into
    // the array given back (it is big enough), or a new one of the expected size.
    const b = await pool.encode(second, 3001);
    expect(seen[1]?.out).toBe(aSize);
    expect(b.buffer.byteLength).toBe(aSize);
    expect(Buffer.from(b).equals(Buffer.from(encodeBatchBytes(second)))).toBe(true);
    // The 5,000-row column copies came back: the 3,000-row batch was copied into them.
    expect(seen[1]).toMatchObject({ rows: 3000, tsBuffer: 5000 * 8 });
    // Encoding inline takes a spare too, and gives the same bytes.
    pool.recycle(b);
    const here = pool.encodeHere(second);
    expect(here.buffer.byteLength).toBe(aSize);
    expect(Buffer.from(here).equals(Buffer.from(encodeBatchBytes(second)))).toBe(true);
    pool.close();
  });

  test("a synchronous store's run through recycled arrays: every byte stored and counted, identical to inline encoding", async () => {
    const { pool, handled } = countingPool();
    const storage = memoryAdapter();
    const stats = { bytes: 0 };
    const stream = streamId("metric", "train");
    const backend = new LocalBackend(storage, "p/q/t", stats, pool);
    expect(await backend.cursor(stream)).toBe(0);
    const expected: Buffer[] = [];
    let first = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      const batches = [0, 1, 2, 3, 4, 5].map(() => {
        const b = metricBatch(stream, first);
        first += b.count;
        return b;
      });
      backend.prepare(stream, batches);
      await backend.write(stream, batches);
      for (const b of batches) expected.push(Buffer.from(encodeBatchBytes({ ...metricJob(3000), first: b.first })));
    }
    expect(handled()).toBe(18); // every batch on the worker (the arrays went back and forth)
    const stored = Buffer.from((await storage.read("p/q/t/metrics/train/data.jsonl"))!);
    const strip = (b: Buffer): string => b.toString("utf8").replace(/"createdAt": "[^"]*"/g, "");
    expect(strip(stored)).toBe(strip(Buffer.concat(expected)));
    // Counted before the arrays were reused (a reused array is detached when posted again).
    expect(stats.bytes).toBe(stored.length);
    pool.close();
  });

  test("small batches stay inline", () => {
    let spawned = 0;
    const pool = new EncoderPool(() => {
      spawned++;
      return channelWorker();
    }, 2);
    const job = metricJob(10);
    const r = pool.encode(job, 10);
    expect(r).toBeInstanceOf(Uint8Array);
    expect(spawned).toBe(0);
  });

  test("a dying worker or one that cannot start: every batch is still encoded, inline", async () => {
    const dying = new EncoderPool(() => channelWorker({ die: true }), 1);
    const job = metricJob(4000);
    const inline = Buffer.from(encodeBatchBytes(job));
    const out = await dying.encode(job, 4000);
    expect(inline.equals(Buffer.from(out))).toBe(true);
    expect(dying.encode(job, 4000)).toBeInstanceOf(Uint8Array); // no more offloading
    const failing = new EncoderPool(() => {
      throw new Error("no workers here");
    }, 2);
    const direct = failing.encode(job, 4000);
    expect(direct).toBeInstanceOf(Uint8Array);
    expect(inline.equals(Buffer.from(direct as Uint8Array))).toBe(true);
  });

  test("under pressure, a batch that would wait for a busy worker is encoded on the caller's thread; otherwise it queues on the worker", async () => {
    const job = metricJob(4000);
    const inline = Buffer.from(encodeBatchBytes(job));
    for (const pressure of [false, true]) {
      const { pool } = countingPool(1);
      const first = pool.encode(job, 4000, pressure);
      expect(first).toBeInstanceOf(Promise); // the idle worker takes it either way
      const second = pool.encode(job, 4000, pressure);
      expect(second instanceof Uint8Array).toBe(pressure);
      for (const bytes of await Promise.all([first, second])) expect(inline.equals(Buffer.from(bytes))).toBe(true);
      pool.close();
    }
  });

  test("the pressure the local backend is given: queued bytes above the runtime's share of the buffer's byte bound (a quarter unless the runtime says)", () => {
    const setup = (queuedBytes: number, maxQueueBytes: number | undefined, callerEncodesAt?: number) => {
      const stats = { ...newStats(), queuedBytes };
      const options = maxQueueBytes === undefined ? {} : { buffer: { maxQueueBytes } };
      return underPressure({ options, runtime: callerEncodesAt === undefined ? { name: "test" } : { name: "test", callerEncodesAt }, stats });
    };
    expect(setup(1000, 4000)()).toBe(false);
    expect(setup(1001, 4000)()).toBe(true);
    expect(setup(3000, 4000, 1)()).toBe(false); // a browser window encodes only when the buffer is full
    expect(setup(DEFAULT_MAX_QUEUE_BYTES / 4, undefined)()).toBe(false);
    expect(setup(DEFAULT_MAX_QUEUE_BYTES / 4 + 1, undefined)()).toBe(true);
    // Read at each call: the stats object is the experiment's live counters.
    const stats = { ...newStats(), queuedBytes: 0 };
    const pressure = underPressure({ options: { buffer: { maxQueueBytes: 400 } }, runtime: { name: "test" }, stats });
    expect(pressure()).toBe(false);
    stats.queuedBytes = 101;
    expect(pressure()).toBe(true);
  });
});

describe("encoder pool in the built package", () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);
  /** Each test runs a child Node process that logs tens of thousands of points: up to ~30 s measured on a loaded 2-core machine. */
  const CHILD_TIMEOUT_MS = 120_000;

  test("the built package encodes on worker threads, and the run is exactly what inline encoding writes", async () => {
    const cwd = tempDir("pool");
    // Plain ESM importing the built entry (not bundled: the worker file must sit next to it).
    const script = join(tempDir("pool-script"), "main.mjs");
    writeFileSync(script, `
      import { Experiment } from ${JSON.stringify(join(REPO, "dist/entries/node.js"))};
      import { Worker } from "node:worker_threads";
      let threads = 0;
      const orig = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (...a) { threads++; return orig.apply(this, a); };
      const exp = await new Experiment("pool/e2e/run", { echo: false }).run.start();
      for (let i = 0; i < 60000; i++) exp.metrics("train").log({ loss: 1 / (i + 1), step: i, _ts: 1000 + i });
      await exp.run.complete();
      console.log("POSTS", threads);
    `);
    const r = await start(script, { cwd });
    expect(r.stderr).toBe("");
    expect(Number(r.stdout.match(/POSTS (\d+)/)?.[1])).toBeGreaterThan(0);
    const { records, skipped } = parseJsonLines<{ index: number; data: { loss: number; step: number; _ts: number } }>(
      readFileSync(join(cwd, ".dash/pool/e2e/run/metrics/train/data.jsonl")),
    );
    expect(skipped).toBe(0);
    expect(records.length).toBe(60000);
    expect(records.every((x, i) => x.index === i && x.data.step === i && x.data.loss === 1 / (i + 1) && x.data._ts === 1000 + i)).toBe(true);
  }, CHILD_TIMEOUT_MS);

  test.runIf(process.platform === "linux")("a training process's encoder threads run at a lower priority than its loop (nice 10, Linux); a server's keep theirs", async () => {
    const script = join(tempDir("pool-nice-script"), "main.mjs");
    writeFileSync(script, `
      import { readdirSync, readFileSync } from "node:fs";
      import { Worker } from "node:worker_threads";
      const niceOfThreads = () => readdirSync("/proc/self/task").map((t) => {
        const st = readFileSync("/proc/self/task/" + t + "/stat", "utf8");
        return Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[16]);
      });
      const file = ${JSON.stringify(join(REPO, "dist/encoder-worker.js"))};
      // A worker sets its priority while its module runs, before it listens for messages: once
      // it has answered one (any message gets a reply), the priority is set.
      const answered = async (w) => {
        w.postMessage({ id: 1, job: null });
        await new Promise((r) => w.once("message", r));
        return w;
      };
      // The server's first: a niced thread that has not quite gone cannot count against it.
      const server = await answered(new Worker(file, { workerData: { role: "server" } }));
      console.log("SERVER", JSON.stringify(niceOfThreads()));
      await server.terminate();
      const sdk = await answered(new Worker(file, { workerData: { role: "background" } }));
      console.log("SDK", JSON.stringify(niceOfThreads()));
      await sdk.terminate();
    `);
    const r = await start(script, { cwd: tempDir("pool-nice") });
    const sdk = JSON.parse(r.stdout.match(/SDK (.*)/)?.[1] ?? "[]") as number[];
    const server = JSON.parse(r.stdout.match(/SERVER (.*)/)?.[1] ?? "[]") as number[];
    expect(sdk[0]).toBe(0); // the main thread keeps its priority
    expect(sdk.filter((n) => n === 10)).toHaveLength(1); // the encoder thread, and nothing else
    expect(server.length).toBeGreaterThan(1);
    expect(server.filter((n) => n !== 0)).toEqual([]); // the server's encoder thread too
  }, CHILD_TIMEOUT_MS);

  test("a process that ends without complete() still drains through the workers before it exits", async () => {
    const cwd = tempDir("pool-exit");
    const script = join(tempDir("pool-exit-script"), "main.mjs");
    writeFileSync(script, `
      import { Experiment } from ${JSON.stringify(join(REPO, "dist/entries/node.js"))};
      const exp = await new Experiment("pool/exit/run", { echo: false, buffer: { flushIntervalMs: 60000 } }).run.start();
      for (let i = 0; i < 80000; i++) exp.metrics("train").log({ step: i, _ts: i });
    `);
    const r = await start(script, { cwd });
    expect(r.code).toBe(0);
    const base = join(cwd, ".dash/pool/exit/run");
    expect(parseJsonLines(readFileSync(join(base, "metrics/train/data.jsonl"))).records.length).toBe(80000);
    expect(JSON.parse(readFileSync(join(base, "experiment.json"), "utf8")).status).toBe("COMPLETED");
  }, CHILD_TIMEOUT_MS);
});
