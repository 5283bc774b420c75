// Nothing lost, nothing doubled, from a page: the fault-injection run of the Node suite
// (test/node/remote/fault-injection.test.ts) in Chromium. 100k metric points and 10k track
// entries from two experiments — one remote-only, one hybrid on IndexedDB — while exactly 3 in
// 10 data requests fail (dropped connections, 500/503, 429, answers lost after the server stored
// the batch). The server, read back through a fresh remote-only experiment, must hold every
// point once, in index order.
import { afterAll, describe, expect, inject, test } from "vitest";
import { deleteDB } from "idb";
import { Experiment } from "../../src/runtime/browser/entry.ts";
import { ENTRIES, POINTS, train } from "../support/fault-workload.ts";
import { faultsInCycle, scriptedFetch, type Fault } from "../support/scripted-fetch.ts";

const url = inject("mlDashUrl");
const remote = { retries: 4, backoffMs: 20, maxBackoffMs: 1500, timeoutMs: 2000 };
const dbs: string[] = [];
afterAll(async () => {
  for (const d of dbs) await deleteDB(d);
});

/** Reads the run back from the server and checks every record, once, in order. */
async function expectExactOnServer(prefix: string): Promise<void> {
  const reader = await new Experiment(prefix, { dashUrl: url, token: "t", storage: null, echo: false }).run.start();
  const points: { index: number; data: Record<string, unknown> }[] = [];
  for (let start = 0; ; ) {
    const page = await reader.metrics("train").read({ startIndex: start, limit: 10_000 });
    points.push(...page.data);
    if (!page.hasMore || page.data.length === 0) break;
    start += page.data.length;
  }
  expect(points.length).toBe(POINTS);
  expect(points.findIndex((p, k) => p.index !== k || p.data["i"] !== k || p.data["loss"] !== 1 / (k + 1) || p.data["_ts"] !== 1000 + k)).toBe(-1);
  const slice = await reader.tracks("robot/pose").slice();
  expect(slice.length).toBe(ENTRIES);
  expect([...slice].findIndex((e, k) => e["n"] !== k || e.timestamp !== k)).toBe(-1);
  const logs = await reader.logs.read({ limit: 1000 });
  expect(logs.map((l) => l.message)).toEqual(Array.from({ length: POINTS / 1000 }, (_, k) => `step ${(k + 1) * 1000}`));
  await reader.run.complete();
}

describe("30% of requests failing, from a page", () => {
  test("scripted fetch: remote-only and hybrid (IndexedDB) runs each end with every point once on the server", async () => {
    const isData = (_m: string, u: string): boolean => !u.includes("/nodes");
    const cycle: Fault[] = ["ok", "drop", "ok", "ok", "500", "ok", "lost-response", "ok", "ok", "ok",
                            "ok", "503", "ok", "ok", "429", "ok", "ok", "lost-response", "ok", "ok"];
    const fa = scriptedFetch({ cycle, retryAfter: 0, match: isData });
    const rotated = [...cycle.slice(5), ...cycle.slice(0, 5)];
    const fb = scriptedFetch({ cycle: rotated, retryAfter: 0, match: isData });
    const id = Date.now().toString(36);
    const dbName = `mldash-faults-${id}`;
    dbs.push(dbName);
    const base = { dashUrl: url, token: "t", echo: false, remote, buffer: { maxBatch: 250, flushIntervalMs: 5 } };
    const a = new Experiment(`web/faults/${id}/remote-only`, { ...base, storage: null, fetch: fa });
    const b = new Experiment(`web/faults/${id}/hybrid`, { ...base, dashRoot: dbName, fetch: fb });
    expect([a.mode, b.mode]).toEqual(["remote", "hybrid"]);
    await Promise.all([train(a), train(b)]);
    for (const [f, c] of [[fa, cycle], [fb, rotated]] as const) {
      const data = f.seen.filter((r) => isData(r.method, r.url));
      const failed = data.filter((r) => r.fault !== "ok").length;
      // Batches coalesce (up to 50k records a request), so the count varies; every data request
      // took its turn in the 3-in-10 cycle, so exactly this many failed.
      expect(data.length).toBeGreaterThanOrEqual(10);
      expect(failed).toBe(faultsInCycle(c, data.length));
      expect(data.some((r) => r.fault === "lost-response")).toBe(true);
    }
    expect(a.stats.dropped + b.stats.dropped).toBe(0);
    await expectExactOnServer(a.prefix);
    await expectExactOnServer(b.prefix);
  }, 180_000);
});
