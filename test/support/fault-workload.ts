/**
 * The workload of the fault-injection tests (Node and Chromium): per experiment, POINTS metric
 * points, ENTRIES track entries and a log line every 1000 points, logged the way a training
 * loop does (yielding, so flush timers fire). Portable: no runtime-specific imports.
 */
import type { Experiment } from "../../src/api/experiment.ts";

/** Metric points per experiment (two experiments: 100k in all). */
export const POINTS = 50_000;
/** Track entries per experiment (10k in all). */
export const ENTRIES = 5_000;

/** Runs the workload inside `exp.run`: point i is `{ i, loss: 1/(i+1), _ts: 1000+i }`, entry n is `{ n, x, _ts: n }`. */
export async function train(exp: Experiment): Promise<void> {
  await exp.run(async (e) => {
    const m = e.metrics("train");
    const t = e.tracks("robot/pose");
    for (let i = 0; i < POINTS; ) {
      for (const end = i + 250; i < end; i++) {
        m.log({ i, loss: 1 / (i + 1), _ts: 1000 + i });
        if (i % 10 === 0) t.append({ n: i / 10, x: Math.sin(i), _ts: i / 10 });
      }
      if (i % 1000 === 0) e.logs.info(`step ${i}`);
      await new Promise((r) => setTimeout(r, 1)); // a training loop yields (and the flush timer fires)
    }
  });
}
