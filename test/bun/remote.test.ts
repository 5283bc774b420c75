// ml-dash/server on Bun.serve (the same fetch handler as on Node), and the SDK talking to it
// from Bun in remote-only and hybrid modes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { Experiment } from "../../src/index.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";
import { createServer } from "../../src/server/index.ts";

/** Whole runs against a server on loopback, files through the disk: bun test's 5 s default is too short on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

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
}, IO_TIMEOUT_MS);

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
}, IO_TIMEOUT_MS);

test("401 without the token", async () => {
  const res = await fetch(`${url}/api/experiments`);
  expect(res.status).toBe(401);
}, IO_TIMEOUT_MS);

test("files remote-only and hybrid on Bun: multipart streamed into Bun.serve, read back and listed by glob", async () => {
  const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) & 255);
  const exp = new Experiment("bun/files/remote", { dashUrl: url, token: "bun-token-123", storage: null, echo: false });
  await exp.run(async (e) => {
    await e.files("models").saveBlob(big, { to: "w.bin" });
    await e.files.saveText("hello", { to: "notes/a.txt" });
    const parts = [new TextEncoder().encode("once "), new TextEncoder().encode("only")];
    await e.files.saveBlob(new ReadableStream<Uint8Array>({ pull: (c) => (parts.length > 0 ? c.enqueue(parts.shift() as Uint8Array) : c.close()) }), { to: "s.txt" });
    expect((await e.files.list("**/*.txt")).map((f) => f.filename).sort()).toEqual(["a.txt", "s.txt"]);
    expect(await e.files.read("models/w.bin")).toEqual(big);
    expect(await e.files.readText("s.txt")).toBe("once only");
  });
  const local = memoryAdapter();
  const hyb = new Experiment("bun/files/hybrid", { dashUrl: url, token: "bun-token-123", storage: local, echo: false });
  await hyb.run(async (e) => {
    await e.files.saveText("local first", { to: "h.txt" });
  });
  const doc = new TextDecoder().decode((await storage.read("bun/files/hybrid/files/.files_metadata.json")) as Uint8Array);
  expect(doc).toContain('"filename": "h.txt"');
}, IO_TIMEOUT_MS);
