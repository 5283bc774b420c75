/**
 * The team server's acceptance run (issue 16): three `ml-dash serve --store postgres://…
 * --blobs s3://…` processes on one PostgreSQL and one s3rver, behind a round-robin proxy that
 * injects faults (dropped connections, bursts of 500, 429 with Retry-After, answers lost after
 * the node stored the batch); 8 clients log their points in remote-only mode; one node is
 * killed with SIGKILL in the middle of the run and restarted. Afterwards every client's points
 * are there exactly once, in order — nothing a node acknowledged was lost with it.
 *
 * Points per client: MLDASH_TEAM_POINTS (default 20,000 — 160k in all; the 100,000 per
 * client runs with MLDASH_TEAM_POINTS=100000, which takes several minutes on a loaded 2-core
 * machine).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { Experiment } from "../../../src/index.ts";
import { streamId } from "../../../src/model/batch.ts";
import { openPg } from "../../../src/server/stores/team/pg.ts";
import { teamStore } from "../../../src/server/stores/team/store.ts";
import { bundleCli } from "../../support/child.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startProxy, type FaultyProxy } from "../../support/faulty-proxy.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { clientFor } from "./s3-helpers.ts";
import { startTeamNode, type TeamNode } from "./team-node.ts";

const POINTS = Number(process.env["MLDASH_TEAM_POINTS"] ?? 20_000);
const CLIENTS = 8;
vi.setConfig({ testTimeout: Math.max(600_000, POINTS * 30), hookTimeout: 300_000 });

const BUCKET = "team-nodes";
const TOKEN = "team-token-123456";
let pg: TestPostgres;
let s3: TestS3;
let cli: string;

beforeAll(async () => {
  [pg, s3, cli] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] }), bundleCli()]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

type Node = TeamNode;

function startNode(store: string, blobs: string): Promise<Node> {
  return startTeamNode(cli, s3, { store, blobs, token: TOKEN });
}

/** Logs POINTS points (`{ i, loss }`) in steps that yield, as a training loop does. */
async function train(exp: Experiment, progress: () => void): Promise<void> {
  await exp.run(async (e) => {
    const m = e.metrics("train");
    for (let i = 0; i < POINTS; ) {
      for (const end = Math.min(POINTS, i + 500); i < end; i++) m.log({ i, loss: 1 / (i + 1) });
      if (i % 5000 === 0) e.logs.info(`step ${i}`);
      progress();
      await new Promise((r) => setTimeout(r, 1));
    }
  });
}

test(`three nodes behind a faulty round-robin proxy, ${CLIENTS} clients × ${POINTS} points, one node SIGKILLed and restarted: every point once, in order`, async () => {
  const dbUrl = await pg.createDatabase();
  const blobs = `s3://${BUCKET}/${randomUUID()}`;
  // The first node migrates alone; the others start against the current schema.
  const nodes: Node[] = [await startNode(dbUrl, blobs)];
  nodes.push(...(await Promise.all([startNode(dbUrl, blobs), startNode(dbUrl, blobs)])));
  const proxy: FaultyProxy = await startProxy(
    nodes.map((n) => n.url),
    { rate: 0.2, seed: 3, retryAfter: 1, kinds: ["drop", "500", "429", "lost-response"] },
  );
  try {
    let logged = 0;
    let killed: Promise<void> | undefined;
    let servedBeforeRestart = Infinity;
    const total = CLIENTS * POINTS;
    const progress = (): void => {
      logged += 500;
      // Mid-run (a third of the points logged), node 1 dies without warning and comes back.
      if (killed === undefined && logged >= total / 3) {
        killed = (async () => {
          const victim = nodes[1] as Node;
          victim.child.kill("SIGKILL");
          await victim.exited;
          const again = await startNode(dbUrl, blobs);
          nodes[1] = again;
          proxy.setTarget(1, again.url);
          servedBeforeRestart = proxy.served[1] as number;
        })();
      }
    };
    const remote = { retries: 8, backoffMs: 20, maxBackoffMs: 1500, timeoutMs: 20_000 };
    const runs = Array.from({ length: CLIENTS }, (_, k) => new Experiment(`team/multi/run-${k}`, { dashUrl: proxy.url, token: TOKEN, storage: null, echo: false, remote, buffer: { maxBatch: 2000 } }));
    await Promise.all(runs.map((r) => train(r, progress)));
    await killed;
    expect(runs.reduce((n, r) => n + r.stats.dropped, 0)).toBe(0);
    const c = proxy.counts;
    for (const k of ["drop", "500", "429", "lost-response"] as const) expect(c[k], k).toBeGreaterThan(0);
    expect(proxy.served.every((n) => n > 0)).toBe(true);
    expect(proxy.served[1], "the restarted node served requests").toBeGreaterThan(servedBeforeRestart);

    // Read back through a store of our own on the same database and bucket.
    const store = teamStore({ pg: openPg({ url: dbUrl, max: 2 }), s3: clientFor(s3, blobs), migrate: false });
    try {
      for (let k = 0; k < CLIENTS; k++) {
        const ref = await store.run(`team/multi/run-${k}`);
        expect(ref, `run-${k}`).toBeDefined();
        const stream = (await store.streams(ref!)).find((s) => s.stream.key === streamId("metric", "train").key);
        expect(stream?.next, `run-${k} points`).toBe(POINTS);
        let wrong = -1;
        for (let at = 0; at < POINTS && wrong < 0; at += 10_000) {
          const page = await store.metricPage(ref!, "train", at, 10_000);
          const bad = page.data.findIndex((p, j) => p.index !== at + j || p.data["i"] !== at + j || p.data["loss"] !== 1 / (at + j + 1));
          if (bad >= 0 || page.data.length !== Math.min(10_000, POINTS - at)) wrong = at + Math.max(0, bad);
        }
        expect(wrong, `run-${k}: first wrong point`).toBe(-1);
        expect((await store.describe(ref!)).status).toBe("COMPLETED");
        expect((await store.logs(ref!)).total).toBe(Math.floor(POINTS / 5000));
      }
      const [sealed] = await store.state.run("t", (sql) => sql<{ n: number }[]>`select count(*)::int as n from chunks`);
      expect(sealed?.n).toBeGreaterThanOrEqual(CLIENTS * Math.floor(POINTS / 10_000) - CLIENTS);
    } finally {
      await store.close();
    }
  } finally {
    await proxy.close();
    for (const n of nodes) n.child.kill("SIGTERM");
    await Promise.all(nodes.map((n) => n.exited));
  }
});
