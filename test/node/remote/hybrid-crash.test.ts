/**
 * The local store is the write-ahead log: a hybrid run whose process is killed (SIGKILL)
 * halfway, while the server is still behind, is completed by a second process on the same
 * root, and the server ends with every point exactly once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import { bundle, start } from "../../support/child.ts";
import { startFaultyProxy } from "../../support/faults.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ token: "tok-123456789" });
});
afterAll(async () => srv.close());

const PREFIX = "alice/crash/hybrid-run";

const writer = `
  import { Experiment } from "ml-dash";
  const from = Number(process.env.FROM), to = Number(process.env.TO);
  const exp = new Experiment("${PREFIX}", { dashUrl: process.env.URL, token: "tok-123456789", dashRoot: process.env.ROOT, echo: false, buffer: { maxBatch: 1000 } });
  await exp.run.start();
  for (let i = from; i < to; ) {
    for (const end = i + 1000; i < end; i++) exp.metrics("train").log({ i, loss: 1 / (i + 1) });
    exp.tracks("pose").append({ i, _ts: i });
    await new Promise((r) => setImmediate(r));
  }
  console.log("LOGGED");
  if (process.env.HANG) setInterval(() => {}, 1000); // killed from outside while the upload lags
  else await exp.run.complete();
`;

async function serverPoints(): Promise<{ index: number; data: { i: number } }[]> {
  const b = await srv.storage.read(`${PREFIX}/metrics/train/data.jsonl`);
  return b ? parseJsonLines<{ index: number; data: { i: number } }>(b).records : [];
}

test("a hybrid run killed halfway is completed by the next process: the server holds every point once", async () => {
  const root = tempDir("crash-root");
  const script = await bundle(writer);
  // The first process talks to the server through a proxy that answers slowly, so its upload lags.
  const proxy = await startFaultyProxy(srv.url, { rate: 1, kinds: ["slow"], slowMs: 400 });
  const localFile = join(root, PREFIX, "metrics/train/data.jsonl");
  const localCount = (): number => {
    try {
      return readFileSync(localFile, "utf8").split("\n").length - 1;
    } catch {
      return 0;
    }
  };
  let serverAtKill = -1;
  try {
    const first = await start(script, {
      env: { URL: proxy.url, ROOT: root, FROM: "0", TO: "30000", HANG: "1" },
      onLine: (line, child) => {
        if (line !== "LOGGED") return;
        // Kill once the local store holds everything and the server part of it.
        let busy = false;
        const poll = setInterval(() => {
          if (busy || localCount() < 30_000) return;
          busy = true;
          void serverPoints().then((p) => {
            busy = false;
            if (p.length === 0 || serverAtKill >= 0) return;
            clearInterval(poll);
            serverAtKill = p.length;
            child.kill("SIGKILL");
          });
        }, 20);
      },
    });
    expect(first.signal).toBe("SIGKILL");
  } finally {
    await proxy.close();
  }
  expect(localCount()).toBe(30_000);
  expect(serverAtKill).toBeGreaterThan(0);
  expect(serverAtKill).toBeLessThan(30_000); // the server really was behind when the process died
  // The second process resumes the run (same root, the server directly) and goes on to 50k.
  const second = await start(script, { env: { URL: srv.url, ROOT: root, FROM: "30000", TO: "50000" } });
  expect(second.code, second.stderr).toBe(0);
  const pts = await serverPoints();
  expect(pts.length).toBe(50_000);
  expect(pts.findIndex((p, k) => p.index !== k || p.data.i !== k)).toBe(-1);
  const poses = parseJsonLines<{ i: number }>((await srv.storage.read(`${PREFIX}/tracks/pose/data.jsonl`)) as Uint8Array).records;
  expect(poses.map((p) => p.i)).toEqual(Array.from({ length: 50 }, (_, k) => (k + 1) * 1000));
  const doc = JSON.parse(new TextDecoder().decode((await srv.storage.read(`${PREFIX}/experiment.json`)) as Uint8Array));
  expect(doc.status).toBe("COMPLETED");
}, 120_000);
