/**
 * Core benchmarks (issue 2): (a) µs per `exp.metrics("train").log({ loss, acc, step })` call
 * (also with `_ts` given, and per `exp.tracks(topic).append(...)`);
 * (b) end to end: N points logged then `await exp.flush()` to node-fs, points/s and peak RSS.
 * One measurement per process (run by bench/run.mjs) so peak RSS belongs to one size.
 *
 *   node .bench-out/core.bench.mjs hot 1000000 [plain|ts|track]
 *   node .bench-out/core.bench.mjs e2e 1000000 [yield|sync]
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryAdapter } from "../adapters/memory/index.ts";
import { nodeFsAdapter } from "../adapters/node-fs/index.ts";
import { Experiment as CoreExperiment } from "../src/index.ts";
// The package as users get it (built dist, resolved through package.json exports): zero-config
// entry with encoder workers. `core` skips the workers for comparison.
import { Experiment as NodeExperiment } from "ml-dash";

const [mode = "e2e", nArg = "1000000", style = "yield", entry = "node"] = process.argv.slice(2);
const Experiment = entry === "core" ? CoreExperiment : NodeExperiment;
const N = Number(nArg);

// Realistic values: a decaying noisy loss (full-precision doubles, like float32 losses from tfjs),
// an accuracy with three decimals, an integer step.
const loss = (i: number): number => 2.3 * Math.exp((-3 * i) / N) + 0.01 * Math.sin(i);
const acc = (i: number): number => Math.round(1000 * (1 - Math.exp((-3 * i) / N))) / 1000;

async function hot(): Promise<void> {
  // Memory store and a buffer large enough to hold everything: this measures the call, not the flush.
  const exp = new Experiment("bench/core/hot", {
    storage: memoryAdapter(),
    echo: false,
    buffer: { maxQueueBytes: 2 ** 31, flushIntervalMs: 3_600_000, maxBatch: 1e9 },
  });
  await exp.run.start();
  // `ts`: the point brings its own `_ts`; `track`: `tracks("robot/pose").append(...)` with `_ts`.
  const m = exp.metrics("train");
  const t = exp.tracks("robot/pose");
  const call =
    style === "ts"
      ? (i: number): unknown => m.log({ loss: loss(i), acc: acc(i), step: i, _ts: 1_795_000_000 + i / 1000 })
      : style === "track"
        ? (i: number): unknown => t.append({ x: loss(i), y: acc(i), step: i, _ts: 1_795_000_000 + i / 1000 })
        : (i: number): unknown => m.log({ loss: loss(i), acc: acc(i), step: i });
  for (let i = -200_000; i < 0; i++) call(i); // warm-up (timestamps keep rising into the measured calls)
  const t0 = performance.now();
  for (let i = 0; i < N; i++) call(i);
  const t1 = performance.now();
  // The cost of computing the values themselves, subtracted.
  let sink = 0;
  const t2 = performance.now();
  for (let i = 0; i < N; i++) sink += loss(i) + acc(i) + i;
  const t3 = performance.now();
  const perCall = ((t1 - t0 - (t3 - t2)) * 1000) / N;
  console.log(JSON.stringify({ bench: "log-call", style: style === "ts" || style === "track" ? style : "plain", n: N, usPerCall: +perCall.toFixed(3), sink: sink > 0 }));
}

async function e2e(): Promise<void> {
  const root = join(tmpdir(), `mldash-bench-${process.pid}`);
  const exp = new Experiment("bench/core/e2e", { storage: nodeFsAdapter({ root }), echo: false });
  await exp.run.start();
  const m = exp.metrics("train");
  const t0 = performance.now();
  if (style === "yield") {
    // A training loop: it yields to the event loop between steps of 1,000 points.
    for (let i = 0; i < N; ) {
      const end = Math.min(N, i + 1000);
      for (; i < end; i++) m.log({ loss: loss(i), acc: acc(i), step: i });
      await new Promise<void>((r) => setImmediate(r));
    }
  } else {
    for (let i = 0; i < N; i++) m.log({ loss: loss(i), acc: acc(i), step: i });
  }
  const t1 = performance.now();
  await exp.flush();
  const secs = (performance.now() - t0) / 1000;
  const s = exp.stats;
  await exp.run.complete();
  rmSync(root, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: "e2e-node-fs",
      style,
      entry,
      n: N,
      pointsPerSec: Math.round(N / secs),
      seconds: +secs.toFixed(2),
      loopSeconds: +((t1 - t0) / 1000).toFixed(2),
      flushSeconds: +(secs - (t1 - t0) / 1000).toFixed(2),
      written: s.written,
      dropped: s.dropped,
      bytesPerPoint: +(s.bytes / N).toFixed(1),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

await (mode === "hot" ? hot() : e2e());
process.exit(0); // the hot run leaves a buffer full of points and a long interval timer behind
