/**
 * The transport's rules, with a scriptable fetch in front of the real server: what is retried
 * (429, 5xx, network) and how (Retry-After honoured), what is not (400/401/403/404: reported
 * once, kept locally or counted as dropped), the 415 → JSON fallback, a hybrid run through an
 * outage, and the keepalive flush of a page that goes away.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { memoryAdapter, MemoryStore } from "../../../adapters/memory/index.ts";
import { AuthenticationError, DataLossError, Experiment, NetworkError, RemoteError, type ExperimentOptions, type MlDashError } from "../../../src/index.ts";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import type { StorageAdapter } from "../../../src/storage/contract.ts";
import { scriptedFetch, type Fault, type ScriptedFetch } from "../../support/faults.ts";
import { startServer, type TestServer } from "../../support/server.ts";

/** Whole runs against a server over loopback: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ token: "tok-123456789" });
});
afterAll(async () => srv.close());

const isBatch = (_m: string, url: string): boolean => /append-batch|append_batch|\/logs$/.test(url);
const fast = { retries: 4, backoffMs: 20, maxBackoffMs: 2000, timeoutMs: 2000 };

function exp(prefix: string, fetch: ScriptedFetch, o: ExperimentOptions = {}): Experiment {
  return new Experiment(prefix, { dashUrl: srv.url, token: "tok-123456789", storage: null, echo: false, fetch, remote: fast, ...o });
}

async function indices(storage: StorageAdapter, key: string): Promise<number[]> {
  const b = await storage.read(key);
  return b ? parseJsonLines<{ index: number }>(b).records.map((r) => r.index) : [];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe("retries", () => {
  test("429, 5xx, dropped connections and lost answers are retried; every point lands once", async () => {
    const script: Fault[] = ["429", "500", "drop", "lost-response", "503", "lost-response"];
    const f = scriptedFetch({ script, match: isBatch, retryAfter: 0 });
    const e = exp("alice/transport/retry", f, { buffer: { maxBatch: 100 }, remote: { ...fast, retries: 8 } });
    await e.run(async (x) => {
      for (let i = 0; i < 1000; i++) x.metrics("m").log({ i });
    });
    expect(await indices(srv.storage, "alice/transport/retry/metrics/m/data.jsonl")).toEqual(range(1000));
    expect(e.stats).toMatchObject({ retried: script.length, sent: 1000, errors: 0 }); // all absorbed by the client's retries
  }, IO_TIMEOUT_MS);

  test("Retry-After is honoured", async () => {
    const f = scriptedFetch({ script: ["429"], match: isBatch, retryAfter: 1 });
    const e = exp("alice/transport/retry-after", f);
    await e.run(async (x) => x.metrics("m").log({ v: 1 }));
    const batch = f.seen.filter((r) => r.url.includes("append-batch"));
    expect(batch.map((r) => r.fault)).toEqual(["429", "ok"]);
    expect((batch[1]?.at ?? 0) - (batch[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  }, IO_TIMEOUT_MS);

  test("the final status outlasts a burst of failures longer than one request's retries", async () => {
    const isStatus = (m: string, url: string): boolean => m === "PATCH" && url.includes("/nodes/");
    const f = scriptedFetch({ script: ["500", "503", "drop", "500"], match: isStatus, retryAfter: 0 });
    const e = exp("alice/transport/status-burst", f, { remote: { ...fast, retries: 1 } }); // 2 tries a round
    await e.run(async (x) => x.metrics("m").log({ v: 1 }));
    expect(f.seen.filter((r) => isStatus(r.method, r.url)).map((r) => r.fault)).toEqual(["500", "503", "drop", "500", "ok"]);
    const doc = JSON.parse(new TextDecoder().decode((await srv.storage.read("alice/transport/status-burst/experiment.json")) as Uint8Array));
    expect(doc.status).toBe("COMPLETED");
  }, IO_TIMEOUT_MS);

  test.each([400, 401, 403, 404])("no retry on %i: reported once, counted as dropped (remote-only), never retried forever", async (status) => {
    const errors: MlDashError[] = [];
    const f = scriptedFetch({
      match: (_m, url) => url.includes("/metrics/m/append-batch"),
      answer: () => new Response(JSON.stringify({ error: `refused with ${status}`, field: "dataPoints" }), { status, headers: { "content-type": "application/json" } }),
    });
    const e = exp(`alice/transport/no-retry-${status}`, f, { onError: (err) => errors.push(err), buffer: { maxBatch: 10 } });
    await e.run.start();
    for (let i = 0; i < 25; i++) e.metrics("m").log({ i });
    e.metrics("ok").log({ v: 1 });
    const flushed = await e.flush().catch((err: unknown) => err);
    expect(flushed).toBeInstanceOf(DataLossError);
    await e.run.complete();
    const calls = f.seen.filter((r) => r.url.includes("/metrics/m/append-batch"));
    const keys = calls.map((r) => r.headers.get("idempotency-key"));
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length); // no batch was sent twice
    expect(e.stats.dropped).toBe(25);
    expect(e.stats.retried).toBe(0);
    const refusal = errors.find((x) => x instanceof RemoteError || x instanceof AuthenticationError);
    expect(refusal?.message).toContain(String(status));
    if (status !== 401 && status !== 403) expect(refusal?.message).toContain(`refused with ${status}`);
    expect(await indices(srv.storage, `alice/transport/no-retry-${status}/metrics/ok/data.jsonl`)).toEqual([0]);
  });

  test("a refused batch in hybrid mode stays in the local store and is not retried", async () => {
    const storage = memoryAdapter();
    const f = scriptedFetch({
      match: (_m, url) => url.includes("append-batch"),
      answer: () => new Response(JSON.stringify({ error: "no" }), { status: 400, headers: { "content-type": "application/json" } }),
    });
    const e = exp("alice/transport/hybrid-400", f, { storage });
    await e.run(async (x) => {
      for (let i = 0; i < 50; i++) x.metrics("m").log({ i });
    });
    expect(await indices(storage, "alice/transport/hybrid-400/metrics/m/data.jsonl")).toEqual(range(50));
    expect(f.seen.filter((r) => r.url.includes("append-batch"))).toHaveLength(1);
    expect(e.status).toBe("COMPLETED");
  }, IO_TIMEOUT_MS);

  test("a 415 switches batches to JSON for good (NaN travels as null there)", async () => {
    const jsonOnly = await startServer({ msgpack: false });
    try {
      const f = scriptedFetch();
      const e = new Experiment("alice/transport/json", { dashUrl: jsonOnly.url, token: "t", storage: null, echo: false, fetch: f, buffer: { maxBatch: 10 } });
      await e.run(async (x) => {
        for (let i = 0; i < 30; i++) x.metrics("m").log({ i, v: i === 5 ? NaN : i });
        x.tracks("t").append({ a: 1, _ts: 1 });
      });
      const batches = f.seen.filter((r) => r.url.includes("append"));
      // The metric and the track stream each had a msgpack batch in flight before the first 415 came back.
      expect(batches.slice(0, 2).map((r) => r.contentType)).toEqual(["application/msgpack", "application/msgpack"]);
      expect(batches.slice(2).map((r) => r.contentType)).toEqual(Array(batches.length - 2).fill("application/json"));
      const b = await jsonOnly.storage.read("alice/transport/json/metrics/m/data.jsonl");
      const rows = parseJsonLines<{ index: number; data: { v: number | null } }>(b as Uint8Array).records;
      expect(rows.map((r) => r.index)).toEqual(range(30));
      expect(rows[5]?.data.v).toBeNull();
      expect(rows[6]?.data.v).toBe(6);
    } finally {
      await jsonOnly.close();
    }
  }, IO_TIMEOUT_MS);
});

test("a 413 (body too large for this server) is answered by sending the batch in halves", async () => {
  const small = await startServer({ maxBodyBytes: 4096 });
  try {
    const f = scriptedFetch();
    const e = new Experiment("alice/transport/413", { dashUrl: small.url, token: "t", storage: null, echo: false, fetch: f });
    await e.run(async (x) => {
      for (let i = 0; i < 2000; i++) x.metrics("m").log({ i, v: i / 3 });
    });
    expect(await indices(small.storage, "alice/transport/413/metrics/m/data.jsonl")).toEqual(range(2000));
    const posts = f.seen.filter((r) => r.url.includes("append-batch"));
    expect(posts.some((r) => r.bodyBytes > 4096)).toBe(true);
    expect(Math.max(...posts.filter((r) => r.bodyBytes <= 4096).map((r) => r.bodyBytes))).toBeLessThanOrEqual(4096);
    expect(e.stats.dropped).toBe(0);
  } finally {
    await small.close();
  }
}, IO_TIMEOUT_MS);

describe("hybrid through an outage", () => {
  test("the run goes on locally; flush() rejects while the server is down; the upload resumes when it is back", async () => {
    const store = new MemoryStore();
    const storage = memoryAdapter({ store });
    const f = scriptedFetch();
    const e = exp("alice/transport/outage", f, { storage, remote: { ...fast, retries: 1 } });
    await e.run.start();
    for (let i = 0; i < 100; i++) e.metrics("m").log({ i });
    await e.flush();
    f.down = true;
    for (let i = 100; i < 300; i++) e.metrics("m").log({ i });
    const err = await e.flush().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(NetworkError);
    expect(await indices(storage, "alice/transport/outage/metrics/m/data.jsonl")).toEqual(range(300));
    f.down = false;
    await e.flush();
    expect(await indices(srv.storage, "alice/transport/outage/metrics/m/data.jsonl")).toEqual(range(300));
    await e.run.complete();
  }, IO_TIMEOUT_MS);

  test("complete() with the server down ends the run locally and says the server is behind; the next run uploads the rest", async () => {
    const store = new MemoryStore();
    const f = scriptedFetch();
    const a = exp("alice/transport/down-at-end", f, { storage: memoryAdapter({ store }), remote: { ...fast, retries: 1 } });
    await a.run.start();
    for (let i = 0; i < 10; i++) a.metrics("m").log({ i });
    await a.flush();
    f.down = true;
    for (let i = 10; i < 40; i++) a.metrics("m").log({ i });
    const err = await a.run.complete().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(NetworkError);
    expect(a.status).toBe("COMPLETED");
    const local = memoryAdapter({ store });
    expect(await indices(local, "alice/transport/down-at-end/metrics/m/data.jsonl")).toEqual(range(40));
    expect((await indices(srv.storage, "alice/transport/down-at-end/metrics/m/data.jsonl")).length).toBeLessThan(40);
    // The next run of the prefix (server back) uploads what the server lacks, from the local files.
    const b = exp("alice/transport/down-at-end", scriptedFetch(), { storage: local });
    await b.run(async () => undefined);
    expect(await indices(srv.storage, "alice/transport/down-at-end/metrics/m/data.jsonl")).toEqual(range(40));
  }, IO_TIMEOUT_MS);

  test("a hybrid run starts even when the server is unreachable, and catches up once it is back", async () => {
    const storage = memoryAdapter();
    const f = scriptedFetch();
    f.down = true;
    const e = exp("alice/transport/down-at-start", f, { storage, remote: { ...fast, retries: 0 } });
    await e.run.start();
    expect(e.id).toBeUndefined();
    for (let i = 0; i < 20; i++) e.metrics("m").log({ i });
    await expect(e.flush()).rejects.toBeInstanceOf(NetworkError);
    f.down = false;
    // The backend reconnects on its own (backoff from 1 s); wait for the server to have it all.
    await vi.waitFor(
      async () => {
        await e.flush().catch(() => undefined);
        expect((await indices(srv.storage, "alice/transport/down-at-start/metrics/m/data.jsonl")).length).toBeGreaterThanOrEqual(20);
      },
      { timeout: 45_000, interval: 100 },
    );
    expect(await indices(srv.storage, "alice/transport/down-at-start/metrics/m/data.jsonl")).toEqual(range(20));
    await e.run.complete();
  }, IO_TIMEOUT_MS);
});

describe("a remote-only start", () => {
  test("waits out an outage longer than one request's retries (a batch's patience), then runs as usual", async () => {
    // Five dropped connections: one request with one retry meets them in three rounds (2 + 2 + 1).
    const f = scriptedFetch({ script: ["drop", "drop", "drop", "drop", "drop"] });
    const e = exp("alice/transport/remote-start", f, { remote: { ...fast, retries: 1 } });
    await e.run.start();
    expect(f.seen.filter((r) => r.fault === "drop")).toHaveLength(5);
    expect(e.id).toBeDefined();
    e.metrics("m").log({ i: 0 });
    await e.run.complete();
    expect(await indices(srv.storage, "alice/transport/remote-start/metrics/m/data.jsonl")).toEqual([0]);
  }, IO_TIMEOUT_MS);

  test("fails at once on a refusal, without rounds", async () => {
    const f = scriptedFetch();
    const e = new Experiment("alice/transport/remote-refused", { dashUrl: srv.url, token: "wrong-token-000", storage: null, echo: false, fetch: f, remote: fast });
    await expect(e.run.start()).rejects.toThrow();
    expect(f.seen).toHaveLength(1);
  }, IO_TIMEOUT_MS);
});

describe("page unload", () => {
  test("flushForUnload sends keepalive requests within the 64 KiB budget, one per stream, and leaves the rest", async () => {
    const f = scriptedFetch({ match: isBatch, answer: () => new Response("{}", { status: 503 }) }); // the batch path is down
    const storage = memoryAdapter();
    const e = exp("alice/transport/unload", f, { storage, remote: { ...fast, retries: 0 }, buffer: { flushIntervalMs: 3_600_000 } });
    await e.run.start();
    for (let i = 0; i < 20_000; i++) e.metrics("train").log({ loss: 1 / (i + 1), step: i });
    for (let i = 0; i < 50; i++) e.logs.info(`line ${i}`);
    for (let i = 0; i < 100; i++) e.tracks("pose").append({ x: i, _ts: i });
    await e.flush().catch(() => undefined); // local store has everything; the server has nothing
    const before = f.seen.length;
    const result = e._flushForUnload();
    // The scripted fetch logs a request once it has read its body.
    await vi.waitFor(() => expect(f.seen.length - before).toBeGreaterThanOrEqual(result?.requests ?? 1), { timeout: 20_000 });
    const sent = f.seen.slice(before);
    expect(result).toBeDefined();
    expect(sent.length).toBe(result?.requests);
    expect(sent.length).toBe(3);
    expect(sent.every((r) => r.keepalive)).toBe(true);
    const total = sent.reduce((n, r) => n + r.bodyBytes, 0);
    expect(total).toBe(result?.bytes);
    expect(total).toBeLessThanOrEqual(64 * 1024);
    expect(total).toBeGreaterThan(48 * 1024); // it fills the budget
    expect(result?.left).toBe(20_000 + 50 + 100 - (result?.records ?? 0));
    expect(result?.left).toBeGreaterThan(0);
    expect(sent.every((r) => r.headers.get("idempotency-key")?.endsWith(":0"))).toBe(true);
    // Everything stays in the local store for the next load.
    expect((await indices(storage, "alice/transport/unload/metrics/train/data.jsonl")).length).toBe(20_000);
  }, IO_TIMEOUT_MS);

  test("remote-only: batches the buffer still holds go out in keepalive requests and stay queued", async () => {
    const f = scriptedFetch();
    const e = exp("alice/transport/unload-remote", f, { buffer: { flushIntervalMs: 3_600_000 } });
    await e.run.start();
    e.metrics("m").log({ v: 0 });
    await e.flush(); // the stream's numbering is known
    for (let i = 1; i <= 100; i++) e.metrics("m").log({ v: i });
    const before = f.seen.length;
    const result = e._flushForUnload();
    expect(result).toMatchObject({ requests: 1, records: 100, left: 0 });
    await vi.waitFor(() => expect(f.seen[before]).toBeDefined(), { timeout: 20_000 });
    const req = f.seen[before];
    expect(req?.keepalive).toBe(true);
    expect(req?.headers.get("idempotency-key")).toMatch(/:metric:m:1$/);
    // The keepalive request lands: the server holds every record.
    await vi.waitFor(async () => expect(await indices(srv.storage, "alice/transport/unload-remote/metrics/m/data.jsonl")).toEqual(range(101)), { timeout: 20_000 });
    // If the page stays after all, the normal flush sends the same records again: nothing doubles.
    await e.run.complete();
    expect(await indices(srv.storage, "alice/transport/unload-remote/metrics/m/data.jsonl")).toEqual(range(101));
  }, IO_TIMEOUT_MS);
});
