// ml-dash/server on Bun.serve (the same fetch handler as on Node), and the SDK talking to it
// from Bun in remote-only and hybrid modes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { Experiment } from "../../src/index.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";
import { createServer } from "../../src/server/index.ts";

const storage = memoryAdapter();
let server: ReturnType<typeof Bun.serve>;
let url: string;
beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: createServer({ storage, token: "bun-token-123" }).fetch });
  url = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

const indices = async (key: string): Promise<number[]> => {
  const b = await storage.read(key);
  return b ? parseJsonLines<{ index: number }>(b).records.map((r) => r.index) : [];
};

test("Bun.serve + remote-only run: what is written reads back exactly", async () => {
  const exp = new Experiment("bun/remote/run", { dashUrl: url, token: "bun-token-123", storage: null, echo: false });
  await exp.run(async (e) => {
    for (let i = 0; i < 5000; i++) e.metrics("m").log({ i, v: i === 7 ? NaN : i });
    e.tracks("t").append({ x: 1, _ts: 1 });
  });
  expect(await indices("bun/remote/run/metrics/m/data.jsonl")).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  const again = new Experiment("bun/remote/run", { dashUrl: url, token: "bun-token-123", storage: null, echo: false });
  await again.run.start();
  const page = await again.metrics("m").read({ startIndex: 5, limit: 3 });
  expect(page.data.map((p) => p.data["v"])).toEqual([5, 6, NaN]);
  await again.run.complete();
});

test("hybrid run on Bun: the server holds what the local store holds", async () => {
  const local = memoryAdapter();
  const exp = new Experiment("bun/hybrid/run", { dashUrl: url, token: "bun-token-123", storage: local, echo: false });
  await exp.run(async (e) => {
    for (let i = 0; i < 3000; i++) e.metrics("m").log({ i });
  });
  const want = Array.from({ length: 3000 }, (_, i) => i);
  expect(await indices("bun/hybrid/run/metrics/m/data.jsonl")).toEqual(want);
  const b = await local.read("bun/hybrid/run/metrics/m/data.jsonl");
  expect(parseJsonLines<{ index: number }>(b as Uint8Array).records.map((r) => r.index)).toEqual(want);
});

test("401 without the token", async () => {
  const res = await fetch(`${url}/api/experiments`);
  expect(res.status).toBe(401);
});
