/**
 * Nothing lost, nothing doubled, under faults: 100k metric points and 10k track entries from
 * two experiments (one remote-only, one hybrid) while 30% of the requests fail — injected by a
 * scripted fetch, and by a faulty HTTP proxy in front of the real server (dropped connections,
 * bursts of 500, 429 with Retry-After, slow answers past the client's timeout, answers lost
 * after the server stored the batch). The server must hold exactly every point, in index
 * order, once.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import { Experiment } from "../../../src/index.ts";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import type { StorageAdapter } from "../../../src/storage/contract.ts";
import { ENTRIES, POINTS, train } from "../../support/fault-workload.ts";
import { faultsInCycle, scriptedFetch, startFaultyProxy, type Fault, type FaultyProxy } from "../../support/faults.ts";
import { startServer, type TestServer } from "../../support/server.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ token: "tok-123456789" });
});
afterAll(async () => srv.close());

async function records<T>(storage: StorageAdapter, key: string): Promise<T[]> {
  const b = await storage.read(key);
  return b ? parseJsonLines<T>(b).records : [];
}

/** Every point once, in index order, with the value written at that index. */
async function expectExact(storage: StorageAdapter, dir: string): Promise<void> {
  const pts = await records<{ index: number; data: { i: number; loss: number; _ts: number } }>(storage, `${dir}/metrics/train/data.jsonl`);
  expect(pts.length).toBe(POINTS);
  const wrong = pts.findIndex((p, k) => p.index !== k || p.data.i !== k || p.data.loss !== 1 / (k + 1) || p.data._ts !== 1000 + k);
  expect(wrong).toBe(-1);
  const entries = await records<{ timestamp: number; n: number }>(storage, `${dir}/tracks/robot_pose/data.jsonl`);
  expect(entries.length).toBe(ENTRIES);
  expect(entries.findIndex((e, k) => e.n !== k || e.timestamp !== k)).toBe(-1);
  const logs = await records<{ sequenceNumber: number; message: string }>(storage, `${dir}/logs/logs.jsonl`);
  expect(logs.map((l) => l.sequenceNumber)).toEqual(Array.from({ length: POINTS / 1000 }, (_, k) => k));
  const meta = JSON.parse(new TextDecoder().decode((await storage.read(`${dir}/metrics/train/metadata.json`)) as Uint8Array));
  expect([meta.totalDataPoints, meta.nextIndex]).toEqual([POINTS, POINTS]);
}

const remote = { retries: 4, backoffMs: 20, maxBackoffMs: 1500, timeoutMs: 1000 };

describe("30% of requests failing", () => {
  test("scripted fetch: drops, 500/503, 429 and lost answers; remote-only and hybrid each end with every point once", async () => {
    const isData = (_m: string, url: string): boolean => !url.includes("/nodes");
    // Exactly 3 requests in 10 fail, whatever the number of requests: every kind of fault comes up.
    const cycle: Fault[] = ["ok", "drop", "ok", "ok", "500", "ok", "lost-response", "ok", "ok", "ok",
                            "ok", "503", "ok", "ok", "429", "ok", "ok", "lost-response", "ok", "ok"];
    const fa = scriptedFetch({ cycle, retryAfter: 0, match: isData });
    const rotated = [...cycle.slice(5), ...cycle.slice(0, 5)];
    const fb = scriptedFetch({ cycle: rotated, retryAfter: 0, match: isData });
    const base = { dashUrl: srv.url, token: "tok-123456789", echo: false, remote, buffer: { maxBatch: 250, flushIntervalMs: 5 } };
    const a = new Experiment("alice/faults/fetch/remote-only", { ...base, storage: null, fetch: fa });
    const b = new Experiment("alice/faults/fetch/hybrid", { ...base, storage: memoryAdapter(), fetch: fb });
    await Promise.all([train(a), train(b)]);
    for (const [f, c] of [[fa, cycle], [fb, rotated]] as const) {
      const failed = f.seen.filter((r) => r.fault !== "ok").length;
      const data = f.seen.filter((r) => isData(r.method, r.url)).length;
      // Batches coalesce (up to 50k records a request), so the count varies; every data request
      // took its turn in the 3-in-10 cycle, so exactly this many failed.
      expect(data).toBeGreaterThanOrEqual(10);
      expect(failed).toBe(faultsInCycle(c, data));
      expect(f.seen.some((r) => r.fault === "lost-response")).toBe(true);
    }
    await expectExact(srv.storage, "alice/faults/fetch/remote-only");
    await expectExact(srv.storage, "alice/faults/fetch/hybrid");
    expect(a.stats.dropped + b.stats.dropped).toBe(0);
    expect(a.stats.retried).toBeGreaterThan(10);
  }, 120_000);

  test("faulty proxy before the real server: dropped connections, 500 bursts, 429 + Retry-After, slow answers, lost answers", async () => {
    const proxy: FaultyProxy = await startFaultyProxy(srv.url, { rate: 0.3, seed: 5, retryAfter: 1, slowMs: 1300 });
    try {
      // Every request goes through the proxy, the remote-only run's opening one too, and a
      // remote-only start() rejects once that request has used its retries (a hybrid one starts
      // locally and connects later). Which request meets a burst of 500s depends on how the two
      // runs interleave: with 4 retries the opening request failed 5 times running in one of six
      // clean-clone CI runs on 2026-12-03. 8 retries make that ~0.3^4 times rarer; the data path
      // is what this checks.
      const base = { dashUrl: proxy.url, token: "tok-123456789", echo: false, remote: { ...remote, retries: 8 }, buffer: { maxBatch: 2000 } };
      const a = new Experiment("alice/faults/proxy/remote-only", { ...base, storage: null });
      const b = new Experiment("alice/faults/proxy/hybrid", { ...base, storage: memoryAdapter() });
      await Promise.all([train(a), train(b)]);
      const c = proxy.counts;
      const total = Object.values(c).reduce((n, x) => n + x, 0);
      expect((total - c.ok) / total).toBeGreaterThan(0.15); // a seeded 30% draw per request
      for (const k of ["drop", "500", "429", "slow", "lost-response"] as const) expect(c[k], k).toBeGreaterThan(0);
      await expectExact(srv.storage, "alice/faults/proxy/remote-only");
      await expectExact(srv.storage, "alice/faults/proxy/hybrid");
      expect(a.stats.dropped + b.stats.dropped).toBe(0);
    } finally {
      await proxy.close();
    }
  }, 180_000);
});
