/**
 * Issue 14 item 9 (deep nesting), as the attack: a body nested 200,000 levels deep gets one
 * 400 (no 500, no stack trace per request in the log), and the server goes on answering.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { call, createExperiment } from "../../support/http.ts";
import { startServer, type TestServer } from "../../support/server.ts";

let srv: TestServer;
const logged: unknown[] = [];
beforeAll(async () => {
  srv = await startServer({ token: "secret", onError: (e) => logged.push(e) });
});
afterAll(async () => srv?.close());

test("a deeply nested point, parameter and metadata: 400 each, nothing logged", async () => {
  const { id } = await createExperiment(srv.url, "alice/p/deep");
  const deep = `${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`;
  for (const [path, body] of [
    [`experiments/${id}/metrics/m/append`, `{"data":${deep}}`],
    [`experiments/${id}/parameters`, `{"data":${deep}}`],
    ["namespaces/alice/nodes", `{"type":"EXPERIMENT","name":"d","projectSlug":"p","metadata":${deep}}`],
  ] as const) {
    const r = await call(srv.url, "POST", path, { body, contentType: "application/json" });
    expect(r.status, `${path}: ${JSON.stringify(r.body).slice(0, 200)}`).toBe(400);
  }
  expect(logged).toEqual([]);
  expect((await call(srv.url, "GET", `experiments/${id}`)).status).toBe(200);
}, 60_000);
