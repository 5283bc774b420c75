/**
 * `exp.files` in remote-only and hybrid modes, from Node against our server over loopback:
 * the same script gives the same answers as a local run; globs, folders, tags, read, download,
 * update and delete work on the server's records; hybrid saves locally first and uploads after,
 * a restarted process uploads what the server lacks (and nothing twice), refusals are reported
 * once, and under injected faults every file lands exactly once.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { Experiment } from "../../../src/runtime/node/entry.ts";
import { NotFoundError, type ExperimentOptions, type FileInfo, type MlDashError } from "../../../src/index.ts";
import { parsePyJson } from "../../../src/layout/py-json-parse.ts";
import type { StorageAdapter } from "../../../src/storage/contract.ts";
import { scriptedFetch } from "../../support/faults.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

const TOKEN = "tok-123456789";
/**
 * Every test here runs whole experiments against a server over loopback (megabytes of files,
 * retries with backoff): seconds each when the machine is idle, far more on a loaded one.
 */
const IO_TIMEOUT_MS = 60_000;
const HEAVY_TIMEOUT_MS = 120_000;
let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ token: TOKEN });
});
afterAll(async () => srv.close());

const enc = new TextEncoder();
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const quiet = { echo: false, onError: () => undefined } as const;
type Obj = Record<string, unknown>;

/** `n` bytes that depend only on `seed` (the same for a local and a remote run). */
function det(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

async function serverRecords(dir: string): Promise<Obj[]> {
  const b = await srv.storage.read(`${dir}/files/.files_metadata.json`);
  return b ? (parsePyJson(new TextDecoder().decode(b)) as { files: Obj[] }).files : [];
}

/** The content folders under files/ (one per stored version). */
async function contentDirs(storage: StorageAdapter, dir: string): Promise<string[]> {
  return (await storage.list(`${dir}/files`)).filter((k) => !k.endsWith(".files_metadata.json") && !k.endsWith(".lock")).sort();
}

const shape = (fs: FileInfo[]): string[] => fs.map((f) => `${f.path}|${f.filename}|${f.sizeBytes}|${f.checksum.slice(0, 8)}|${f.tags.join(",")}|${f.description}`).sort();

/** One script of file operations; returns what a user observes. */
async function script(exp: Experiment, tmp: string): Promise<Obj> {
  const out: Obj = {};
  const local = join(tmp, "weights.bin");
  writeFileSync(local, det(300_000, 1));
  await exp.files("models", { tags: ["m"] }).upload(local, { description: "weights" });
  await exp.files.saveText("lr: 0.1\n", { to: "configs/train.yaml" });
  await exp.files.saveJson({ a: [1, 2], b: { c: null } }, { to: "configs/meta.json", tags: ["cfg"] });
  for (let i = 0; i < 3; i++) await exp.files("images").saveBlob(new Uint8Array([i, i, i]), { to: `frame_${i}.png`, tags: i === 1 ? ["best"] : [] });
  await exp.files("big").save(new Blob([det(9 * 1024 * 1024, 2) as Uint8Array<ArrayBuffer>]), { to: "blob.bin" }); // > 8 MiB: sent as a stream of the Blob
  const chunks = [enc.encode("stream "), enc.encode("of "), enc.encode("chunks")];
  await exp.files.saveBlob(new ReadableStream({ pull: (c) => (chunks.length > 0 ? c.enqueue(chunks.shift() as Uint8Array) : c.close()) }), { to: "streams/once.txt" });
  out["all"] = shape(await exp.files.list());
  out["png"] = shape(await exp.files.list("*.png"));
  out["deepGlob"] = shape(await exp.files.list("**/*.json"));
  out["images"] = shape(await exp.files("images").list());
  out["tagged"] = shape(await exp.files("images", { tags: ["best"] }).list());
  out["configDir"] = shape(await exp.files("configs").list("*.yaml"));
  out["text"] = await exp.files.readText("configs/train.yaml");
  out["json"] = await exp.files.readJson("configs/meta.json");
  out["stream"] = await exp.files.readText("streams/once.txt");
  out["exists"] = [await exp.files.exists("configs/train.yaml"), await exp.files.exists("nope.txt")];
  out["weightsSame"] = sha(await exp.files.read("models/weights.bin")) === sha(readFileSync(local));
  const dl = (await exp.files.download("images/*.png", { to: join(tmp, "dl") })) as string[];
  out["downloaded"] = dl.map((p) => p.slice(tmp.length)).sort();
  out["downloadOne"] = readFileSync((await exp.files.download("configs/train.yaml", { to: join(tmp, "one.yaml") })) as string, "utf8");
  const meta = (await exp.files.list("meta.json"))[0] as FileInfo;
  const upd = await exp.files.update(meta.id, { description: "meta", tags: ["cfg", "v2"], metadata: { k: 1 } });
  out["updated"] = [upd.description, upd.tags, upd.metadata];
  const gone = (await exp.files.delete("images/frame_*.png")) as { id: string; deletedAt: string }[];
  out["deletedCount"] = gone.length;
  await exp.files.delete("configs/train.yaml");
  out["afterDelete"] = shape(await exp.files.list());
  out["deleteAgain"] = await exp.files.delete("configs/train.yaml").then(
    () => "deleted",
    (e: unknown) => (e instanceof NotFoundError ? "NotFoundError" : String(e)),
  );
  // Saving the same place again replaces (Python's overwrite rule).
  await exp.files.saveText("lr: 0.2\n", { to: "configs/meta.json" });
  out["overwritten"] = shape(await exp.files.list("configs/*"));
  return out;
}

describe("remote-only", () => {
  test("the same script gives a remote run the answers a local run gets; the server's tree holds the files in Python's layout", async () => {
    const tmpLocal = tempDir("files-local");
    const local = await new Experiment("alice/rf/parity/local", { storage: memoryAdapter(), ...quiet }).run.start();
    const expected = await script(local, tmpLocal);
    await local.run.complete();

    const tmpRemote = tempDir("files-remote");
    const exp = await new Experiment("alice/rf/parity/remote", { dashUrl: srv.url, token: TOKEN, storage: null, ...quiet }).run.start();
    expect(exp.mode).toBe("remote");
    const got = await script(exp, tmpRemote);
    await exp.run.complete();
    expect(got).toEqual(expected);
    expect((got["all"] as string[]).length).toBe(8);

    // On the server: Python's record format, content at files/<path>/<id>/<name>, ids of the server's records.
    const recs = await serverRecords("alice/rf/parity/remote");
    const live = recs.filter((r) => r["deletedAt"] === null);
    expect(live.map((r) => `${r["path"]}/${r["filename"]}`).sort()).toEqual(["/big/blob.bin", "/configs/meta.json", "/models/weights.bin", "/streams/once.txt"]);
    for (const r of recs) {
      const key = `alice/rf/parity/remote/files${r["path"] === "/" ? "" : r["path"]}/${r["id"]}/${r["filename"]}`;
      const bytes = await srv.storage.read(key);
      expect(bytes && sha(bytes)).toBe(r["checksum"]);
    }
    expect(recs.find((r) => r["filename"] === "weights.bin")).toMatchObject({ description: "weights", tags: ["m"], experimentId: "rf/alice/rf/parity/remote" });
  }, HEAVY_TIMEOUT_MS);

  test("a save that the server refuses is a typed error at the call site; reads of a deleted file are NotFoundError", async () => {
    const exp = await new Experiment("alice/rf/refuse/run", { dashUrl: srv.url, token: TOKEN, storage: null, files: { maxBytes: 10 }, ...quiet }).run.start();
    await expect(exp.files.saveText("far more than ten bytes", { to: "big.txt" })).rejects.toMatchObject({ name: "ValidationError", field: "data" });
    await expect(exp.files.saveText("x", { to: "../escape.txt" })).rejects.toMatchObject({ name: "ValidationError", field: "to" });
    const f = await exp.files.saveText("ok", { to: "a.txt" });
    await exp.files.delete("a.txt");
    await expect(exp.files.read("a.txt")).rejects.toBeInstanceOf(NotFoundError);
    await expect(exp.files({ fileId: f.id }).update({ tags: ["x"] })).rejects.toBeInstanceOf(NotFoundError);
    await exp.run.complete();
    expect((await serverRecords("alice/rf/refuse/run")).map((r) => r["filename"])).toEqual(["a.txt"]);
  }, IO_TIMEOUT_MS);
});

describe("hybrid", () => {
  test("saves land locally at once and on the server by flush(); update and delete follow", async () => {
    const root = tempDir("hyb-files");
    const storage = nodeFsAdapter({ root });
    const exp = await new Experiment("alice/rf/hybrid/run", { dashUrl: srv.url, token: TOKEN, storage, ...quiet }).run.start();
    expect(exp.mode).toBe("hybrid");
    const a = await exp.files("models").saveBlob(randomBytes(100_000), { to: "a.bin", tags: ["t"] });
    await exp.files.saveText("hello", { to: "notes/b.txt" });
    // Local first: the local record and bytes are there when save resolves.
    expect((await exp.files.list()).map((f) => f.id)).toContain(a.id);
    expect(readFileSync(join(root, `alice/rf/hybrid/run/files/models/${a.id}/a.bin`)).length).toBe(100_000);
    await exp.flush();
    let server = await serverRecords("alice/rf/hybrid/run");
    expect(server.map((r) => [r["path"], r["filename"], r["checksum"], r["tags"]])).toEqual([
      ["/models", "a.bin", a.checksum, ["t"]],
      ["/notes", "b.txt", sha(enc.encode("hello")), []],
    ]);
    await exp.files({ fileId: a.id }).update({ description: "weights", metadata: { epoch: 2 } });
    await exp.files.delete("notes/b.txt");
    await exp.run.complete(); // complete waits for the uploads too
    server = await serverRecords("alice/rf/hybrid/run");
    expect(server.map((r) => [r["filename"], r["description"], r["metadata"], r["deletedAt"] === null])).toEqual([
      ["a.bin", "weights", { epoch: 2 }, true],
      ["b.txt", null, null, false],
    ]);
    await storage.close();
  }, IO_TIMEOUT_MS);

  test("a process that could not reach the server leaves its files locally; the next one uploads exactly what is missing, once", async () => {
    const root = tempDir("hyb-restart");
    const prefix = "alice/rf/hybrid/restart";
    const down = scriptedFetch();
    down.down = true;
    const opts = (f: typeof fetch, storage: StorageAdapter): ExperimentOptions => ({ dashUrl: srv.url, token: TOKEN, storage, fetch: f, remote: { retries: 0, backoffMs: 1 }, ...quiet });
    // First, with the server reachable: two files uploaded.
    const s0 = nodeFsAdapter({ root });
    const first = await new Experiment(prefix, opts(fetch, s0)).run.start();
    await first.files.saveText("kept", { to: "kept.txt" });
    await first.files.saveText("to delete", { to: "old.txt" });
    await first.run.complete();
    await s0.close();
    expect((await serverRecords(prefix)).length).toBe(2);

    // Then offline: one new file, one changed, one deleted; complete() says the server is behind.
    const s1 = nodeFsAdapter({ root });
    const offline = new Experiment(prefix, opts(down, s1));
    await offline.run.start();
    await offline.files.saveText("new", { to: "d/new.txt" });
    await offline.files.saveText("kept v2", { to: "kept.txt" });
    await offline.files.delete("old.txt");
    await expect(offline.run.complete()).rejects.toBeTruthy();
    await s1.close();
    expect((await serverRecords(prefix)).filter((r) => r["deletedAt"] === null).map((r) => r["filename"]).sort()).toEqual(["kept.txt", "old.txt"]);

    // A new process on the same root catches up, without saving anything itself.
    const seen = scriptedFetch();
    const s2 = nodeFsAdapter({ root });
    const next = await new Experiment(prefix, opts(seen, s2)).run.start();
    await next.flush();
    await next.run.complete();
    await s2.close();
    const live = (await serverRecords(prefix)).filter((r) => r["deletedAt"] === null);
    expect(live.map((r) => [r["path"], r["filename"], r["checksum"]]).sort()).toEqual(
      [
        ["/", "kept.txt", sha(enc.encode("kept v2"))],
        ["/d", "new.txt", sha(enc.encode("new"))],
      ].sort(),
    );
    const uploads = (s: typeof seen): number => s.seen.filter((r) => r.method === "POST" && (r.contentType ?? "").startsWith("multipart/")).length;
    expect(uploads(seen)).toBe(2);
    expect(seen.seen.filter((r) => r.method === "DELETE").length).toBe(1);

    // And once more: nothing is sent again.
    const again = scriptedFetch();
    const s3 = nodeFsAdapter({ root });
    const third = await new Experiment(prefix, opts(again, s3)).run.start();
    await third.flush();
    await third.run.complete();
    await s3.close();
    expect(uploads(again)).toBe(0);
    expect(again.seen.filter((r) => r.method === "DELETE").length).toBe(0);
    expect(again.seen.filter((r) => r.method === "PATCH").length).toBe(1); // the run's status only
    expect(await contentDirs(srv.storage, prefix)).toHaveLength(3); // kept v2, new, and old's soft-deleted bytes
  }, IO_TIMEOUT_MS);

  test("a flush right after start covers what a previous process left, even while the local file list is slow to read", async () => {
    const root = tempDir("hyb-slow-catchup");
    const prefix = "alice/rf/hybrid/slow-catchup";
    const down = scriptedFetch();
    down.down = true;
    const opts = (f: typeof fetch, storage: StorageAdapter): ExperimentOptions => ({ dashUrl: srv.url, token: TOKEN, storage, fetch: f, remote: { retries: 0, backoffMs: 1 }, ...quiet });
    const s1 = nodeFsAdapter({ root });
    const offline = await new Experiment(prefix, opts(down, s1)).run.start();
    await offline.files.saveText("left behind", { to: "left.txt" });
    await expect(offline.run.complete()).rejects.toBeTruthy();
    await s1.close();
    // The next process reads its files' metadata slowly: the catch-up started at connect must
    // still be part of the flush.
    const s2 = nodeFsAdapter({ root });
    const slow = new Proxy(s2, {
      get(target, key) {
        if (key === "read") {
          return async (k: string) => {
            if (k.includes("/files")) await new Promise((r) => setTimeout(r, 150));
            return target.read(k);
          };
        }
        const v = Reflect.get(target, key) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const next = await new Experiment(prefix, opts(fetch, slow)).run.start();
    await next.flush();
    await next.run.complete();
    await s2.close();
    const live = (await serverRecords(prefix)).filter((r) => r["deletedAt"] === null);
    expect(live.map((r) => [r["path"], r["filename"], r["checksum"]])).toEqual([["/", "left.txt", sha(enc.encode("left behind"))]]);
  }, IO_TIMEOUT_MS);

  test("a refused upload (4xx) is reported once and not retried; the others go through", async () => {
    const errors: MlDashError[] = [];
    let refused = 0;
    const refusing: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      if (req.headers.get("content-type")?.startsWith("multipart/") && (await req.clone().text()).includes('filename="bad.txt"')) {
        refused++;
        return new Response(JSON.stringify({ error: "no thanks", field: "name" }), { status: 422, headers: { "content-type": "application/json" } });
      }
      return fetch(req);
    };
    const root = tempDir("hyb-refuse");
    const storage = nodeFsAdapter({ root });
    const exp = await new Experiment("alice/rf/hybrid/refuse", { dashUrl: srv.url, token: TOKEN, storage, fetch: refusing, echo: false, onError: (e) => errors.push(e) }).run.start();
    await exp.files.saveText("bad", { to: "bad.txt" });
    await exp.files.saveText("good", { to: "good.txt" });
    await exp.flush();
    await exp.flush();
    await exp.run.complete();
    await storage.close();
    const refusals = errors.filter((e) => /no thanks/.test(e.message));
    expect(refusals).toHaveLength(1);
    expect(refused).toBe(1); // not retried, not even by the explicit flushes
    expect((await serverRecords("alice/rf/hybrid/refuse")).map((r) => r["filename"])).toEqual(["good.txt"]);
    // Locally both are there.
    expect(readFileSync(join(root, "alice/rf/hybrid/refuse/files/.files_metadata.json"), "utf8")).toContain("bad.txt");
  }, IO_TIMEOUT_MS);
});

test("hybrid against a server that cannot list files (neither GraphQL nor the REST list): this run's files are uploaded, the gap is reported once", async () => {
  const errors: MlDashError[] = [];
  const noList: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const listing = (req.method === "GET" && /\/experiments\/[^/]+\/files(\?|$)/.test(req.url)) || (req.method === "POST" && new URL(req.url).pathname === "/graphql");
    if (listing) return new Response('{"error":"No route"}', { status: 404, headers: { "content-type": "application/json" } });
    return fetch(req);
  };
  const root = tempDir("hyb-nolist");
  const prefix = "alice/rf/hybrid/nolist";
  const s1 = nodeFsAdapter({ root });
  const exp = await new Experiment(prefix, { dashUrl: srv.url, token: TOKEN, storage: s1, fetch: noList, echo: false, onError: (e) => errors.push(e) }).run.start();
  await exp.files.saveText("one", { to: "a.txt" });
  await exp.files.saveText("two", { to: "b.txt" });
  await exp.run.complete();
  await s1.close();
  expect((await serverRecords(prefix)).map((r) => r["filename"])).toEqual(["a.txt", "b.txt"]);
  expect(errors.filter((e) => /cannot list/.test(e.message))).toHaveLength(1);
  // The next run cannot compare, so it sends nothing it did not change itself.
  const s2 = nodeFsAdapter({ root });
  const next = await new Experiment(prefix, { dashUrl: srv.url, token: TOKEN, storage: s2, fetch: noList, ...quiet }).run.start();
  await next.files.saveText("three", { to: "c.txt" });
  await next.run.complete();
  await s2.close();
  expect((await serverRecords(prefix)).map((r) => r["filename"])).toEqual(["a.txt", "b.txt", "c.txt"]);
}, IO_TIMEOUT_MS);

describe("fault injection on file uploads", () => {
  for (const mode of ["remote", "hybrid"] as const) {
    test(`${mode}: with 30% of requests failing (drops, 500, 503, 429, answers lost after storing), every file lands exactly once`, async () => {
      // 6 faults in every 20 requests, of every request (folders, lists, uploads), for an exact 30%.
      const cycle = ["ok", "drop", "ok", "ok", "500", "ok", "lost-response", "ok", "ok", "429", "ok", "ok", "503", "ok", "ok", "lost-response", "ok", "drop", "ok", "ok"] as const;
      const f = scriptedFetch({ cycle, retryAfter: 0 });
      const prefix = `alice/rf/faults/${mode}`;
      const storage = mode === "hybrid" ? nodeFsAdapter({ root: tempDir("faults-files") }) : null;
      const exp = await new Experiment(prefix, { dashUrl: srv.url, token: TOKEN, storage, fetch: f, remote: { backoffMs: 5, maxBackoffMs: 50 }, ...quiet }).run.start();
      const want = new Map<string, string>();
      for (let i = 0; i < 24; i++) {
        const bytes = randomBytes(1000 + i * 5000);
        const to = `d${i % 3}/f${i}.bin`;
        want.set(to, sha(bytes));
        if (i % 4 === 0) {
          const p = join(tempDir("faults-src"), `f${i}.bin`);
          writeFileSync(p, bytes);
          await exp.files.upload(p, { to });
        } else await exp.files.saveBlob(bytes, { to });
      }
      await exp.flush();
      await exp.run.complete();
      await storage?.close();
      const recs = await serverRecords(prefix);
      expect(recs.every((r) => r["deletedAt"] === null)).toBe(true);
      const got = new Map(recs.map((r) => [`${String(r["path"]).slice(1)}/${r["filename"]}`, r["checksum"]]));
      expect(recs.length).toBe(24); // once each
      expect(got).toEqual(want);
      expect(await contentDirs(srv.storage, prefix)).toHaveLength(24); // no stray copies either
      const faults = f.seen.filter((s) => s.fault !== "ok" && (s.contentType ?? "").startsWith("multipart/")).length;
      expect(faults).toBeGreaterThan(5);
      expect(exp.stats.retried).toBeGreaterThan(5);
    }, HEAVY_TIMEOUT_MS);
  }
});
