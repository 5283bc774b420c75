/**
 * Housekeeping of the team store (store-housekeeping.ts) on a real PostgreSQL and an s3rver:
 * accepted-batch keys past the retention window are pruned (and the SDK's positioned batches
 * stay exactly-once without them), and objects no row references — the `object_gc` queue a dead
 * node left, a file whose record was never inserted, a chunk of a seal that never committed —
 * are deleted, while every referenced object and every young one stays.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { open, rows } from "../../contract/run-store-contract.ts";
import { saving } from "../../contract/run-store-files.ts";
import { streamId } from "../../../src/model/batch.ts";
import { openPg } from "../../../src/server/stores/team/pg.ts";
import { ACCEPTED_BATCH_RETENTION_MS, housekeep, OBJECT_GRACE_MS, pruneAcceptedBatches, STRAY_SWEEP_MARKER, sweepObjects } from "../../../src/server/stores/team/store-housekeeping.ts";
import { startHousekeeping } from "../../../src/cli/serve-team.ts";
import { sealAll } from "../../../src/server/stores/team/store-seal.ts";
import { teamStore, type TeamStore } from "../../../src/server/stores/team/store.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { clientFor } from "./s3-helpers.ts";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let pg: TestPostgres;
let s3: TestS3;
const BUCKET = "team-housekeeping";
const M = streamId("metric", "m");
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] })]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

async function freshStore(chunkSize = 10_000): Promise<TeamStore> {
  const store = teamStore({ pg: openPg({ url: await pg.createDatabase(), max: 4 }), s3: clientFor(s3, `s3://${BUCKET}/${randomUUID()}`), chunkSize });
  await store.ready();
  return store;
}

async function objectKeys(store: TeamStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.state.s3.list("")) if (o.key !== STRAY_SWEEP_MARKER) keys.push(o.key);
  return keys.sort();
}

test("the retention window is a week, the object grace period a day", () => {
  expect(ACCEPTED_BATCH_RETENTION_MS).toBe(7 * DAY);
  expect(OBJECT_GRACE_MS).toBe(DAY);
});

test("accepted batches older than the window are pruned, newer ones kept and still answer a retry; positioned batches stay exactly-once without them", async () => {
  const store = await freshStore();
  try {
    const e = await open(store, "alice/p/keys");
    // Three unpositioned keyed batches (another client's), and two of the SDK's (key ends in the position).
    for (const k of ["old-1", "old-2", "new-1"]) await store.append(e, M, rows([{ k }]), { idempotencyKey: k });
    await store.append(e, M, rows([{ v: 0 }, { v: 1 }]), { start: 0 + 3, idempotencyKey: `${e.id}:metric:m:3` });
    await store.append(e, M, rows([{ v: 2 }]), { start: 5, idempotencyKey: `${e.id}:metric:m:5` });
    // Only the unpositioned batches' keys are kept: a positioned batch is checked by its position.
    const all = await store.state.run("t", (sql) => sql<{ batch_key: string }[]>`select batch_key from accepted_batches order by batch_key`);
    expect(all.map((r) => r.batch_key)).toEqual(["new-1", "old-1", "old-2"]);
    // Age every key but new-1 past the window (and one just inside it, which stays).
    await store.state.run("t", (sql) => sql`update accepted_batches set accepted_at = now() - interval '8 days' where batch_key <> 'new-1'`);
    await store.state.run("t", (sql) => sql`update accepted_batches set accepted_at = now() - interval '6 days' where batch_key = 'new-1'`);
    expect(await pruneAcceptedBatches(store.state)).toBe(2);
    expect(await pruneAcceptedBatches(store.state)).toBe(0);
    const left = await store.state.run("t", (sql) => sql<{ batch_key: string }[]>`select batch_key from accepted_batches`);
    expect(left.map((r) => r.batch_key)).toEqual(["new-1"]);
    // A retry of a kept key is still a no-op; so is a retry of a pruned positioned batch (its position guards it).
    expect(await store.append(e, M, rows([{ k: "new-1" }]), { idempotencyKey: "new-1" })).toMatchObject({ count: 0 });
    expect(await store.append(e, M, rows([{ v: 0 }, { v: 1 }]), { start: 3, idempotencyKey: `${e.id}:metric:m:3` })).toMatchObject({ count: 0 });
    const [series] = await store.state.run("t", (sql) => sql<{ next_index: string }[]>`select next_index from series`);
    expect(Number(series?.next_index)).toBe(6);
    // A day later new-1 is past the window too.
    expect(await pruneAcceptedBatches(store.state, { now: new Date(Date.now() + 2 * DAY) })).toBe(1);
  } finally {
    await store.close();
  }
});

test("objects no row references are deleted once past the grace period; referenced and young ones stay; a dead node's gc queue is drained", async () => {
  const store = await freshStore(10);
  const s3c = store.state.s3;
  try {
    const e = await open(store, "alice/p/objects");
    // A sealed chunk (referenced) and a saved file (referenced).
    await store.append(e, M, rows(Array.from({ length: 25 }, (_, i) => ({ i }))), { start: 0 });
    await store.settle();
    const [series] = await store.state.run("t", (sql) => sql<{ id: string }[]>`select id from series`);
    await sealAll(store.state, series!.id, "metric");
    const kept = await store.saveFile(e, saving("/models", "m.txt", "weights"));
    const doomed = await store.saveFile(e, saving("/models", "gone.txt", "old weights"));
    const referenced = await objectKeys(store);
    expect(referenced.filter((k) => k.startsWith("series/"))).toHaveLength(2);
    expect(referenced.filter((k) => k.startsWith("files/"))).toHaveLength(2);
    // A node deleted a file's row and died before deleting its object: the trigger queued the key.
    const [gone] = await store.state.run("t", (sql) => sql<{ object_key: string }[]>`delete from files where id = ${doomed.id} returning object_key`);
    // A file uploaded by a node that died before inserting its record, and the chunk of a seal that never committed.
    const strayFile = `files/${e.id}/999999`;
    const strayChunk = `series/${series!.id}/99999999.jsonl.gz`;
    await s3c.put(strayFile, new TextEncoder().encode("orphan"));
    await s3c.put(strayChunk, new TextEncoder().encode("orphan chunk"));

    // Now: the queue is drained (its key is known dead), the young strays stay.
    expect(await sweepObjects(store.state)).toEqual({ queued: 1, stray: 0 });
    let keys = await objectKeys(store);
    expect(keys).not.toContain(gone!.object_key);
    expect(keys).toContain(strayFile);
    expect(keys).toContain(strayChunk);
    expect(await store.state.run("t", (sql) => sql`select 1 from object_gc`)).toHaveLength(0);

    // Two days on: the strays go, everything a row references stays and reads back.
    const later = new Date(Date.now() + 2 * DAY);
    expect(await housekeep(store.state, { now: later })).toEqual({ prunedBatches: 0, queuedObjects: 0, strayObjects: 2, listed: true, sealedChunks: 0 });
    keys = await objectKeys(store);
    expect(keys).toEqual(referenced.filter((k) => k !== gone!.object_key));
    expect(await new Response(await store.readFile(e, kept)).text()).toBe("weights");
    const page = await store.metricPage(e, "m", 0, 100);
    expect(page.data.map((p) => (p.data as { i: number }).i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // Idempotent: a second listing finds nothing.
    expect(await sweepObjects(store.state, { now: later })).toEqual({ queued: 0, stray: 0 });

    // The bucket is listed once a day for all nodes: a round within the day (the marker is fresh)
    // leaves even an old stray for the next listing, which takes it.
    const another = `files/${e.id}/888888`;
    await s3c.put(another, new TextEncoder().encode("orphan"));
    const soon = { now: new Date(Date.now() + 1000), objectGraceMs: 0 };
    expect(await housekeep(store.state, soon)).toEqual({ prunedBatches: 0, queuedObjects: 0, strayObjects: 0, listed: false, sealedChunks: 0 });
    expect(await objectKeys(store)).toContain(another);
    expect(await housekeep(store.state, { ...soon, strayEveryMs: 0 })).toEqual({ prunedBatches: 0, queuedObjects: 0, strayObjects: 1, listed: true, sealedChunks: 0 });
    expect(await objectKeys(store)).not.toContain(another);
  } finally {
    await store.close();
  }
});

test("full chunks an append's seal left pending (S3 down at the time) are sealed by the next round, and only they", async () => {
  const store = await freshStore(100);
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  const s3 = store.state.s3 as { put: (...args: never[]) => Promise<unknown> };
  const put = s3.put.bind(s3);
  try {
    const e = await open(store, "alice/p/leftover");
    const other = await open(store, "alice/p/short");
    s3.put = () => Promise.reject(new Error("S3 unreachable (injected)"));
    for (let at = 0; at < 250; at += 50) await store.append(e, M, rows(Array.from({ length: 50 }, (_, i) => ({ v: at + i }))), { start: at });
    await store.append(other, M, rows([{ v: 0 }]), { start: 0 }); // no full chunk: nothing to seal there
    await store.settle();
    expect(warn.mock.calls.some(([m]) => String(m).includes("S3 unreachable (injected)"))).toBe(true);
    expect(await store.state.run("t", (sql) => sql`select 1 from chunks`)).toHaveLength(0);

    s3.put = put;
    expect((await housekeep(store.state)).sealedChunks).toBe(2);
    const chunks = await store.state.run("t", (sql) => sql<{ first_index: string }[]>`select first_index from chunks order by first_index`);
    expect(chunks.map((c) => Number(c.first_index))).toEqual([0, 100]);
    expect((await store.metricPage(e, "m", 0, 1000)).data.map((p) => (p.data as { v: number }).v)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect((await housekeep(store.state)).sealedChunks).toBe(0); // idempotent: the 50 left are no full chunk
  } finally {
    s3.put = put;
    warn.mockRestore();
    await store.close();
  }
});

test("ml-dash serve's schedule runs a round, says what it removed, and stops after the round in progress", async () => {
  const store = await freshStore();
  try {
    const e = await open(store, "alice/p/schedule");
    await store.append(e, M, rows([{ k: 1 }]), { idempotencyKey: "stale" });
    await store.state.run("t", (sql) => sql`update accepted_batches set accepted_at = now() - interval '30 days'`);
    let said: (line: string) => void = () => undefined;
    const line = new Promise<string>((resolve) => (said = resolve));
    const schedule = startHousekeeping(store, { firstAfterMs: 0, everyMs: 3600_000, log: (l) => said(l) });
    expect(await line).toBe("ml-dash team store: housekeeping pruned 1 accepted batch key(s), deleted 0 unreferenced object(s), sealed 0 chunk(s) left pending");
    await schedule.stop();
    expect(await store.state.run("t", (sql) => sql`select 1 from accepted_batches`)).toHaveLength(0);
  } finally {
    await store.close();
  }
});
