/**
 * The first schema's promises, checked on a real PostgreSQL with several pools standing in for
 * several server processes: a retried batch is a no-op on any node, two nodes sealing the same
 * chunk leave exactly one, deleted rows queue their objects for deletion, one live file per name,
 * versioned params that never lose a version, and a 10M-point series summarised by 1,000 rows.
 *
 * The SQL here is the reference for the store that will implement these paths (issue 16).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { migrate } from "../../../src/server/stores/team/migrations.ts";
import { openPg, type Pg, type Sql } from "../../../src/server/stores/team/pg.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

let server: TestPostgres;
/** Four "server processes" on one database. */
let nodes: Pg[] = [];
let sql: Sql;
let nextId = 1000;

beforeAll(async () => {
  server = await startPostgres();
  nodes = Array.from({ length: 4 }, () => openPg({ url: server.url, max: 2 }));
  sql = nodes[0]!.sql;
  await migrate(sql);
});
afterAll(async () => {
  await Promise.all(nodes.map((p) => p.close(1).catch(() => {})));
  await server?.stop();
});

/** A namespace, project and experiment; answers the experiment id. */
async function experiment(): Promise<string> {
  const ns = String(++nextId);
  const project = String(++nextId);
  const exp = String(++nextId);
  await sql`insert into namespaces (id, slug) values (${ns}, ${"ns-" + ns})`;
  await sql`insert into projects (id, namespace_id, slug, name) values (${project}, ${ns}, 'p', 'p')`;
  await sql`insert into experiments (id, project_id, path, name, tags) values (${exp}, ${project}, ${`ns-${ns}/p/run`}, 'run', ${["a", "b"]})`;
  return exp;
}

async function series(experimentId: string, name = "train"): Promise<string> {
  const [row] = await sql<{ id: string }[]>`insert into series (experiment_id, kind, name) values (${experimentId}, 'metric', ${name}) returning id`;
  return row!.id;
}

const line = (i: number): Uint8Array => new TextEncoder().encode(`{"loss": ${i === 3 ? "NaN" : i / 10}, "_ts": ${i}}`);

/**
 * Appends a batch once per (series, writer, key): the reference ingest transaction. The series row
 * lock orders appenders; a batch seen before (or raced in by another node) answers its recorded
 * position instead of appending again.
 */
async function appendBatch(db: Sql, seriesId: string, writer: string, key: string, count: number): Promise<{ first: number; duplicate: boolean }> {
  return db.begin(async (tx) => {
    await tx`select 1 from series where id = ${seriesId} for update`;
    const [prior] = await tx<{ first_index: string }[]>`
      select first_index from accepted_batches where series_id = ${seriesId} and writer = ${writer} and batch_key = ${key}`;
    if (prior) return { first: Number(prior.first_index), duplicate: true };
    const [s] = await tx<{ first: string }[]>`update series set next_index = next_index + ${count} where id = ${seriesId} returning next_index - ${count} as first`;
    const first = Number(s!.first);
    await tx`insert into accepted_batches (series_id, writer, batch_key, first_index, count) values (${seriesId}, ${writer}, ${key}, ${first}, ${count})`;
    const rows = Array.from({ length: count }, (_, i) => ({ series_id: seriesId, idx: first + i, data: line(first + i) }));
    await tx`insert into recent_points ${tx(rows, "series_id", "idx", "data")}`;
    return { first, duplicate: false };
  });
}

/** The reference seal: the winner's chunk row and the deletion of its recent points, or nothing. */
async function seal(db: Sql, seriesId: string, chunkNo: number, first: number, last: number): Promise<string | undefined> {
  const objectKey = `series/${seriesId}/chunks/${chunkNo}-${randomUUID()}.jsonl`;
  return db.begin(async (tx) => {
    const won = await tx`
      insert into chunks (series_id, chunk_no, first_index, last_index, count, summary, object_key, byte_size)
      values (${seriesId}, ${chunkNo}, ${first}, ${last}, ${last - first + 1}, ${tx.json({ loss: { min: 0, max: 1, last: 1, count: last - first + 1, nan: 1 } })}, ${objectKey}, 123)
      on conflict do nothing
      returning object_key`;
    if (won.length === 0) return undefined; // the other node sealed it: delete our object, keep nothing
    await tx`delete from recent_points where series_id = ${seriesId} and idx between ${first} and ${last}`;
    return objectKey;
  });
}

describe("ingest", () => {
  test("a batch retried on every node at once is accepted exactly once", async () => {
    const s = await series(await experiment());
    const attempts = await Promise.all(nodes.flatMap((n) => [appendBatch(n.sql, s, "writer-1", "batch-0", 50), appendBatch(n.sql, s, "writer-1", "batch-0", 50)]));
    expect(attempts.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(attempts.map((a) => a.first))).toEqual(new Set([0]));
    expect(await appendBatch(nodes[3]!.sql, s, "writer-1", "batch-0", 50)).toEqual({ first: 0, duplicate: true });
    // The next batch continues the dense index; another writer's batch with the same key is its own.
    expect(await appendBatch(sql, s, "writer-1", "batch-1", 10)).toEqual({ first: 50, duplicate: false });
    expect(await appendBatch(sql, s, "writer-2", "batch-0", 5)).toEqual({ first: 60, duplicate: false });
    const [state] = await sql<{ next: string; points: number; distinct: number }[]>`
      select s.next_index as next, count(p.*)::int as points, count(distinct p.idx)::int as distinct
      from series s left join recent_points p on p.series_id = s.id where s.id = ${s} group by s.next_index`;
    expect(state).toEqual({ next: "65", points: 65, distinct: 65 });
  });

  test("a point index is stored once, and NaN survives in the point's bytes", async () => {
    const s = await series(await experiment());
    await appendBatch(sql, s, "w", "b", 5);
    const dup = await sql`insert into recent_points (series_id, idx, data) values (${s}, 3, ${line(3)})`.catch((e: { code?: string }) => e.code);
    expect(dup).toBe("23505");
    const [row] = await sql<{ data: Uint8Array }[]>`select data from recent_points where series_id = ${s} and idx = 3`;
    expect(new TextDecoder().decode(row!.data)).toBe('{"loss": NaN, "_ts": 3}');
  });
});

describe("sealing", () => {
  test("four nodes sealing the same chunk at once: one chunk row, its points leave the recent table once", async () => {
    const s = await series(await experiment());
    await appendBatch(sql, s, "w", "b0", 100);
    const winners = (await Promise.all(nodes.map((n) => seal(n.sql, s, 0, 0, 99)))).filter((k) => k !== undefined);
    expect(winners).toHaveLength(1);
    const chunks = await sql<{ object_key: string; count: number }[]>`select object_key, count from chunks where series_id = ${s}`;
    expect(chunks).toEqual([{ object_key: winners[0], count: 100 }]);
    const [left] = await sql<{ n: number }[]>`select count(*)::int as n from recent_points where series_id = ${s}`;
    expect(left?.n).toBe(0);
    // A partial chunk (a run that ended) then a later one starting after it: chunk numbers are sequential.
    await appendBatch(sql, s, "w", "b1", 30);
    expect(await seal(sql, s, 1, 100, 129)).toBeDefined();
    expect(await seal(sql, s, 2, 100, 129)).toBeUndefined(); // same points under another number: refused
  });

  test("a chunk row must describe its range consistently", async () => {
    const s = await series(await experiment());
    const bad = await sql`insert into chunks (series_id, chunk_no, first_index, last_index, count, object_key, byte_size) values (${s}, 0, 0, 9, 11, 'k-bad', 1)`.catch(
      (e: { code?: string }) => e.code,
    );
    expect(bad).toBe("23514");
  });

  test("a 10M-point series opens from 1,000 chunk summaries, spikes included", async () => {
    const s = await series(await experiment(), "long");
    await sql`
      insert into chunks (series_id, chunk_no, first_index, last_index, count, summary, object_key, byte_size)
      select ${s}, n, n * 10000, n * 10000 + 9999, 10000,
             jsonb_build_object('loss', jsonb_build_object('min', 1.0 / (n + 1), 'max', case when n = 777 then 1e6 else 2.0 / (n + 1) end, 'last', 1.5 / (n + 1), 'count', 10000, 'nan', 0)),
             'long/' || ${s}::text || '/' || n, 1
      from generate_series(0, 999) as n`;
    await sql`update series set next_index = 10000000 where id = ${s}`;
    const envelope = await sql<{ chunk_no: number; min: number; max: number }[]>`
      select chunk_no, (summary->'loss'->>'min')::float8 as min, (summary->'loss'->>'max')::float8 as max
      from chunks where series_id = ${s} order by chunk_no`;
    expect(envelope).toHaveLength(1000);
    expect(envelope.reduce((m, r) => Math.max(m, r.max), 0)).toBe(1e6);
    expect(envelope.find((r) => r.max === 1e6)?.chunk_no).toBe(777);
    const [total] = await sql<{ points: string }[]>`select sum(count)::bigint as points from chunks where series_id = ${s}`;
    expect(total?.points).toBe("10000000");
    // A zoom reads only the chunks that cover its range.
    const zoom = await sql<{ chunk_no: number }[]>`
      select chunk_no from chunks where series_id = ${s} and last_index >= ${5_012_345} and first_index <= ${5_031_000} order by chunk_no`;
    expect(zoom.map((r) => r.chunk_no)).toEqual([501, 502, 503]);
  });
});

describe("records", () => {
  test("deleting an experiment queues the objects of its files and chunks for deletion", async () => {
    const exp = await experiment();
    const s = await series(exp);
    await appendBatch(sql, s, "w", "b", 10);
    const chunkKey = await seal(sql, s, 0, 0, 9);
    const fileKey = `files/${exp}/models/${randomUUID()}/model.bin`;
    await sql`insert into files (id, experiment_id, path, filename, size_bytes, sha256, object_key) values (${String(++nextId)}, ${exp}, '/models', 'model.bin', 3, ${"a".repeat(64)}, ${fileKey})`;
    await sql`delete from experiments where id = ${exp}`;
    const queued = await sql<{ object_key: string }[]>`select object_key from object_gc where object_key = any(${[chunkKey!, fileKey]}) order by 1`;
    expect(queued.map((r) => r.object_key)).toEqual([chunkKey, fileKey].sort());
    const [orphans] = await sql<{ n: number }[]>`select (select count(*) from series where experiment_id = ${exp}) + (select count(*) from files where experiment_id = ${exp}) as n`;
    expect(Number(orphans?.n)).toBe(0);
  });

  test("one live file per folder and name; a soft-deleted one makes room for its replacement", async () => {
    const exp = await experiment();
    const insert = (id: string, key: string) =>
      sql`insert into files (id, experiment_id, path, filename, size_bytes, sha256, object_key) values (${id}, ${exp}, '/configs', 'c.json', 2, ${"b".repeat(64)}, ${key})`;
    const first = String(++nextId);
    await insert(first, `k-${first}`);
    const second = String(++nextId);
    expect(await insert(second, `k-${second}`).catch((e: { code?: string }) => e.code)).toBe("23505");
    await sql.begin(async (tx) => {
      await tx`update files set deleted_at = now() where id = ${first}`;
      await tx`insert into files (id, experiment_id, path, filename, size_bytes, sha256, object_key) values (${second}, ${exp}, '/configs', 'c.json', 2, ${"b".repeat(64)}, ${`k-${second}`})`;
    });
    const live = await sql<{ id: string }[]>`select id from files where experiment_id = ${exp} and deleted_at is null`;
    expect(live).toEqual([{ id: second }]);
  });

  test("params: every version kept; two nodes writing the next version cannot both win", async () => {
    const exp = await experiment();
    await sql`insert into params (experiment_id, version, data) values (${exp}, 1, ${sql.json({ lr: 0.1, "model.layers": 18 })})`;
    const results = await Promise.allSettled(
      nodes.slice(0, 2).map((n, i) => n.sql`insert into params (experiment_id, version, data) values (${exp}, 2, ${n.sql.json({ lr: 0.1 * (i + 2), "model.layers": 18 })})`),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["23505"]);
    const [current] = await sql<{ version: number }[]>`select version from params where experiment_id = ${exp} order by version desc limit 1`;
    expect(current?.version).toBe(2);
    const [history] = await sql<{ n: number }[]>`select count(*)::int as n from params where experiment_id = ${exp}`;
    expect(history?.n).toBe(2);
  });

  test("experiments are found by path and filtered by tag", async () => {
    const exp = await experiment();
    const rows = await sql<{ id: string }[]>`select id from experiments where tags @> ${["b"]} and id = ${exp}`;
    expect(rows).toEqual([{ id: exp }]);
    const dup = await sql`insert into experiments (id, project_id, path, name) select ${String(++nextId)}, project_id, path, name from experiments where id = ${exp}`.catch(
      (e: { code?: string }) => e.code,
    );
    expect(dup).toBe("23505");
  });
});
