/**
 * Issue 14 item 1, as the attack: a 200 MB request body sent without a token (and one over the
 * size limit with it) is refused before the server reads it, so the server's memory stays put.
 * The server is a real `ml-dash serve` child process; its memory is read from /proc.
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServe, type ServeProcess } from "../../support/serve-process.ts";
import { startServer } from "../../support/server.ts";

const TIMEOUT_MS = 120_000;
const MB = 1024 * 1024;
const TOKEN = "body-limit-token-0123456789";

/** Resident and peak resident memory of a process, in bytes (Linux). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/**
 * POSTs `total` bytes of zeros (declared in Content-Length, or chunked), stopping as soon as the
 * server answers or drops the connection. Resolves with the status (0 when only dropped).
 */
function bigPost(base: string, path: string, total: number, o: { chunked?: boolean; token?: string | undefined } = {}): Promise<number> {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (!o.chunked) headers["content-length"] = String(total);
    if (o.token) headers["authorization"] = `Bearer ${o.token}`;
    const req = request(url, { method: "POST", headers });
    let status = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      req.destroy();
      resolve(status);
    };
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on("end", finish);
      res.on("error", finish);
    });
    req.on("error", finish);
    req.on("close", () => setImmediate(finish));
    const chunk = Buffer.alloc(MB);
    let sent = 0;
    const pump = (): void => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!done && sent >= total) req.end();
    };
    pump();
  });
}

let serve: ServeProcess;
beforeAll(async () => {
  serve = await startServe({ root: tempDir("hardened-body"), token: TOKEN });
}, TIMEOUT_MS);
afterAll(async () => {
  await serve?.stop();
});

describe("a 200 MB body is refused before it is read", () => {
  test.each([
    ["without a token, Content-Length", { token: undefined, chunked: false }, 401],
    ["without a token, chunked", { token: undefined, chunked: true }, 401],
    ["with the token, Content-Length over the limit", { token: TOKEN, chunked: false }, 413],
  ] as const)("%s", async (_name, o, expected) => {
    const before = memory(serve.pid);
    const statuses = await Promise.all([0, 1, 2].map(() => bigPost(serve.url, "/api/namespaces/alice/nodes", 200 * MB, o)));
    const after = memory(serve.pid);
    // Each answer is the refusal (or, once answered, the connection dropped mid-body).
    for (const s of statuses) expect([expected, 0]).toContain(s);
    expect(statuses).toContain(expected);
    // Three parallel 200 MB bodies: the server's peak memory grows by far less than one of them.
    expect(after.peak - before.rss).toBeLessThan(50 * MB);
  }, TIMEOUT_MS);
});

describe("a chunked body is counted as it is read", () => {
  test("past the limit, with the token: 413 before the rest is read", async () => {
    const srv = await startServer({ token: TOKEN, maxBodyBytes: MB });
    try {
      const status = await bigPost(srv.url, "/api/namespaces/alice/nodes", 200 * MB, { token: TOKEN, chunked: true });
      expect(status).toBe(413);
      // The server still answers, and the project was not created.
      const list = await fetch(`${srv.url}/api/experiments`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(list.status).toBe(200);
    } finally {
      await srv.close();
    }
  }, TIMEOUT_MS);
});
