/**
 * Issue 14 item 4 (the SDK's side), as the attack: printing an AuthenticationError or a
 * NetworkError prints no credential, even when the server (here a tiny hono server over
 * loopback that echoes the request's headers into its 401) or the fetch implementation (one
 * that hangs the request on its error, as ky's HTTPError does) hands them back.
 */
import { inspect } from "node:util";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AuthenticationError, Experiment, NetworkError } from "../../../src/index.ts";
import { sameSecret } from "../../../src/internal/secret.ts";
import { serveNode, type NodeServer } from "../../../src/runtime/node/serve.ts";

const TOKEN = "client-secret-token-4d1f0b2e";
const TIMEOUT_MS = 60_000;

/** Everything a person or a logger could print of an error. */
function printed(err: unknown): string {
  return [String(err), (err as Error).stack ?? "", inspect(err, { depth: 20, showHidden: true }), JSON.stringify(err)].join("\n");
}

let echo: NodeServer;
beforeAll(async () => {
  const app = new Hono();
  app.all("*", (c) => {
    const headers = Object.fromEntries(c.req.raw.headers);
    return c.json({ error: `refused: you sent authorization: ${headers["authorization"]}`, headers }, 401);
  });
  echo = await serveNode(async (r) => app.fetch(r), { port: 0 });
});
afterAll(async () => echo?.close());

describe("no credential in a printed error", () => {
  test("a 401 whose body echoes the Authorization header", async () => {
    const err = await new Experiment("alice/p/leak", { dashUrl: echo.url, token: TOKEN, storage: null, echo: false, remote: { retries: 0 } }).run.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthenticationError);
    const text = printed(err);
    expect(text).toContain("refused");
    expect(text).not.toContain(TOKEN);
  }, TIMEOUT_MS);

  test("a fetch failure that carries the request (headers and all)", async () => {
    const leakyFetch = (async (_url: string, init: RequestInit) => {
      const cause = new Error(`connect ECONNREFUSED while sending ${JSON.stringify(init.headers)}`);
      throw Object.assign(new TypeError("fetch failed", { cause }), { request: { headers: init.headers }, options: init });
    }) as unknown as typeof fetch;
    const err = await new Experiment("alice/p/leak2", { dashUrl: echo.url, token: TOKEN, storage: null, echo: false, fetch: leakyFetch, remote: { retries: 0 } }).run.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetworkError);
    const text = printed(err);
    expect(text).toContain("ECONNREFUSED");
    expect(text).not.toContain(TOKEN);
  }, TIMEOUT_MS);
});

describe("the token compare", () => {
  test("equal only when equal; a prefix, an extension or another length is no match", () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    for (const guess of ["", TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), `${TOKEN.slice(0, -1)}\u0000`, "\u0000".repeat(TOKEN.length)]) {
      expect(sameSecret(guess, TOKEN), JSON.stringify(guess)).toBe(false);
    }
  });
});
