/**
 * Who may do what on our server: one server token (its user is `user`, it writes everywhere), or
 * per-user tokens (`users`, `ml-dash serve --users users.json`) that read every run and write only
 * their own namespace. 401 for a missing or wrong token, 403 for a write to another namespace
 * (REST and the namespace of the experiment, node or project a write names), and no token in the
 * server's output or answers.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer } from "../../../src/server/index.ts";
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServe } from "../../support/serve-process.ts";
import { startServer, type TestServer } from "../../support/server.ts";

const ALICE = "alice-token-0123456789";
const BOB = "bob-token-abcdefghijkl";
let server: TestServer;

async function call(token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
const me = async (token: string) => (await call(token, "POST", "/graphql", { query: "query GetCurrentUser { me { id username email name } }" })).body.data.me;

beforeAll(async () => {
  server = await startServer({ users: [{ username: "alice", token: ALICE, email: "alice@example.com", name: "Alice A." }, { username: "bob", token: BOB }] });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("per-user tokens", () => {
  test("GetCurrentUser / GetMyNamespace answer for the token's user", async () => {
    expect(await me(ALICE)).toEqual({ id: "alice", username: "alice", email: "alice@example.com", name: "Alice A." });
    expect(await me(BOB)).toMatchObject({ username: "bob", email: null });
  });

  test("401 without a token or with a wrong one, on /api and /graphql; the answer never echoes the token", async () => {
    for (const path of ["/api/experiments", "/graphql"]) {
      const method = path === "/graphql" ? "POST" : "GET";
      const body = path === "/graphql" ? { query: "{ me { username } }" } : undefined;
      expect((await call(undefined, method, path, body)).status).toBe(401);
      const wrong = await call("not-" + ALICE, method, path, body);
      expect(wrong.status).toBe(401);
      expect(JSON.stringify(wrong.body)).not.toContain(ALICE);
    }
  });

  test("a token writes its own namespace, reads every namespace, and gets 403 for writes to another", async () => {
    const bobRun = await call(BOB, "POST", "/api/namespaces/bob/nodes", { type: "EXPERIMENT", name: "run", projectSlug: "p", prefix: "bob/p/f/run" });
    expect(bobRun.status).toBe(200);
    const { experiment, node, project } = bobRun.body;
    expect((await call(BOB, "POST", `/api/experiments/${experiment.id}/logs`, { logs: [{ level: "info", message: "mine" }] })).status).toBe(200);
    // alice reads bob's run
    expect((await call(ALICE, "GET", `/api/experiments/${experiment.id}/logs`)).body.logs.map((l: { message: string }) => l.message)).toEqual(["mine"]);
    const search = await call(ALICE, "POST", "/graphql", { query: '{ searchExperimentsPaginated(pattern: "bob/*") { experiments { name } } }' });
    expect(search.body.data.searchExperimentsPaginated.experiments).toEqual([{ name: "run" }]);
    // and may not write to it, however the write names it
    const forbidden: [string, string, unknown][] = [
      ["POST", "/api/namespaces/bob/nodes", { type: "EXPERIMENT", name: "x", projectSlug: "p" }],
      ["POST", `/api/experiments/${experiment.id}/logs`, { logs: [{ level: "info", message: "not yours" }] }],
      ["POST", `/api/experiments/${experiment.id}/parameters`, { data: { a: 1 } }],
      ["POST", `/api/experiments/${experiment.id}/metrics/m/append-batch`, { dataPoints: [{ v: 1 }] }],
      ["PATCH", `/api/nodes/${node.id}`, { status: "COMPLETED" }],
      ["DELETE", `/api/projects/${project.id}`, undefined],
    ];
    for (const [method, path, body] of forbidden) {
      const r = await call(ALICE, method, path, body);
      expect([method, path, r.status]).toEqual([method, path, 403]);
      expect(r.body.error).toMatch(/User alice may not write to namespace "bob"/);
    }
    expect((await call(BOB, "GET", `/api/experiments/${experiment.id}/logs`)).body.logs).toHaveLength(1);
    expect((await call(ALICE, "POST", "/api/namespaces/alice/nodes", { type: "EXPERIMENT", name: "run", projectSlug: "p" })).status).toBe(200);
  });

  test("bad user lists are refused with a message naming the entry", () => {
    const storage = memoryAdapter();
    expect(() => createServer({ storage, users: [{ username: "a", token: "short" }] })).toThrow(/users\[0\] \(a\): token must be a string of at least 16 characters/);
    expect(() => createServer({ storage, users: [{ username: "a/b", token: ALICE }] })).toThrow(/users\[0\]\.username/);
    expect(() => createServer({ storage, users: [{ username: "a", token: ALICE }, { username: "b", token: ALICE }] })).toThrow(/same token/);
  });
});

describe("one server token", () => {
  test("its user is --user; it writes every namespace", async () => {
    const one = await startServer({ token: "the-one-server-token", user: "carol" });
    try {
      const r = await fetch(`${one.url}/graphql`, { method: "POST", headers: { authorization: "Bearer the-one-server-token", "content-type": "application/json" }, body: JSON.stringify({ query: "{ me { username } }" }) });
      expect((await r.json()).data.me.username).toBe("carol");
      const w = await fetch(`${one.url}/api/namespaces/dave/nodes`, { method: "POST", headers: { authorization: "Bearer the-one-server-token", "content-type": "application/json" }, body: JSON.stringify({ type: "PROJECT", name: "p" }) });
      expect(w.status).toBe(200);
    } finally {
      await one.close();
    }
  });
});

describe("ml-dash serve --users", () => {
  test("serves per-user tokens from the file; no token appears in its output", async () => {
    const root = tempDir("serve-users");
    const file = join(tempDir("users-file"), "users.json");
    writeFileSync(file, JSON.stringify([{ username: "alice", token: ALICE }, { username: "bob", token: BOB }]));
    const serve = await startServe({ root, users: file });
    let out = "";
    try {
      const post = (token: string, path: string, body: unknown) =>
        fetch(`${serve.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect((await post(BOB, "/api/namespaces/alice/nodes", { type: "PROJECT", name: "p" })).status).toBe(403);
      expect((await post("wrong-" + BOB, "/api/namespaces/bob/nodes", { type: "PROJECT", name: "p" })).status).toBe(401);
      expect((await post(ALICE, "/api/namespaces/alice/nodes", { type: "BROKEN" })).status).toBe(400);
      const r = await post(ALICE, "/graphql", { query: "{ me { username } }" });
      expect((await r.json()).data.me.username).toBe("alice");
    } finally {
      const done = await serve.stop();
      out = done.stdout + done.stderr;
    }
    expect(out).toContain("2 user tokens");
    expect(out).not.toContain(ALICE);
    expect(out).not.toContain(BOB);
  }, 120_000);
});
