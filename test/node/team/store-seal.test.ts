/**
 * The team store's multi-node promises, with two stores (two pools: two server processes) on one
 * PostgreSQL database and one bucket: sealing raced by both nodes leaves each record in exactly
 * one place, a retried unpositioned batch is a no-op on the other node, and what a seal writes
 * (chunk objects, summaries) matches the records.
 */
import { createHash, randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { open, rows } from "../../contract/run-store-contract.ts";
import { streamId } from "../../../src/model/batch.ts";
import { openPg } from "../../../src/server/stores/team/pg.ts";
import { sealAll } from "../../../src/server/stores/team/store-seal.ts";
import { chunkFacts, type ChunkFacts } from "../../../src/server/stores/team/chunk-summary.ts";
import { summarySeries } from "../../../src/server/stores/team/store-series-summary.ts";
import type { SeriesRow } from "../../../src/server/stores/team/store-state.ts";
import { teamStore, type TeamStore, type TeamStoreOptions } from "../../../src/server/stores/team/store.ts";
import { nodeCompression } from "../../../src/runtime/node/compress.ts";
import { nodeSha256 } from "../../../src/runtime/node/files.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { clientFor } from "./s3-helpers.ts";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let pg: TestPostgres;
let s3: TestS3;
const BUCKET = "team-seal";
const M = streamId("metric", "m");

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] })]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

/** Runs `fn` with two fresh nodes ({@link twoNodes}), closing them after. */
async function withTwoNodes(chunkSize: number, fn: (a: TeamStore, b: TeamStore) => Promise<void>, options: Partial<TeamStoreOptions> = {}): Promise<void> {
  const [a, b] = await twoNodes(chunkSize, options);
  try {
    await fn(a, b);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** What `ml-dash serve` hands the store on Node (src/cli/serve-team.ts): node:zlib and node:crypto. */
const NODE_CLI: Partial<TeamStoreOptions> = { compression: nodeCompression, sha256: nodeSha256 };

/** Two nodes on one database and prefix. */
async function twoNodes(chunkSize: number, options: Partial<TeamStoreOptions>): Promise<[TeamStore, TeamStore]> {
  const url = await pg.createDatabase();
  const prefix = `s3://${BUCKET}/${randomUUID()}`;
  const make = (): TeamStore => teamStore({ pg: openPg({ url, max: 4 }), s3: clientFor(s3, prefix), chunkSize, ...options });
  const a = make();
  const b = make();
  await Promise.all([a.ready(), b.ready()]);
  return [a, b];
}

test("two nodes appending and sealing the same series at once: every record once, in order, sealed once", async () => {
  await withTwoNodes(100, async (a, b) => {
    const e = await open(a, "alice/p/race");
    // Batches of 37 from alternating nodes; positioned, so each lands once whichever node takes it.
    const n = 1234;
    for (let at = 0; at < n; at += 37) {
      const k = Math.min(37, n - at);
      const batch = rows(Array.from({ length: k }, (_, i) => ({ v: at + i, sq: (at + i) % 17 })));
      const [ra, rb] = await Promise.all([a.append(e, M, batch, { start: at }), b.append(e, M, batch, { start: at })]);
      expect(ra.count + rb.count).toBe(k);
    }
    // Both nodes seal the same series at once, several times over.
    const [series] = await a.state.run("t", (sql) => sql<{ id: string }[]>`select id from series`);
    await Promise.all([a.settle(), b.settle()]);
    await Promise.all([sealAll(a.state, series!.id, "metric"), sealAll(b.state, series!.id, "metric"), sealAll(a.state, series!.id, "metric")]);
    const chunks = await a.state.run("t", (sql) => sql<{ chunk_no: number; first_index: string; count: number; summary: { fields: Record<string, { min: number; max: number; count: number }>; rows: Record<string, Record<string, number>> } }[]>`
      select chunk_no, first_index, count, summary from chunks order by chunk_no`);
    expect(chunks.map((c) => [c.chunk_no, Number(c.first_index), c.count])).toEqual(Array.from({ length: 12 }, (_, k) => [k, k * 100, 100]));
    expect(chunks[3]?.summary.fields["v"]).toMatchObject({ min: 300, max: 399, count: 100 });
    expect(chunks[3]?.summary.fields["sq"]).toMatchObject({ min: 0, max: 16 });
    expect(chunks[3]?.summary.rows["399"]).toEqual({ v: 399, sq: 399 % 17 });
    const pending = await a.state.run("t", (sql) => sql<{ first_index: string; count: number }[]>`select first_index, count from pending_batches order by first_index`);
    expect(Number(pending[0]?.first_index)).toBe(1200);
    expect(pending.reduce((s, p) => s + p.count, 0)).toBe(34);
    const objects: string[] = [];
    for await (const o of a.state.s3.list("series/")) objects.push(o.key);
    expect(objects.length).toBe(12);
    for (const node of [a, b]) {
      const page = await node.metricPage(e, "m", 0, 5000);
      expect(page.data.map((p) => p.data["v"])).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(page.data.map((p) => p.index)).toEqual(Array.from({ length: n }, (_, i) => i));
      const mid = await node.metricPage(e, "m", 95, 10);
      expect(mid.data.map((p) => p.index)).toEqual([95, 96, 97, 98, 99, 100, 101, 102, 103, 104]);
    }
    expect((await b.metricStats(e, "m")).chunkedDataPoints).toBe("1200");
  });
});

test("one node seals a series at a time: with both nodes taking every batch and sealing at once, each chunk object is written once", async () => {
  await withTwoNodes(100, async (a, b) => {
    const puts = new Map<string, number>();
    for (const node of [a, b]) {
      const s3 = node.state.s3 as { put: (key: string, ...rest: never[]) => Promise<unknown> };
      const put = s3.put.bind(s3);
      s3.put = (key, ...rest) => (puts.set(key, (puts.get(key) ?? 0) + 1), put(key, ...rest));
    }
    const e = await open(a, "alice/p/once");
    const n = 2000;
    for (let at = 0; at < n; at += 50) {
      const batch = rows(Array.from({ length: 50 }, (_, i) => ({ v: at + i })));
      await Promise.all([a.append(e, M, batch, { start: at }), b.append(e, M, batch, { start: at })]);
    }
    const [series] = await a.state.run("t", (sql) => sql<{ id: string }[]>`select id from series`);
    await Promise.all([a.settle(), b.settle(), sealAll(a.state, series!.id, "metric"), sealAll(b.state, series!.id, "metric")]);
    await Promise.all([sealAll(a.state, series!.id, "metric"), sealAll(b.state, series!.id, "metric")]);
    // Every chunk sealed (none left for lack of a node to seal it), each object PUT once.
    const chunks = await a.state.run("t", (sql) => sql<{ chunk_no: number }[]>`select chunk_no from chunks order by chunk_no`);
    expect(chunks.map((c) => c.chunk_no)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect([...puts.keys()].filter((k) => k.startsWith("series/")).length).toBe(20);
    expect([...puts].filter(([k, c]) => k.startsWith("series/") && c > 1)).toEqual([]);
    expect((await b.metricPage(e, "m", 0, 5000)).data.map((p) => p.data["v"])).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

test("a batch that is exactly one chunk is sealed as the bytes it was stored as; the object holds the chunk's lines, checksum and all", async () => {
  await withTwoNodes(100, async (a, b) => {
    const e = await open(a, "alice/p/whole");
    // Chunks 0–2 from whole batches of 100 (their gzip is reused), chunks 3–4 from batches of 60 (compressed at the seal).
    for (let at = 0; at < 300; at += 100) await a.append(e, M, rows(Array.from({ length: 100 }, (_, i) => ({ v: at + i }))), { start: at });
    for (let at = 300; at < 540; at += 60) await b.append(e, M, rows(Array.from({ length: 60 }, (_, i) => ({ v: at + i }))), { start: at });
    await Promise.all([a.settle(), b.settle()]);
    const chunks = await a.state.run("t", (sql) => sql<{ chunk_no: number; object_key: string; sha256: string; byte_size: string }[]>`select chunk_no, object_key, sha256, byte_size from chunks order by chunk_no`);
    expect(chunks.map((c) => c.chunk_no)).toEqual([0, 1, 2, 3, 4]);
    for (const c of chunks) {
      const body = await a.state.s3.getBytes(c.object_key);
      expect(body.length).toBe(Number(c.byte_size));
      const lines = new Uint8Array(gunzipSync(body));
      expect(createHash("sha256").update(lines).digest("hex")).toBe(c.sha256);
      const records = new TextDecoder().decode(lines).trimEnd().split("\n").map((l) => JSON.parse(l) as { index: number; data: { v: number } });
      expect(records.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => c.chunk_no * 100 + i));
      expect(records.map((r) => r.data.v)).toEqual(Array.from({ length: 100 }, (_, i) => c.chunk_no * 100 + i));
    }
    expect((await b.metricPage(e, "m", 0, 1000)).data.map((p) => p.data["v"])).toEqual(Array.from({ length: 540 }, (_, i) => i));
  });
});

test("a batch that is exactly one chunk carries its seal's digest and summary from the append; the chunk rows equal what the sealed lines give", async () => {
  await withTwoNodes(100, async (a) => {
    const s3 = a.state.s3 as { put: (...args: never[]) => Promise<unknown> };
    const put = s3.put.bind(s3);
    s3.put = () => Promise.reject(new Error("S3 unreachable (injected)")); // the rows stay pending, to be looked at
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const e = await open(a, "alice/p/facts");
    const v = (i: number): number => (i === 150 ? NaN : i === 170 ? 1e9 : Math.sin(i));
    const batch = (from: number, n: number): ReturnType<typeof rows> => rows(Array.from({ length: n }, (_, i) => ({ step: from + i, v: v(from + i) })));
    // Chunk 0 from two partial batches, chunk 1 from one whole batch, chunk 2 partly.
    for (const [from, n] of [[0, 60], [60, 40], [100, 100], [200, 30]] as const) await a.append(e, M, batch(from, n), { start: from });
    await a.settle();
    const pending = await a.state.run("t", (sql) => sql<{ first_index: string; data: Uint8Array; chunk: (ChunkFacts & Record<string, unknown>) | null }[]>`
      select first_index, data, chunk from pending_batches order by first_index`);
    expect(pending.map((p) => [Number(p.first_index), p.chunk !== null])).toEqual([[0, false], [60, false], [100, true], [200, false]]);
    const whole = pending[2]!;
    const wholeLines = new Uint8Array(gunzipSync(whole.data));
    expect(whole.chunk).toEqual(JSON.parse(JSON.stringify(await chunkFacts("metric", wholeLines, 100))));
    s3.put = put;
    const [series] = await a.state.run("t", (sql) => sql<{ id: string }[]>`select id from series`);
    expect(await sealAll(a.state, series!.id, "metric")).toBe(2);
    warn.mockRestore();
    const chunks = await a.state.run("t", (sql) => sql<{ first_index: string; object_key: string; sha256: string; summary: unknown; ts_min: number | null; ts_max: number | null }[]>`
      select first_index, object_key, sha256, summary, ts_min, ts_max from chunks order by chunk_no`);
    expect(chunks.map((c) => Number(c.first_index))).toEqual([0, 100]);
    for (const c of chunks) {
      const lines = new Uint8Array(gunzipSync(await a.state.s3.getBytes(c.object_key)));
      const facts = JSON.parse(JSON.stringify(await chunkFacts("metric", lines, Number(c.first_index)))) as ChunkFacts;
      expect({ sha256: c.sha256, summary: c.summary, tsMin: c.ts_min, tsMax: c.ts_max }).toEqual(facts);
    }
    // The whole batch's object is the bytes it was stored as.
    expect(await a.state.s3.getBytes(chunks[1]!.object_key)).toEqual(new Uint8Array(whole.data));
    expect((await a.metricPage(e, "m", 0, 1000)).data.map((p) => p.data["step"])).toEqual(Array.from({ length: 230 }, (_, i) => i));
  });
});

test("a node seals the rows it appended from the bytes it kept, and forgets them once sealed; rows it did not append are read from PostgreSQL", async () => {
  await withTwoNodes(100, async (a, b) => {
    const [s3a, s3b] = [a, b].map((n) => n.state.s3 as { put: (...args: never[]) => Promise<unknown> });
    const put = s3a!.put.bind(s3a);
    s3a!.put = s3b!.put = () => Promise.reject(new Error("S3 unreachable (injected)")); // nothing seals until the test says
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const e = await open(a, "alice/p/kept");
    await a.append(e, M, rows(Array.from({ length: 100 }, (_, i) => ({ v: i }))), { start: 0 });
    await b.append(e, M, rows(Array.from({ length: 100 }, (_, i) => ({ v: 100 + i }))), { start: 100 });
    await a.append(e, M, rows(Array.from({ length: 10 }, (_, i) => ({ v: 200 + i }))), { start: 200 });
    await Promise.all([a.settle(), b.settle()]);
    const [series] = await a.state.run("t", (sql) => sql<{ id: string }[]>`select id from series`);
    const id = series!.id;
    expect([a.state.pendingBytes.get(id, 0, 100), a.state.pendingBytes.get(id, 100, 100), b.state.pendingBytes.get(id, 100, 100)].map((x) => x !== undefined)).toEqual([true, false, true]);
    // Row 0's bytes in PostgreSQL replaced: a seal that read them back would store these.
    const other = new Uint8Array(gzipSync(Array.from({ length: 100 }, (_, i) => `{"index": ${i}, "data": {"v": -1}, "createdAt": "x"}\n`).join("")));
    const [kept] = await a.state.run("t", (sql) => sql<{ data: Uint8Array }[]>`update pending_batches set data = ${other} where first_index = 0 returning (select data from pending_batches where first_index = 0) as data`);
    s3a!.put = put;
    expect(await sealAll(a.state, id, "metric")).toBe(2);
    warn.mockRestore();
    const keys = await a.state.run("t", (sql) => sql<{ object_key: string }[]>`select object_key from chunks order by chunk_no`);
    expect(await a.state.s3.getBytes(keys[0]!.object_key)).toEqual(new Uint8Array(kept!.data)); // from memory, not the replaced row
    expect(a.state.pendingBytes.get(id, 0, 100)).toBeUndefined();
    // Chunk 1 was b's: node a read it from PostgreSQL.
    expect((await a.metricPage(e, "m", 0, 1000)).data.map((p) => p.data["v"])).toEqual(Array.from({ length: 210 }, (_, i) => i));
  });
});

test("whole chunks at the sealed end go straight to S3 with the append: no pending row, no seal; a batch behind unsealed records waits for the seal (Node's compression and hash)", async () => {
  await withTwoNodes(100, async (a) => {
    const e = await open(a, "alice/p/direct");
    const F = streamId("metric", "f");
    const v = (i: number): number => (i === 130 ? NaN : Math.cos(i));
    await a.append(e, M, rows(Array.from({ length: 250 }, (_, i) => ({ step: i, v: v(i) }))), { start: 0 });
    // Straight after the answer, before any seal: chunks 0 and 1 are rows already, the tail is pending.
    const chunks = await a.state.run("t", (sql) => sql<{ first_index: string; object_key: string; sha256: string; summary: unknown; ts_min: number | null; ts_max: number | null }[]>`
      select first_index, object_key, sha256, summary, ts_min, ts_max from chunks order by chunk_no`);
    expect(chunks.map((c) => [Number(c.first_index), /^series\/\d+\/0000000\d-[0-9a-f]{8}\.jsonl\.gz$/.test(c.object_key)])).toEqual([[0, true], [100, true]]);
    for (const c of chunks) {
      const lines = new Uint8Array(gunzipSync(await a.state.s3.getBytes(c.object_key)));
      const facts = JSON.parse(JSON.stringify(await chunkFacts("metric", lines, Number(c.first_index)))) as ChunkFacts;
      expect({ sha256: c.sha256, summary: c.summary, tsMin: c.ts_min, tsMax: c.ts_max }).toEqual(facts);
    }
    const pending = async (): Promise<number[][]> =>
      (await a.state.run("t", (sql) => sql<{ first_index: string; count: number }[]>`select first_index, count from pending_batches order by series_id, first_index`)).map((p) => [Number(p.first_index), p.count]);
    expect(await pending()).toEqual([[200, 50]]);
    // Behind the pending tail, whole chunks wait: they are sealed in order, by the seal.
    await a.append(e, M, rows(Array.from({ length: 250 }, (_, i) => ({ step: 250 + i, v: v(250 + i) }))), { start: 250 });
    await a.settle();
    // A stream whose first batch is not whole: nothing goes straight to S3.
    await a.append(e, F, rows(Array.from({ length: 50 }, (_, i) => ({ step: i }))), { start: 0 });
    await a.append(e, F, rows(Array.from({ length: 250 }, (_, i) => ({ step: 50 + i }))), { start: 50 });
    await a.settle();
    const all = await a.state.run("t", (sql) => sql<{ name: string; first_index: string; object_key: string }[]>`
      select s.name, c.first_index, c.object_key from chunks c join series s on s.id = c.series_id order by s.name, c.chunk_no`);
    expect(all.map((c) => [c.name, Number(c.first_index), /-[0-9a-f]{8}\.jsonl\.gz$/.test(c.object_key)])).toEqual([
      ["f", 0, false], ["f", 100, false], ["f", 200, false],
      ["m", 0, true], ["m", 100, true], ["m", 200, false], ["m", 300, false], ["m", 400, false],
    ]);
    expect((await a.metricPage(e, "m", 0, 1000)).data.map((p) => p.data["step"])).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect((await a.metricPage(e, "f", 0, 1000)).data.map((p) => p.data["step"])).toEqual(Array.from({ length: 300 }, (_, i) => i));
  }, NODE_CLI);
});

test("two nodes storing the same whole chunks at once: each record once, one object per chunk referenced; a refused PUT leaves the chunks pending", async () => {
  await withTwoNodes(100, async (a, b) => {
    const e = await open(a, "alice/p/direct-race");
    const batch = rows(Array.from({ length: 200 }, (_, i) => ({ v: i })));
    const [ra, rb] = await Promise.all([a.append(e, M, batch, { start: 0 }), b.append(e, M, batch, { start: 0 })]);
    expect(ra.count + rb.count).toBe(200);
    const keys = (await a.state.run("t", (sql) => sql<{ object_key: string }[]>`select object_key from chunks order by chunk_no`)).map((c) => c.object_key);
    expect(keys).toHaveLength(2);
    const listed: string[] = [];
    for await (const o of a.state.s3.list("series/")) listed.push(o.key);
    expect(listed.filter((k) => keys.includes(k))).toHaveLength(2);
    expect((await a.metricPage(e, "m", 0, 1000)).data.map((p) => p.data["v"])).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // S3 refusing: the same kind of batch is stored pending, and sealed once S3 is back.
    const s3 = b.state.s3 as { put: (...args: never[]) => Promise<unknown> };
    const put = s3.put.bind(s3);
    s3.put = () => Promise.reject(new Error("S3 unreachable (injected)"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await b.append(e, M, rows(Array.from({ length: 200 }, (_, i) => ({ v: 200 + i }))), { start: 200 });
    await b.settle();
    const pending = await b.state.run("t", (sql) => sql<{ first_index: string }[]>`select first_index from pending_batches order by first_index`);
    expect(pending.map((p) => Number(p.first_index))).toEqual([200, 300]);
    s3.put = put;
    warn.mockRestore();
    const [series] = await b.state.run("t", (sql) => sql<{ id: string }[]>`select id from series`);
    expect(await sealAll(b.state, series!.id, "metric")).toBe(2);
    expect((await b.metricPage(e, "m", 0, 1000)).data.map((p) => p.data["v"])).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });
});

test("a retried unpositioned batch (same idempotency key) is stored once, whichever node gets the retry", async () => {
  await withTwoNodes(10_000, async (a, b) => {
    const e = await open(a, "alice/p/idem");
    const first = await a.append(e, M, rows([{ v: 1 }, { v: 2 }]), { idempotencyKey: "batch-1", writer: "w" });
    const again = await b.append(e, M, rows([{ v: 1 }, { v: 2 }]), { idempotencyKey: "batch-1", writer: "w" });
    const other = await b.append(e, M, rows([{ v: 3 }]), { idempotencyKey: "batch-2", writer: "w" });
    expect([first.count, again.count, again.skipped, again.first, other.first]).toEqual([2, 0, 2, 0, 2]);
    expect((await a.metricPage(e, "m", 0, 10)).data.map((p) => p.data["v"])).toEqual([1, 2, 3]);
  });
});

test("a big series charted from the chunks' summaries: spikes, gaps, first and last points, x values, without reading sealed points", async () => {
  await withTwoNodes(100, async (a, b) => {
    const e = await open(a, "alice/p/summary");
    const n = 5050;
    const v = (i: number): number => (i === 1234 ? 1e6 : i === 4321 ? -1e6 : i === 777 ? NaN : i % 7);
    await a.append(e, M, rows(Array.from({ length: n }, (_, i) => ({ step: i * 2, v: v(i) }))), { start: 0 });
    await a.settle();
    const [series] = await a.state.run("t", (sql) => sql<SeriesRow[]>`select * from series`);
    // Node b has read nothing of this series: its chunk cache is empty, so every sealed record would be an S3 read.
    const s = await summarySeries(b.state, series!, { y: "v", x: "default", bins: 100 });
    expect(s).toMatchObject({ xKey: "step", total: n, nextIndex: n, downsampled: true, exact: false, nonFinite: 1, bucketWidth: 64 });
    expect(s.y).toContain(1e6);
    expect(s.y).toContain(-1e6);
    expect(s.y).toContain(null);
    expect([s.i[0], s.i.at(-1)]).toEqual([0, n - 1]);
    expect(s.i.every((i, k) => k === 0 || i > (s.i[k - 1] as number))).toBe(true);
    expect(s.i.every((i, k) => s.x[k] === i * 2)).toBe(true);
    expect(s.i.every((i, k) => s.y[k] === null || s.y[k] === v(i))).toBe(true);
    const since = await summarySeries(b.state, series!, { y: "v", x: "index", bins: 100, since: 5000, bucketWidth: 64 });
    expect(since).toMatchObject({ reset: false, from: 4992 });
    expect(since.i.every((i) => i >= 4992)).toBe(true);
    expect(since.i.at(-1)).toBe(n - 1);
    const objects = (b.state.chunks as unknown as { entries: Map<string, unknown> }).entries.size;
    expect(objects).toBe(0);
  });
});
