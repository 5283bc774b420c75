/**
 * Issue 14 item 5, as the attack: a server (here our real server behind a tiny hono proxy over
 * loopback that renames a stored file to `../../PWNED.txt` and the like in every answer) cannot
 * make `download({ to })` write outside its folder: each hostile name is refused and nothing
 * is written anywhere.
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { StorageError } from "../../../src/index.ts";
import { Experiment } from "../../../src/runtime/node/entry.ts";
import { serveNode, type NodeServer } from "../../../src/runtime/node/serve.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

const TOKEN = "download-names-token-1234";
const TIMEOUT_MS = 60_000;

let srv: TestServer;
let proxy: NodeServer;
let hostile = "../../PWNED.txt";
beforeAll(async () => {
  srv = await startServer({ token: TOKEN });
  const app = new Hono();
  app.all("*", async (c) => {
    const url = new URL(c.req.url);
    const headers = new Headers(c.req.raw.headers);
    headers.delete("host");
    headers.set("accept", "application/json"); // answers the proxy can read and rewrite
    const body = c.req.method === "GET" || c.req.method === "HEAD" ? undefined : await c.req.arrayBuffer();
    const res = await fetch(`${srv.url}${url.pathname}${url.search}`, { method: c.req.method, headers, ...(body ? { body } : {}) });
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("json")) return new Response(res.body, { status: res.status, headers: res.headers });
    const text = (await res.text()).replaceAll('"victim.txt"', JSON.stringify(hostile));
    return new Response(text, { status: res.status, headers: { "content-type": type } });
  });
  proxy = await serveNode(async (r) => app.fetch(r), { port: 0 });
});
afterAll(async () => {
  await proxy?.close();
  await srv?.close();
});

/** Every file under `dir`, relative. */
function files(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

describe("server-supplied file names are hostile", () => {
  test.each(["../../PWNED.txt", "/tmp/PWNED.txt", "C:PWNED.txt", "..\\..\\PWNED.txt", "a\u0000b", "..", "sub/../../PWNED.txt"])(
    "a file renamed to %j: refused, nothing written",
    async (name) => {
      hostile = name;
      const exp = await new Experiment(`alice/dl/${Math.random().toString(36).slice(2)}`, { dashUrl: proxy.url, token: TOKEN, storage: null, echo: false }).run.start();
      const saved = await exp.files.saveText("secret", { to: "victim.txt" });
      const base = tempDir("dl");
      const to = join(base, "a", "b");
      mkdirSync(to, { recursive: true });
      for (const attempt of [() => exp.files({ fileId: saved.id }).download({ to: to + "/" }), () => exp.files.download("*", { to })]) {
        const err = await attempt().then(
          (p) => p,

          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).code).toBe("UNSAFE_NAME");
      }
      expect(files(base)).toEqual(["a", join("a", "b")]);
      expect(existsSync("/tmp/PWNED.txt")).toBe(false);
      await exp.run.complete();
    },
    TIMEOUT_MS,
  );
});
