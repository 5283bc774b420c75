/**
 * The server's file API as ML-Dash Python's client calls it, over loopback:
 * the multipart upload built byte for byte as httpx sends it, the experiment-owned folders,
 * `GET nodes/{id}`, download, update, soft delete, `search/files`, the REST list; the stored
 * tree in Python's local layout; checksum verification, validation naming the field, refused
 * traversal, 401, and state that survives a restart.
 */
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import { parsePyJson } from "../../../src/layout/py-json-parse.ts";
import { createServer } from "../../../src/server/index.ts";
import type { StorageAdapter } from "../../../src/storage/contract.ts";
import { serveNode } from "../../../src/runtime/node/serve.ts";
import { call, createExperiment, type Answer } from "../../support/http.ts";
import { httpxMultipart } from "../../support/multipart.ts";
import { startServer, type TestServer } from "../../support/server.ts";

/** Each test makes tens of HTTP calls over loopback: well under a second idle, seconds on a loaded machine. */
const IO_TIMEOUT_MS = 30_000;
/** How long a test waits for the server to reach a state it is about to check. */
const WAIT = { timeout: 20_000, interval: 20 };

/** The file streams the server's storage opened, and how each ended, for tests to wait on. */
const streams: { key: string; end?: "close" | "abort" }[] = [];

function watched(inner: StorageAdapter): StorageAdapter {
  const open = inner.writeStream?.bind(inner);
  if (!open) throw new Error(`${inner.name} has no writeStream`);
  return {
    ...inner,
    async writeStream(key) {
      const entry: (typeof streams)[number] = { key };
      streams.push(entry);
      const w = (await open(key)).getWriter();
      return new WritableStream<Uint8Array>({
        write: (chunk) => w.write(chunk),
        close: async () => {
          await w.close();
          entry.end = "close";
        },
        abort: async (reason) => {
          await w.abort(reason);
          entry.end = "abort";
        },
      });
    },
  };
}

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ token: "secret", storage: watched(memoryAdapter()) });
});
afterAll(async () => srv.close());

const enc = new TextEncoder();
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
type Obj = Record<string, unknown>;

/** Creates the experiment and the folders of `dir` the way Python's upload_file does; returns the ids to upload with. */
async function pythonSetup(prefix: string, dir: string[]): Promise<{ id: string; nodeId: string; projectId: string; parentId: string }> {
  const { id, nodeId, body } = await createExperiment(srv.url, prefix);
  const projectId = (body["project"] as { id: string }).id;
  let parentId = nodeId;
  for (const name of dir) {
    const r = await call(srv.url, "POST", `namespaces/${prefix.split("/")[0]}/nodes`, { json: { type: "FOLDER", projectId, experimentId: id, parentId, name } });
    expect(r.status).toBe(200);
    parentId = (r.body["node"] as { id: string }).id;
  }
  return { id, nodeId, projectId, parentId };
}

/** POSTs a multipart body built as httpx builds it. */
async function upload(ns: string, data: [string, string][], file: { name: string; bytes: Uint8Array; type: string }, token: string | null = "secret"): Promise<Answer> {
  const { body, headers } = httpxMultipart(data, file);
  return call(srv.url, "POST", `namespaces/${ns}/nodes`, { token, body: body as BodyInit, headers });
}

/** Python's text fields, in its order (client.py upload_file). */
function fields(ids: { id: string; projectId: string; parentId: string }, name: string, checksum: string, extra: [string, string][] = []): [string, string][] {
  return [["type", "FILE"], ["projectId", ids.projectId], ["experimentId", ids.id], ["parentId", ids.parentId], ["name", name], ["checksum", checksum], ...extra];
}

async function metadataDoc(dir: string): Promise<Obj[]> {
  const b = await srv.storage.read(`${dir}/files/.files_metadata.json`);
  return b ? ((parsePyJson(new TextDecoder().decode(b)) as { files: Obj[] }).files ?? []) : [];
}

describe("upload as ML-Dash Python sends it", () => {
  test("folders, then the httpx multipart: Python's answer shape, and the tree in Python's local layout", async () => {
    const ids = await pythonSetup("alice/files/exp1", ["models", "ckpt"]);
    const bytes = enc.encode("weights \u00e9\u00e9 ".repeat(1000));
    const r = await upload(
      "alice",
      fields(ids, "model.bin", sha(bytes), [
        ["description", "best model"],
        ["tags", "best,v2"],
        ["metadata", JSON.stringify({ epoch: 3, acc: 0.9, nested: { a: [1, 2] } })],
      ]),
      { name: "model.bin", bytes, type: "application/octet-stream" },
    );
    expect(r.status).toBe(200);
    const node = r.body["node"] as Obj;
    const physical = r.body["physicalFile"] as Obj;
    // What Python's client flattens (client.py): node.{id, experimentId, description, tags, metadata, createdAt, updatedAt, deletedAt}, physicalFile.{contentType, sizeBytes, checksum}.
    expect(node).toMatchObject({ experimentId: ids.id, description: "best model", tags: ["best", "v2"], metadata: { epoch: 3, acc: 0.9, nested: { a: [1, 2] } }, deletedAt: null, parentId: ids.parentId });
    expect(typeof node["id"]).toBe("string");
    expect(node["createdAt"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    expect(physical).toMatchObject({ contentType: "application/octet-stream", sizeBytes: bytes.length, checksum: sha(bytes), filename: "model.bin" });
    expect((await call(srv.url, "GET", `nodes/${ids.parentId}`)).body).toMatchObject({ type: "FOLDER", name: "ckpt", path: "/models/ckpt", experimentId: ids.id });
    const id = node["id"] as string;
    // Stored exactly where Python's local store puts it, and recorded in its format and key order.
    expect(await srv.storage.read(`alice/files/exp1/files/models/ckpt/${id}/model.bin`)).toEqual(bytes);
    const [rec] = await metadataDoc("alice/files/exp1");
    expect(Object.keys(rec as Obj)).toEqual(["id", "experimentId", "path", "filename", "description", "tags", "bindrs", "contentType", "sizeBytes", "checksum", "metadata", "uploadedAt", "updatedAt", "deletedAt"]);
    expect(rec).toMatchObject({ id, experimentId: "files/alice/files/exp1", path: "/models/ckpt", filename: "model.bin", sizeBytes: bytes.length, checksum: sha(bytes), tags: ["best", "v2"] });
    const text = new TextDecoder().decode((await srv.storage.read("alice/files/exp1/files/.files_metadata.json")) as Uint8Array);
    expect(text.startsWith('{"files": [{"id": "')).toBe(true); // Python's json.dump separators

    // GET nodes/{id}: Python reads name, physicalFile.filename and physicalFile.checksum.
    const got = await call(srv.url, "GET", `nodes/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, type: "FILE", name: "model.bin", physicalFile: { filename: "model.bin", checksum: sha(bytes), sizeBytes: bytes.length } });
    // Download: the bytes, whose SHA-256 Python compares with physicalFile.checksum.
    const dl = await fetch(`${srv.url}/api/nodes/${id}/download`, { headers: { authorization: "Bearer secret" } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toBe("application/octet-stream");
    expect(dl.headers.get("etag")).toBe(`"${sha(bytes)}"`);
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(bytes);
    // search/files as Python looks a path up: pattern **/<basename>, then path.lstrip("/") == the path.
    const s = await call<{ files: Obj[] }>(srv.url, "GET", `search/files?pattern=${encodeURIComponent("**/model.bin")}&limit=1&offset=0&experimentId=${ids.id}`);
    expect(s.status).toBe(200);
    expect(String(s.body.files[0]?.["path"]).replace(/^\/+/, "")).toBe("models/ckpt/model.bin");
    expect(s.body.files[0]).toMatchObject({ id, name: "model.bin" });
  }, IO_TIMEOUT_MS);

  test("PATCH changes description, tags and metadata; DELETE is soft and answers {id, deletedAt}; a second delete is 404", async () => {
    const ids = await pythonSetup("alice/files/exp2", []);
    const bytes = enc.encode("a,b\n1,2\n");
    const up = await upload("alice", fields(ids, "data.csv", sha(bytes)), { name: "data.csv", bytes, type: "text/csv" });
    expect(up.status).toBe(200);
    const id = (up.body["node"] as Obj)["id"] as string;
    const p = await call(srv.url, "PATCH", `nodes/${id}`, { json: { description: "table", tags: ["t"], metadata: { rows: 1 } } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ id, description: "table", tags: ["t"], metadata: { rows: 1 } });
    const keep = await call(srv.url, "PATCH", `nodes/${id}`, { json: { description: null } });
    expect(keep.body).toMatchObject({ description: null, tags: ["t"], metadata: { rows: 1 } });
    const bad = await call(srv.url, "PATCH", `nodes/${id}`, { json: { status: "COMPLETED" } });
    expect(bad.status).toBe(400);
    expect(bad.body["field"]).toBe("status");
    const badTags = await call(srv.url, "PATCH", `nodes/${id}`, { json: { tags: "t" } });
    expect([badTags.status, badTags.body["field"]]).toEqual([400, "tags"]);

    const d = await call(srv.url, "DELETE", `nodes/${id}`);
    expect(d.status).toBe(200);
    expect(Object.keys(d.body).sort()).toEqual(["deletedAt", "id"]);
    expect(d.body["id"]).toBe(id);
    expect((await call(srv.url, "DELETE", `nodes/${id}`)).status).toBe(404);
    expect((await fetch(`${srv.url}/api/nodes/${id}/download`, { headers: { authorization: "Bearer secret" } })).status).toBe(404);
    expect((await call(srv.url, "PATCH", `nodes/${id}`, { json: { tags: [] } })).status).toBe(404);
    // Soft: the node still shows, with deletedAt; the bytes stay on disk (as Python's local delete).
    expect((await call(srv.url, "GET", `nodes/${id}`)).body["deletedAt"]).toBe(d.body["deletedAt"]);
    expect(await srv.storage.read(`alice/files/exp2/files/${id}/data.csv`)).toEqual(bytes);
    // The experiment's status PATCH still works beside the file PATCH.
    expect((await call(srv.url, "PATCH", `nodes/${ids.nodeId}`, { json: { status: "COMPLETED" } })).status).toBe(200);
  }, IO_TIMEOUT_MS);

  test("the REST list: live files by default, deleted ones on request, folder and glob filters, pages", async () => {
    const ids = await pythonSetup("alice/files/list", []);
    const exp = await pythonSetup("alice/files/list", ["images"]);
    const names = ["a.png", "b.png", "c.txt"];
    const uploaded: string[] = [];
    for (const n of names) {
      const b = enc.encode(n);
      const r = await upload("alice", fields(exp, n, sha(b)), { name: n, bytes: b, type: "image/png" });
      uploaded.push((r.body["node"] as Obj)["id"] as string);
    }
    const top = enc.encode("top");
    await upload("alice", fields(ids, "top.txt", sha(top)), { name: "top.txt", bytes: top, type: "text/plain" });
    await call(srv.url, "DELETE", `nodes/${uploaded[1]}`);
    const list = async (q: string): Promise<Obj[]> => (await call<{ files: Obj[] }>(srv.url, "GET", `experiments/${ids.id}/files${q}`)).body.files;
    expect((await list("")).map((f) => `${f["path"]}/${f["filename"]}`)).toEqual(["/images/a.png", "/images/c.txt", "//top.txt"]);
    expect((await list("?includeDeleted=true")).length).toBe(4);
    expect((await list("?path=images")).map((f) => f["filename"])).toEqual(["a.png", "c.txt"]);
    expect((await list("?pattern=*.png")).map((f) => f["filename"])).toEqual(["a.png"]);
    const page = await call<Obj>(srv.url, "GET", `experiments/${ids.id}/files?limit=1&offset=1`);
    expect(page.body).toMatchObject({ total: 3, offset: 1, limit: 1, hasMore: true });
    expect(((page.body["files"] as Obj[])[0] as Obj)["filename"]).toBe("c.txt");
    expect((await call(srv.url, "GET", `experiments/${ids.id}/files?path=../x`)).body["field"]).toBe("path");
  }, IO_TIMEOUT_MS);
});

describe("checks", () => {
  test("a checksum that does not match is 400 naming checksum; nothing is stored and the previous version stays", async () => {
    const ids = await pythonSetup("alice/files/sum", ["m"]);
    const v1 = enc.encode("version 1");
    const ok = await upload("alice", fields(ids, "w.bin", sha(v1)), { name: "w.bin", bytes: v1, type: "application/octet-stream" });
    expect(ok.status).toBe(200);
    const before = await srv.storage.list("alice/files/sum/files");
    const v2 = enc.encode("version 2");
    const bad = await upload("alice", fields(ids, "w.bin", sha(v1)), { name: "w.bin", bytes: v2, type: "application/octet-stream" });
    expect(bad.status).toBe(400);
    expect(bad.body["field"]).toBe("checksum");
    expect(String(bad.body["error"])).toMatch(/Checksum mismatch/);
    expect(await srv.storage.list("alice/files/sum/files")).toEqual(before);
    const recs = await metadataDoc("alice/files/sum");
    expect(recs.map((r) => [r["checksum"], r["deletedAt"]])).toEqual([[sha(v1), null]]);
  }, IO_TIMEOUT_MS);

  test("every field is validated, with a 400 (or 404 for unknown ids) naming it", async () => {
    const ids = await pythonSetup("alice/files/val", ["d"]);
    const other = await pythonSetup("bob/files/val", ["d"]);
    const b = enc.encode("x");
    const file = { name: "x.txt", bytes: b, type: "text/plain" };
    const base = fields(ids, "x.txt", sha(b));
    const without = (k: string): [string, string][] => base.filter(([n]) => n !== k);
    const withValue = (k: string, v: string): [string, string][] => base.map(([n, x]) => [n, n === k ? v : x]);
    const cases: [string, [string, string][], number, string][] = [
      ["no type", without("type"), 400, "type"],
      ["type EXPERIMENT", withValue("type", "EXPERIMENT"), 400, "type"],
      ["no experimentId", without("experimentId"), 400, "experimentId"],
      ["unknown experiment", withValue("experimentId", "999"), 404, "experimentId"],
      ["experiment of another namespace", withValue("experimentId", other.id), 404, "experimentId"],
      ["projectId of another project", withValue("projectId", other.projectId), 400, "projectId"],
      ["parent folder of another experiment", withValue("parentId", other.parentId), 404, "parentId"],
      ["bad checksum", withValue("checksum", "abc"), 400, "checksum"],
      ["no checksum", without("checksum"), 400, "checksum"],
      ["name ..", withValue("name", ".."), 400, "name"],
      ["name with /", withValue("name", "../../escape.txt"), 400, "name"],
      ["name with \\", withValue("name", "..\\x.txt"), 400, "name"],
      ["reserved name", withValue("name", ".files_metadata.json"), 400, "name"],
      ["metadata not JSON", [...base, ["metadata", "{oops"]], 400, "metadata"],
      ["metadata an array", [...base, ["metadata", "[1]"]], 400, "metadata"],
      ["tags bad JSON", [...base, ["tags", '["a", 1]']], 400, "tags"],
      ["unknown field", [...base, ["owner", "x"]], 400, "owner"],
      ["field twice", [...base, ["name", "y.txt"]], 400, "name"],
    ];
    for (const [what, data, status, field] of cases) {
      const r = await upload("alice", data, file);
      expect([what, r.status, r.body["field"]]).toEqual([what, status, field]);
    }
    // No file part; a body cut short; a multipart without a boundary.
    const noFile = httpxMultipart(base, file);
    const text = new TextDecoder().decode(noFile.body).replace(/--[0-9a-f]{32}\r\nContent-Disposition: form-data; name="file"[\s\S]*$/, "");
    const boundary = /boundary=(\w+)/.exec(noFile.headers["content-type"] as string)?.[1] as string;
    const r1 = await call(srv.url, "POST", "namespaces/alice/nodes", { body: `${text}--${boundary}--\r\n`, contentType: noFile.headers["content-type"] as string });
    expect([r1.status, r1.body["field"]]).toEqual([400, "file"]);
    const cut = noFile.body.subarray(0, noFile.body.length - 20);
    const r2 = await call(srv.url, "POST", "namespaces/alice/nodes", { body: cut as BodyInit, contentType: noFile.headers["content-type"] as string });
    expect(r2.status).toBe(400);
    expect(String(r2.body["error"])).toMatch(/multipart/i);
    const r3 = await call(srv.url, "POST", "namespaces/alice/nodes", { body: "x", contentType: "multipart/form-data" });
    expect([r3.status, r3.body["field"]]).toEqual([400, "content-type"]);
    // Folders: names that would leave their folder are refused too.
    for (const name of ["..", "a/b", "."]) {
      const f = await call(srv.url, "POST", "namespaces/alice/nodes", { json: { type: "FOLDER", projectId: ids.projectId, experimentId: ids.id, parentId: ids.nodeId, name } });
      expect([name, f.status, f.body["field"]]).toEqual([name, 400, "name"]);
    }
    // Nothing of the above reached the store.
    expect((await metadataDoc("alice/files/val")).length).toBe(0);
    expect((await srv.storage.list("alice/files/val/files")).length).toBe(0);
  }, IO_TIMEOUT_MS);

  test("401 without the token on every file route; a browser preflight for an upload passes", async () => {
    const ids = await pythonSetup("alice/files/auth", []);
    const b = enc.encode("secret data");
    const up = await upload("alice", fields(ids, "s.txt", sha(b)), { name: "s.txt", bytes: b, type: "text/plain" });
    const id = (up.body["node"] as Obj)["id"] as string;
    const denied = await upload("alice", fields(ids, "t.txt", sha(b)), { name: "t.txt", bytes: b, type: "text/plain" }, null);
    expect(denied.status).toBe(401);
    for (const [method, path] of [
      ["GET", `nodes/${id}`],
      ["GET", `nodes/${id}/download`],
      ["PATCH", `nodes/${id}`],
      ["DELETE", `nodes/${id}`],
      ["GET", "search/files?pattern=*"],
      ["GET", `experiments/${ids.id}/files`],
    ] as const) {
      const r = await call(srv.url, method, path, { token: "wrong", ...(method === "PATCH" ? { json: {} } : {}) });
      expect([method, path, r.status]).toEqual([method, path, 401]);
    }
    expect((await metadataDoc("alice/files/auth")).map((r) => [r["filename"], r["deletedAt"]])).toEqual([["s.txt", null]]);
    const pre = await fetch(`${srv.url}/api/namespaces/alice/nodes`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,idempotency-key" },
    });
    expect(pre.status).toBe(204);
    const dl = await fetch(`${srv.url}/api/nodes/${id}/download`, { headers: { authorization: "Bearer secret", origin: "http://localhost:5173" } });
    expect(dl.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("content-disposition");
  }, IO_TIMEOUT_MS);
});

describe("interrupted uploads", () => {
  test("a client that disconnects halfway through the file leaves no record and no bytes behind", async () => {
    const ids = await pythonSetup("alice/files/cut", ["d"]);
    const bytes = new Uint8Array(4 * 1024 * 1024).fill(9);
    const { body, headers } = httpxMultipart(fields(ids, "big.bin", sha(bytes)), { name: "big.bin", bytes, type: "application/octet-stream" });
    const { port } = new URL(srv.url);
    const sock = connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      sock.once("connect", resolve);
      sock.once("error", reject);
    });
    sock.on("error", () => undefined); // the server may answer or reset once the body stops: expected
    const head = [`POST /api/namespaces/alice/nodes HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Authorization: Bearer secret", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
    sock.write(head);
    sock.write(body.subarray(0, body.length / 2));
    // Cut the connection once the server is writing the file, then wait until it has noticed.
    const cut = (): (typeof streams)[number] | undefined => streams.find((s) => s.key.startsWith("alice/files/cut/files/"));
    await vi.waitFor(() => expect(cut()).toBeDefined(), WAIT);
    sock.destroy();
    await vi.waitFor(() => expect(cut()?.end).toBe("abort"), WAIT);
    // The server removes what it wrote, and goes on serving.
    await vi.waitFor(async () => expect(await srv.storage.list("alice/files/cut/files")).toEqual([]), WAIT);
    expect(await metadataDoc("alice/files/cut")).toEqual([]);
    const ok = await upload("alice", fields(ids, "big.bin", sha(bytes)), { name: "big.bin", bytes, type: "application/octet-stream" });
    expect(ok.status).toBe(200);
    expect((await metadataDoc("alice/files/cut")).length).toBe(1);
  }, IO_TIMEOUT_MS);
});

describe("ours: trailing checksum, idempotency, overwrite, restart", () => {
  test("a checksum after the file part is accepted (and checked); a repeated Idempotency-Key stores the file once", async () => {
    const ids = await pythonSetup("alice/files/ours", []);
    const b = enc.encode("streamed");
    const data = fields(ids, "s.bin", "").filter(([k]) => k !== "checksum");
    const { body, headers } = httpxMultipart(data, { name: "s.bin", bytes: b, type: "application/octet-stream" }, "b0undary");
    const text = new TextDecoder().decode(body).replace("--b0undary--\r\n", `--b0undary\r\nContent-Disposition: form-data; name="checksum"\r\n\r\n${sha(b)}\r\n--b0undary--\r\n`);
    const send = (key: string): Promise<Answer> => call(srv.url, "POST", "namespaces/alice/nodes", { body: text, headers: { ...headers, "content-length": String(enc.encode(text).length), "idempotency-key": key } });
    const a = await send("k-1");
    expect(a.status).toBe(200);
    const again = await send("k-1");
    expect(again.body).toEqual(a.body);
    expect((await metadataDoc("alice/files/ours")).length).toBe(1);
    const wrong = text.replace(sha(b), sha(enc.encode("other")));
    const w = await call(srv.url, "POST", "namespaces/alice/nodes", { body: wrong, headers: { ...headers, "content-length": String(enc.encode(wrong).length) } });
    expect([w.status, w.body["field"]]).toEqual([400, "checksum"]);
  }, IO_TIMEOUT_MS);

  test("the same path and name again replaces the file (Python's overwrite rule): one live record, the old bytes removed", async () => {
    const ids = await pythonSetup("alice/files/over", ["d"]);
    const v1 = enc.encode("one");
    const v2 = enc.encode("two");
    const a = await upload("alice", fields(ids, "f.txt", sha(v1)), { name: "f.txt", bytes: v1, type: "text/plain" });
    const b = await upload("alice", fields(ids, "f.txt", sha(v2)), { name: "f.txt", bytes: v2, type: "text/plain" });
    const idA = (a.body["node"] as Obj)["id"];
    const idB = (b.body["node"] as Obj)["id"];
    expect(idA).not.toBe(idB);
    expect((await metadataDoc("alice/files/over")).map((r) => r["id"])).toEqual([idB]);
    expect(await srv.storage.read(`alice/files/over/files/d/${idA}/f.txt`)).toBeNull();
  }, IO_TIMEOUT_MS);

  test("a restarted server over the same tree finds files by id, search and folder", async () => {
    const ids = await pythonSetup("alice/files/restart", ["x", "y"]);
    const b = enc.encode("persist");
    const up = await upload("alice", fields(ids, "p.txt", sha(b)), { name: "p.txt", bytes: b, type: "text/plain" });
    const id = (up.body["node"] as Obj)["id"] as string;
    const again = await serveNode(createServer({ storage: srv.storage, token: "secret" }), { port: 0 });
    try {
      expect((await call(again.url, "GET", `nodes/${id}`)).body).toMatchObject({ id, name: "p.txt", path: "/x/y" });
      const s = await call<{ files: Obj[] }>(again.url, "GET", `search/files?pattern=${encodeURIComponent("**/p.txt")}`);
      expect(s.body.files.map((f) => f["id"])).toEqual([id]);
      // Python uploads into the folder id it got before the restart.
      const b2 = enc.encode("more");
      const { body, headers } = httpxMultipart(fields(ids, "q.txt", sha(b2)), { name: "q.txt", bytes: b2, type: "text/plain" });
      const r = await call(again.url, "POST", "namespaces/alice/nodes", { body: body as BodyInit, headers });
      expect(r.status).toBe(200);
      expect((r.body["file"] as Obj)["path"]).toBe("/x/y");
    } finally {
      await again.close();
    }
  }, IO_TIMEOUT_MS);
});
