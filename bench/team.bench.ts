/**
 * The team server's figures (issue 16), all in one run so the ratios hold on a shared machine:
 *
 * 1. ingest points/s from CLIENTS remote-only clients through one round-robin proxy (no faults)
 *    to: one `ml-dash serve --root` (.dash store), one team node, three team nodes — the team
 *    nodes on one PostgreSQL and one s3rver (a local S3 that writes every object to disk);
 * 2. bytes stored per point: the .dash tree on disk; the team store's S3 objects, pending rows and
 *    PostgreSQL relations of the series;
 * 3. time to open a 1M- and a 10M-point metric from the team store: the dashboard's first series
 *    request (1,000 buckets) answered by a fresh store (empty caches), in-process.
 *
 * Sizes: TEAM_BENCH_POINTS (comma-separated totals, default 200000,1000000), TEAM_BENCH_OPEN
 * (default 1000000,10000000), TEAM_BENCH_NODES (team node counts, default 1,3), TEAM_BENCH_WARMUP
 * (points ingested before each row is measured, default 1500000).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { Experiment } from "../src/index.ts";
import { parsePrefix } from "../src/model/prefix.ts";
import { streamId } from "../src/model/batch.ts";
import { newColumnBlock } from "../src/model/metric-block.ts";
import { openPg } from "../src/server/stores/team/pg.ts";
import { S3Client } from "../src/server/stores/team/s3.ts";
import { s3ConfigFromEnv } from "../src/server/stores/team/s3-config.ts";
import { teamStore, type TeamStore } from "../src/server/stores/team/store.ts";
import { SUMMARY_ROWS } from "../src/server/stores/team/store-series.ts";
import { bundleCli, start } from "../test/support/child.ts";
import { tempDir } from "../test/support/node-fixtures.ts";
import { startPostgres } from "../test/support/postgres.ts";
import { startProxy } from "../test/support/faulty-proxy.ts";
import { startS3rver, type TestS3 } from "../test/support/s3rver.ts";

const CLIENTS = 4;
const TOKEN = "bench-token-123456";
const BUCKET = "team-bench";
const list = (v: string): number[] => v.split(",").filter(Boolean).map(Number);
const sizes = list(process.env["TEAM_BENCH_POINTS"] ?? "200000,1000000");
const opens = list(process.env["TEAM_BENCH_OPEN"] ?? "1000000,10000000");
const nodeCounts = list(process.env["TEAM_BENCH_NODES"] ?? "1,3");
/**
 * Points each configuration ingests before it is measured: a server runs for days, and a fresh
 * process spends its first requests compiling, each of three nodes on its own: profiled cold
 * at 1M points (28 requests), three nodes spent 954 ms encoding lines where one spent 252. With
 * 400k points of warm-up three nodes still spent 3.2 µs of CPU per point against one node's 1.9;
 * with 1.5M (about ten requests per node), 2.7 against 2.4.
 */
const WARMUP = Number(process.env["TEAM_BENCH_WARMUP"] ?? 1_500_000);

const env = (s3: TestS3): Record<string, string> => ({ AWS_ENDPOINT_URL: s3.endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey });

async function serve(cli: string, args: string[], extraEnv: Record<string, string>): Promise<{ url: string; stop(): Promise<unknown> }> {
  let kill: () => void = () => undefined;
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((r) => (listening = r));
  const exited = start(cli, {
    args: ["serve", ...args, "--port", "0", "--token", TOKEN],
    env: extraEnv,
    onLine: (line, c) => {
      kill = () => c.kill("SIGTERM");
      const m = /ml-dash server: (http:\/\/[^/\s]+)\/api/.exec(line);
      if (m) listening(m[1] as string);
    },
  });
  const first = await Promise.race([url, exited]);
  if (typeof first !== "string") throw new Error(`serve exited: ${first.stderr}`);
  return { url: first, stop: () => (kill(), exited) };
}

/** The roles whose CPU the ingest rows report (a process of none of them is not counted). */
type Role = "nodes" | "postgres" | "s3rver" | "clients";

/**
 * CPU seconds so far (user + system, every thread) of the processes of each role, from /proc
 * (Linux; `null` elsewhere). A serve node is a process running the bundled CLI `cli`;
 * PostgreSQL's processes name themselves `postgres…`; this process holds the clients and proxy.
 * Processes that exit between two readings lose their share: the nodes are read before they stop.
 */
function cpuByRole(cli: string): Record<Role, number> | null {
  if (!existsSync("/proc/self/stat")) return null;
  const out: Record<Role, number> = { nodes: 0, postgres: 0, s3rver: 0, clients: 0 };
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    let cmd: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    const role: Role | undefined =
      Number(pid) === process.pid ? "clients" : cmd.includes(cli) ? "nodes" : cmd.includes("s3rver-child") ? "s3rver" : /^postgres[:\0]|\/postgres\0/.test(cmd) ? "postgres" : undefined;
    if (!role) continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out[role] += (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  }
  return out;
}

/** CPU microseconds per point of each role between two {@link cpuByRole} readings. */
function cpuPerPoint(before: Record<Role, number> | null, after: Record<Role, number> | null, points: number): Record<Role, number> | null {
  if (!before || !after) return null;
  const per = (r: Role): number => +(((after[r] - before[r]) * 1e6) / points).toFixed(1);
  return { nodes: per("nodes"), postgres: per("postgres"), s3rver: per("s3rver"), clients: per("clients") };
}

/** {@link cpuByRole} once the nodes used no CPU for 300 ms (their sealing done), or after 30 s. */
async function quiet(cli: string): Promise<Record<Role, number> | null> {
  let last = cpuByRole(cli);
  for (let waited = 0; last && waited < 30_000; waited += 300) {
    await new Promise((r) => setTimeout(r, 300));
    const now = cpuByRole(cli);
    if (!now || now.nodes - last.nodes < 0.01) return now;
    last = now;
  }
  return last;
}

/** Seconds for CLIENTS clients to log `total` points through `url` and flush. */
async function ingest(url: string, total: number, tag: string): Promise<number> {
  const per = Math.floor(total / CLIENTS);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, k) => {
      const exp = new Experiment(`bench/${tag}/run-${k}`, { dashUrl: url, token: TOKEN, storage: null, echo: false, buffer: { maxBatch: 10_000 } });
      await exp.run(async (e) => {
        const m = e.metrics("train");
        for (let i = 0; i < per; ) {
          for (const end = Math.min(per, i + 5000); i < end; i++) m.log({ step: i, loss: 1 / (i + 1) });
          await new Promise((r) => setTimeout(r, 0));
        }
      });
    }),
  );
  return (performance.now() - t0) / 1000;
}

function duBytes(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

async function teamBytes(store: TeamStore): Promise<{ s3: number; pg: number }> {
  const [r] = await store.state.run("bench", (sql) => sql<{ s3: string; pending: string; pg: string }[]>`
    select (select coalesce(sum(byte_size), 0) from chunks) as s3,
           (select coalesce(sum(octet_length(data)), 0) from pending_batches) as pending,
           pg_total_relation_size('pending_batches') + pg_total_relation_size('chunks') + pg_total_relation_size('series') + pg_total_relation_size('accepted_batches') as pg`);
  return { s3: Number(r?.s3 ?? 0), pg: Number(r?.pg ?? 0) };
}

/** Writes `n` points into a fresh run directly through the store (50k per append), then seals. */
async function fill(store: TeamStore, n: number, path: string): Promise<void> {
  const ref = await store.openExperiment({ prefix: parsePrefix(path), description: undefined, tags: undefined, bindrs: undefined, metadata: undefined });
  for (let at = 0; at < n; at += 50_000) {
    const len = Math.min(50_000, n - at);
    const b = newColumnBlock(["step", "loss"], len);
    for (let i = 0; i < len; i++) {
      (b.cols[0] as Float64Array)[i] = at + i;
      (b.cols[1] as Float64Array)[i] = Math.sin((at + i) / 1000) + ((at + i) % 100_003 === 0 ? 10 : 0);
      b.ts[i] = 1_700_000_000 + (at + i) / 1000;
    }
    b.length = len;
    await store.append(ref, streamId("metric", "m"), { kind: "metric", blocks: [b] }, { start: at });
  }
  await store.settle();
}

const pg = await startPostgres();
const s3 = await startS3rver({ buckets: [BUCKET] });
const cli = await bundleCli();
const out: Record<string, unknown>[] = [];
try {
  for (const total of sizes) {
    const row: Record<string, unknown> = { points: total };
    // .dash store, one node.
    const root = tempDir("bench-dash");
    const dash = await serve(cli, ["--root", root], {});
    const p1 = await startProxy([dash.url], { rate: 0 });
    await ingest(p1.url, WARMUP, "dash-warm");
    let cpu0 = cpuByRole(cli);
    row["dashPtsPerSec"] = Math.round(total / (await ingest(p1.url, total, "dash")));
    row["dashCpu"] = cpuPerPoint(cpu0, cpuByRole(cli), total);
    await p1.close();
    await dash.stop();
    row["dashBytesPerPoint"] = +(duBytes(root) / (total + WARMUP)).toFixed(1);
    for (const nodes of nodeCounts) {
      const db = await pg.createDatabase();
      const blobs = `s3://${BUCKET}/${randomUUID()}`;
      const first = await serve(cli, ["--store", db, "--blobs", blobs], env(s3));
      const rest = await Promise.all(Array.from({ length: nodes - 1 }, () => serve(cli, ["--store", db, "--blobs", blobs], env(s3))));
      const all = [first, ...rest];
      const proxy = await startProxy(all.map((n) => n.url), { rate: 0 });
      await ingest(proxy.url, WARMUP, `team${nodes}-warm`);
      await quiet(cli);
      cpu0 = cpuByRole(cli);
      row[`team${nodes}PtsPerSec`] = Math.round(total / (await ingest(proxy.url, total, `team${nodes}`)));
      // Sealing runs behind the acknowledgements: wait for the nodes to go quiet before reading.
      row[`team${nodes}Cpu`] = cpuPerPoint(cpu0, await quiet(cli), total);
      await proxy.close();
      await Promise.all(all.map((n) => n.stop()));
      if (nodes === 1) {
        const store = teamStore({ pg: openPg({ url: db, max: 2 }), s3: new S3Client(s3ConfigFromEnv(blobs, env(s3))), migrate: false });
        const b = await teamBytes(store);
        row["teamS3BytesPerPoint"] = +(b.s3 / (total + WARMUP)).toFixed(1);
        row["teamPgBytesPerPoint"] = +(b.pg / (total + WARMUP)).toFixed(1);
        await store.close();
      }
    }
    out.push(row);
    console.log(JSON.stringify(row));
  }
  for (const n of opens) {
    const db = await pg.createDatabase();
    const blobs = `s3://${BUCKET}/${randomUUID()}`;
    const make = (): TeamStore => teamStore({ pg: openPg({ url: db, max: 4 }), s3: new S3Client(s3ConfigFromEnv(blobs, env(s3))) });
    const writer = make();
    await writer.ready();
    const t0 = performance.now();
    await fill(writer, n, "bench/open/run");
    const fillSeconds = (performance.now() - t0) / 1000;
    await writer.close();
    const reader = make();
    await reader.ready();
    const t1 = performance.now();
    const ref = await reader.run("bench/open/run");
    const series = await reader.series(ref!, "m");
    const answer = await series!.query({ y: "loss", x: "default", bins: 1000 });
    const openMs = Math.round(performance.now() - t1);
    await reader.close();
    const row = { openPoints: n, openMs, drawn: answer.i.length, fromSummaries: n > SUMMARY_ROWS, fillPtsPerSec: Math.round(n / fillSeconds) };
    console.log(JSON.stringify(row));
  }
} finally {
  await s3.stop();
  await pg.stop();
}
