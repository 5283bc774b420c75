/**
 * The recording proxy the Python protocol tests stand on: it forwards every request unchanged and
 * records each one in a form two clients can be compared by.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { encode } from "@msgpack/msgpack";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { httpxMultipart } from "../support/multipart.ts";
import { normalizePath, signature, startRecordingProxy, STEP_MARKER, type RecordingProxy } from "../support/recording-proxy.ts";

let target: Server;
let targetUrl: string;
const seen: { method: string; url: string; body: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body: Buffer.concat(chunks).toString("latin1"), auth: req.headers.authorization });
      const status = req.url?.startsWith("/missing") ? 404 : 200;
      const body = JSON.stringify({ ok: status === 200, project: { id: "77", slug: "p" } });
      res.writeHead(status, { "content-type": "application/json", "x-extra": "kept" }).end(body);
    });
  });
  await new Promise<void>((done) => target.listen(0, "127.0.0.1", done));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => target.close(() => done())));

describe("recording proxy", () => {
  test("ids become placeholders; metric names and track topics stay", () => {
    expect(normalizePath("/api/namespaces/alice/nodes")).toBe("/api/namespaces/{namespace}/nodes");
    expect(normalizePath("/api/experiments/123/metrics/None/append-batch")).toBe("/api/experiments/{experimentId}/metrics/None/append-batch");
    expect(normalizePath("/api/experiments/123/tracks/robot%2Fpose/data")).toBe("/api/experiments/{experimentId}/tracks/robot%2Fpose/data");
    expect(normalizePath("/api/nodes/42/download")).toBe("/api/nodes/{nodeId}/download");
    expect(normalizePath("/api/projects/9")).toBe("/api/projects/{projectId}");
    expect(normalizePath("/api/experiments/5/metrics/loss/chunks/0")).toBe("/api/experiments/{experimentId}/metrics/loss/chunks/{chunk}");
    expect(normalizePath("/api/search/files")).toBe("/api/search/files");
  });

  describe("in front of a server", () => {
    let proxy: RecordingProxy;
    const exchanges: unknown[] = [];
    beforeAll(async () => {
      proxy = await startRecordingProxy(targetUrl, {
        graphql: async (body) => ({ status: 200, body: { data: { echo: body.variables ?? null } } }),
        onExchange: (_r, answer) => exchanges.push(answer),
      });
    });
    afterAll(() => proxy.close());

    test("forwards requests unchanged and answers what the server answered; records JSON, multipart, msgpack and GraphQL", async () => {
      const auth = { authorization: "Bearer T" };
      await fetch(`${proxy.url}${STEP_MARKER}?name=first`);
      const json = await fetch(`${proxy.url}/api/namespaces/alice/nodes`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ type: "EXPERIMENT", name: "e", tags: ["a"] }) });
      expect(json.status).toBe(200);
      expect(json.headers.get("x-extra")).toBe("kept");
      expect(await json.json()).toMatchObject({ ok: true });
      const mp = httpxMultipart([["type", "FILE"], ["name", "a.bin"]], { name: "a.bin", bytes: new Uint8Array([1, 2, 3]), type: "application/octet-stream" });
      await fetch(`${proxy.url}/api/namespaces/alice/nodes`, { method: "POST", headers: { ...auth, ...mp.headers }, body: mp.body as BodyInit });
      await fetch(`${proxy.url}/api/experiments/9/metrics/train/append-batch`, { method: "POST", headers: { "content-type": "application/msgpack" }, body: encode({ startIndex: 0, blocks: [{ a: 1 }, { b: 2 }] }) as BodyInit });
      await fetch(`${proxy.url}${STEP_MARKER}?name=second`);
      const gql = await fetch(`${proxy.url}/graphql`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ query: "query GetExpInfo($id: ID!) { experimentById(id: $id) { project { slug } } }", variables: { id: "1" } }) });
      expect(await gql.json()).toEqual({ data: { echo: { id: "1" } } });
      expect((await fetch(`${proxy.url}/missing/thing?b=1&a=2&a=3`)).status).toBe(404);

      // the server saw the bodies byte for byte (and no marker)
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["POST /api/namespaces/alice/nodes", "POST /api/namespaces/alice/nodes", "POST /api/experiments/9/metrics/train/append-batch", "GET /missing/thing?b=1&a=2&a=3"]);
      expect(seen[1]?.body).toBe(Buffer.from(mp.body).toString("latin1"));
      expect(seen[0]?.auth).toBe("Bearer T");

      const [a, b, c, d, e] = proxy.requests;
      expect(a).toMatchObject({ seq: 0, method: "POST", path: "/api/namespaces/{namespace}/nodes", contentType: "application/json", bodyKeys: ["name", "tags", "type"], nodeType: "EXPERIMENT", status: 200, authorized: true, step: "first" });
      expect(b).toMatchObject({ contentType: "multipart/form-data", formFields: ["type", "name", "file"], nodeType: "FILE", step: "first" });
      expect(c).toMatchObject({ contentType: "application/msgpack", bodyKeys: ["blocks", "startIndex"], itemKeys: { blocks: ["a", "b"] }, authorized: false });
      expect(d).toMatchObject({ path: "/graphql", operation: "GetExpInfo", selection: "experimentById{project}", variables: ["id"], stubbed: true, status: 200, step: "second" });
      expect(e).toMatchObject({ path: "/missing/thing", query: ["a", "b"], status: 404 });
      expect(proxy.requests.map(signature)).toEqual([
        "POST /api/namespaces/{namespace}/nodes EXPERIMENT → 200",
        "POST /api/namespaces/{namespace}/nodes FILE → 200",
        "POST /api/experiments/{experimentId}/metrics/train/append-batch → 200",
        "POST /graphql GetExpInfo → 200 (stub)",
        "GET /missing/thing?a&b → 404",
      ]);
      expect(exchanges[0]).toMatchObject({ project: { id: "77" } });
      proxy.clear();
      expect(proxy.requests).toEqual([]);
    });
  });

  test("a target that cannot be reached is recorded with status 0 and answered 502", async () => {
    const dead = createServer();
    await new Promise<void>((done) => dead.listen(0, "127.0.0.1", done));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((done) => dead.close(() => done()));
    const proxy = await startRecordingProxy(`http://127.0.0.1:${port}`);
    try {
      expect((await fetch(`${proxy.url}/api/x`)).status).toBe(502);
      expect(proxy.requests).toMatchObject([{ path: "/api/x", status: 0 }]);
    } finally {
      await proxy.close();
    }
  });
});
