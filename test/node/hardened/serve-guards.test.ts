/**
 * Issue 14 items 3, 4 (serve's side) and the acceptance's `--host 0.0.0.0` rule, as the attack,
 * against a real `ml-dash serve`: a foreign `Host` (DNS rebinding) and a foreign `Origin` are
 * refused on `/api` too (with `--port 0`), CORS answers only origins given with `--cors-origin`
 * (`*` never with writes), the token comes from ML_DASH_TOKEN or --token-file and is printed
 * nowhere, and a non-loopback bind without a token refuses to start unless `--insecure`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServe, type ServeProcess } from "../../support/serve-process.ts";

const TIMEOUT_MS = 120_000;

/** A raw request (any Host header; fetch cannot set one). */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers: { ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("a token-less loopback serve on --port 0", () => {
  let serve: ServeProcess;
  let host: string;
  beforeAll(async () => {
    serve = await startServe({ root: tempDir("guards") });
    host = new URL(serve.url).host;
  }, TIMEOUT_MS);
  afterAll(async () => {
    await serve?.stop();
  });

  test("a foreign Host gets 403 on /api and the dashboard; its own names get 200", async () => {
    const port = new URL(serve.url).port;
    for (const path of ["/api/experiments", "/dash/api/runs", "/"]) {
      expect((await raw(serve.url, "GET", path, { host: `attacker.example:${port}` })).status, path).toBe(403);
    }
    for (const h of [host, `localhost:${port}`]) expect((await raw(serve.url, "GET", "/api/experiments", { host: h })).status).toBe(200);
  }, TIMEOUT_MS);

  test("another origin can neither read nor write: 403, no CORS headers, nothing created", async () => {
    const evil = "http://evil.example:8080";
    const read = await raw(serve.url, "GET", "/api/experiments", { host, origin: evil });
    expect(read.status).toBe(403);
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
    // A "simple" cross-origin POST (text/plain, no preflight) would reach the handler.
    const write = await raw(serve.url, "POST", "/api/namespaces/alice/nodes", { host, origin: evil, "content-type": "text/plain" }, JSON.stringify({ type: "PROJECT", name: "pwned" }));
    expect(write.status).toBe(403);
    const pre = await raw(serve.url, "OPTIONS", "/api/namespaces/alice/nodes", { host, origin: evil, "access-control-request-method": "POST" });
    expect(pre.headers["access-control-allow-origin"]).toBeUndefined();
    const list = JSON.parse((await raw(serve.url, "GET", "/api/experiments", { host })).text) as { experiments: unknown[] };
    expect(list.experiments).toEqual([]);
    expect((await raw(serve.url, "GET", "/api/experiments", { host, origin: `http://${host}` })).status).toBe(200);
  }, TIMEOUT_MS);
});

describe("--cors-origin", () => {
  let serve: ServeProcess;
  let host: string;
  beforeAll(async () => {
    serve = await startServe({ root: tempDir("guards-cors"), args: ["--cors-origin", "http://app.example", "--cors-origin", "*"] });
    host = new URL(serve.url).host;
  }, TIMEOUT_MS);
  afterAll(async () => {
    await serve?.stop();
  });

  test("a named origin may write; '*' lets others read, never write", async () => {
    const pre = await raw(serve.url, "OPTIONS", "/api/namespaces/alice/nodes", { host, origin: "http://app.example", "access-control-request-method": "POST" });
    expect(pre.headers["access-control-allow-origin"]).toBe("http://app.example");
    expect(String(pre.headers["access-control-allow-methods"])).toContain("POST");
    const made = await raw(serve.url, "POST", "/api/namespaces/alice/nodes", { host, origin: "http://app.example", "content-type": "application/json" }, JSON.stringify({ type: "PROJECT", name: "ok" }));
    expect(made.status).toBe(200);
    const other = "http://other.example";
    const read = await raw(serve.url, "GET", "/api/experiments", { host, origin: other });
    expect(read.status).toBe(200);
    expect(read.headers["access-control-allow-origin"]).toBe(other);
    const otherPre = await raw(serve.url, "OPTIONS", "/api/namespaces/alice/nodes", { host, origin: other, "access-control-request-method": "POST" });
    expect(String(otherPre.headers["access-control-allow-methods"])).not.toContain("POST");
    const write = await raw(serve.url, "POST", "/api/namespaces/alice/nodes", { host, origin: other, "content-type": "text/plain" }, JSON.stringify({ type: "PROJECT", name: "no" }));
    expect(write.status).toBe(403);
  }, TIMEOUT_MS);
});

describe("the token", () => {
  const TOKEN = "serve-guard-token-7f3a9c";
  test.each([
    ["ML_DASH_TOKEN", (): { env?: Record<string, string>; args?: string[] } => ({ env: { ML_DASH_TOKEN: TOKEN } })],
    ["--token-file", (): { env?: Record<string, string>; args?: string[] } => {
      const file = join(tempDir("token-file"), "token");
      writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
      return { args: ["--token-file", file] };
    }],
  ] as const)("from %s: required, and printed nowhere (output, argv)", async (_name, how) => {
    const serve = await startServe({ root: tempDir("guards-token"), ...how() });
    try {
      expect((await fetch(`${serve.url}/api/experiments`)).status).toBe(401);
      expect((await fetch(`${serve.url}/api/experiments`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      expect((await fetch(`${serve.url}/api/experiments`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect(serve.output()).toMatch(/bearer token required/);
      expect(serve.output()).not.toContain(TOKEN);
      expect(serve.output()).not.toMatch(/\?token=[^<]/);
      expect(readFileSync(`/proc/${serve.pid}/cmdline`, "utf8")).not.toContain(TOKEN);
    } finally {
      const out = await serve.stop();
      expect(out.stdout + out.stderr).not.toContain(TOKEN);
    }
  }, TIMEOUT_MS);
});

describe("--host 0.0.0.0", () => {
  test("without a token it refuses to start; with --insecure it starts and warns", async () => {
    const refused = await startServe({ root: tempDir("guards-open"), args: ["--host", "0.0.0.0"] }).then(
      (s) => s.stop().then(() => "started"),
      (err: unknown) => String(err),
    );
    expect(refused).toMatch(/exit 2/);
    expect(refused).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    const open = await startServe({ root: tempDir("guards-open2"), args: ["--host", "0.0.0.0", "--insecure"] });
    const out = await open.stop();
    expect(out.stderr).toMatch(/without a token \(--insecure\)/);
  }, TIMEOUT_MS);
});
