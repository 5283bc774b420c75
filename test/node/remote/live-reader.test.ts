/**
 * Readers never repair or truncate: our server reading a run that another process is appending
 * to (the experiment route lists where each stream ends, the metric routes read it) must leave
 * the writer's bytes alone. A torn last line there is the writer's append in progress; only the
 * writer may cut one (after a crash). Issue 13: 12,916 and 6,023 points went missing in 2 of 4
 * trials when the experiment route cut "torn" lines.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { bundle, start, type ChildResult } from "../../support/child.ts";
import { call } from "../../support/http.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";
import { until } from "../../behaviour/helpers.ts";

const N = 1_500_000;
const PREFIX = "alice/live/reader";
const root = tempDir("live-reader");
let srv: TestServer;

beforeAll(async () => {
  srv = await startServer({ token: "secret", storage: nodeFsAdapter({ root }) });
});
afterAll(async () => {
  await srv?.close();
});

/** Checks every line of the metric's data file: indices 0..n-1, each once, with `i` = index. */
function checkLines(file: string): { lines: number; bad: string | undefined } {
  const fd = openSync(file, "r");
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  let rest = "";
  let lines = 0;
  let bad: string | undefined;
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) {
      const parts = (rest + chunk.toString("latin1", 0, n)).split("\n");
      rest = parts.pop() as string;
      for (const line of parts) {
        const m = /^\{"index": (\d+), "data": \{"i": (\d+), /.exec(line);
        if (!bad && (!m || Number(m[1]) !== lines || Number(m[2]) !== lines)) bad = `line ${lines}: ${line.slice(0, 80)}`;
        lines++;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (rest !== "" && !bad) bad = `a torn last line: ${rest.slice(0, 80)}`;
  return { lines, bad };
}

test("a writer process appending 1.5M points while the server's routes poll the run 40 times: every point once", async () => {
  const script = await bundle(`
    import { Experiment } from "ml-dash";
    import { nodeFsAdapter } from "ml-dash/adapters/node-fs";
    const exp = new Experiment(${JSON.stringify(PREFIX)}, { storage: nodeFsAdapter({ root: process.argv[2] }), echo: false, buffer: { flushIntervalMs: 20, maxBatch: 5000 } });
    await exp.run.start();
    exp.metrics("train").log({ i: 0 });
    await exp.flush();
    console.log("started");
    // On until the test has found the run and read it once: 1.5M points take ~1.5 s here, less
    // than the server's 2 s between rescans, and a writer done before the run was listed left
    // the test nothing to poll (a clean-clone CI run failed so).
    await new Promise((r) => process.stdin.once("data", r));
    for (let i = 1; i < ${N}; ) {
      for (const end = Math.min(${N}, i + 1000); i < end; i++) exp.metrics("train").log({ i });
      await new Promise((r) => setImmediate(r));
    }
    await exp.run.complete();
    console.log("done " + exp.stats.dropped);
  `);
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  let finished = false;
  let go: () => void = () => undefined;
  const writer: Promise<ChildResult> = start(script, {
    args: [root],
    stdin: true,
    onLine: (line, child) => {
      if (line !== "started") return;
      go = () => child.stdin?.end("go\n");
      started();
    },
  }).then((r) => {
    finished = true;
    return r;
  });
  await Promise.race([ready, writer]);
  if (finished) {
    const r = await writer;
    throw new Error(`the writer ended before it started logging (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  const file = join(root, PREFIX, "metrics/train/data.jsonl");
  // The server rescans its root at most every 2 s: wait for the run to show up in the listing.
  let id: string | undefined;
  await until(async () => {
    const listed = await call<{ experiments: { id: string; prefix: string }[] }>(srv.url, "GET", "experiments");
    id = listed.body.experiments.find((e) => e.prefix === PREFIX)?.id;
    return id !== undefined;
  }, "the writer's run in the server's listing", 60_000);
  // 40 reads while the writer appends, each after the file grew (no sleeping: wait on the file);
  // the first while it waits after its first point, then it goes on.
  let polls = 0;
  let seen = 0;
  while (polls < 40 && !finished) {
    await until(() => finished || statSync(file).size > seen, "the writer appending", 120_000);
    seen = statSync(file).size;
    const exp = await call<{ streams: Record<string, number> }>(srv.url, "GET", `experiments/${id}`);
    expect(exp.status).toBe(200);
    const next = exp.body.streams["metric:train"] ?? 0;
    const page = await call<{ data: { index: number }[] }>(srv.url, "GET", `experiments/${id}/metrics/train/data?startIndex=${Math.max(0, next - 10)}&limit=10`);
    expect(page.status).toBe(200);
    expect((await call(srv.url, "GET", `experiments/${id}/metrics/train/stats`)).status).toBe(200);
    if (++polls === 1) go();
  }
  const result = await writer;
  expect(result.stderr).toBe("");
  expect(result.stdout).toContain("done 0");
  expect(polls).toBeGreaterThan(1); // one while the writer waited, at least one while it appended
  expect(checkLines(file)).toEqual({ lines: N, bad: undefined });
}, 600_000);
