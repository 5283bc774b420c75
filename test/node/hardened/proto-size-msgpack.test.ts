/**
 * Issue 14 item 9 (the smaller ones), as the attack:
 * - `{"__proto__": {...}}` inside a point, a parameter, a track entry or log metadata, sent as
 *   JSON (both parsers: plain and exact numbers) or msgpack, or logged through the SDK: refused
 *   with a 400 / ValidationError naming the key (it used to be merged into its parent, or to
 *   reach `Object.prototype` when params were read back nested); earlier data stays as it was.
 * - a 50 MB single record: a ValidationError (code RECORD_TOO_LARGE) at the call, in both
 *   `onFull` modes, instead of being dropped with advice about yielding; the run goes on.
 * - a malformed msgpack column block: the 400 says what was expected where (it said
 *   "Expected Object but received Object").
 */
import { encode } from "@msgpack/msgpack";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Experiment, ValidationError } from "../../../src/index.ts";
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import { call, createExperiment } from "../../support/http.ts";
import { startServer, type TestServer } from "../../support/server.ts";

/** Server round trips on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

let srv: TestServer;
let id: string;
beforeAll(async () => {
  srv = await startServer({ token: "secret" });
  ({ id } = await createExperiment(srv.url, "alice/p/proto"));
}, IO_TIMEOUT_MS);
afterAll(async () => srv?.close());

const polluted = () => ({}) as Record<string, unknown>;

describe('"__proto__" keys sent to the server', () => {
  test("every body that carries one is a 400 naming it; nothing was merged or polluted", async () => {
    // Earlier data, to check it is intact afterwards.
    expect((await call(srv.url, "POST", `experiments/${id}/metrics/m/append`, { json: { data: { loss: 1 } } })).status).toBe(200);
    expect((await call(srv.url, "POST", `experiments/${id}/parameters`, { json: { data: { lr: 0.1 } } })).status).toBe(200);
    const bodies: [string, string][] = [
      [`experiments/${id}/metrics/m/append`, '{"data":{"loss":2,"__proto__":{"x":2}}}'],
      [`experiments/${id}/metrics/m/append`, '{"data":{"loss":2.0,"__proto__":{"x":2}}}'], // `2.0`: the exact-number parser
      [`experiments/${id}/metrics/m/append-batch`, '{"dataPoints":[{"loss":3,"__proto__":{"y":3}}]}'],
      [`experiments/${id}/parameters`, '{"data":{"lr":1,"__proto__":{"z":2}}}'],
      [`experiments/${id}/parameters`, '{"data":{"opt":{"__proto__":{"polluted":true}}}}'],
      [`experiments/${id}/tracks/t/append_batch`, '{"entries":[{"timestamp":1,"__proto__":{"w":2}}]}'],
      [`experiments/${id}/tracks/t/append`, '{"timestamp":1,"data":{"__proto__":{"w":2}}}'],
      [`experiments/${id}/logs`, '{"logs":[{"message":"m","metadata":{"__proto__":{"v":1}}}]}'],
      ["namespaces/alice/nodes", '{"type":"EXPERIMENT","name":"p2","projectSlug":"p","metadata":{"__proto__":{"v":1}}}'],
    ];
    for (const [path, body] of bodies) {
      const r = await call(srv.url, "POST", path, { body, contentType: "application/json" });
      expect(r.status, `${path} ${body}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(String(r.body["error"])).toContain('"__proto__"');
      expect(String(r.body["field"])).toMatch(/__proto__$/);
    }
    const mp = await call(srv.url, "POST", `experiments/${id}/metrics/m/append`, { msgpack: { data: JSON.parse('{"loss":4,"__proto__":{"x":4}}') } });
    expect(mp.status).toBe(400);
    expect(String(mp.body["error"])).toContain('"__proto__"');

    const points = await call<{ data: { data: Record<string, unknown> }[] }>(srv.url, "GET", `experiments/${id}/metrics/m/data`);
    expect(points.body.data.map((p) => p.data)).toEqual([{ loss: 1 }]);
    const params = await call<{ data: Record<string, unknown> }>(srv.url, "GET", `experiments/${id}/parameters`);
    expect(params.body.data).toEqual({ lr: 0.1 });
    expect(polluted()["polluted"]).toBeUndefined();
  }, IO_TIMEOUT_MS);
});

describe('"__proto__" keys logged through the SDK (local store)', () => {
  test("metrics, params, tracks and log metadata refuse them with a ValidationError naming the key", async () => {
    const store = memoryAdapter();
    const exp = await new Experiment("alice/p/sdk", { storage: store, echo: false }).run.start();
    exp.metrics("m").log({ loss: 1 });
    const attacks: [string, () => unknown, string][] = [
      ["metric point", () => exp.metrics("m").log(JSON.parse('{"loss":2,"__proto__":{"x":2}}')), "__proto__"],
      ["nested value", () => exp.metrics("m").log({ loss: 2, opt: JSON.parse('{"__proto__":{"x":2}}') }), "opt.__proto__"],
      ["metric groups", () => exp.metrics.log(JSON.parse('{"__proto__":{"x":2}}')), "__proto__"],
      ["params", () => exp.params.set(JSON.parse('{"lr":1,"__proto__":{"z":2}}')), "__proto__"],
      ["track entry", () => exp.tracks("t").append(JSON.parse('{"__proto__":{"w":2}}')), "__proto__"],
      ["log metadata", () => exp.log("m", { metadata: JSON.parse('{"__proto__":{"v":1}}') }), "__proto__"],
    ];
    for (const [what, attack, field] of attacks) {
      let err: unknown;
      try {
        await attack();
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field, what).toBe(field);
      expect((err as Error).message, what).toContain('"__proto__"');
    }
    // An object literal `{ __proto__: {...} }` sets the prototype: refused with a message saying so.
    expect(() => exp.metrics("m").log({ loss: 2, opt: { __proto__: { x: 2 } } })).toThrow(/prototype was replaced/);
    await exp.flush();
    const rows = (await exp.metrics("m").read({ startIndex: 0, limit: 10 })) as unknown as { data: { data: Record<string, unknown> }[] } | Record<string, unknown>[];
    const got = JSON.stringify(rows);
    expect(got).not.toContain('"x"');
    expect(got).toContain('"loss"');
    await exp.run.complete();
  }, IO_TIMEOUT_MS);
});

describe("a 50 MB single record", () => {
  test.each(["block", "drop"] as const)("onFull %s: a ValidationError RECORD_TOO_LARGE at the call, nothing dropped, the run goes on", async (onFull) => {
    const exp = await new Experiment(`alice/p/big-${onFull}`, { storage: memoryAdapter(), echo: false, buffer: { onFull } }).run.start();
    const blob = "x".repeat(50_000_000);
    for (const attack of [() => exp.metrics("m").log({ blob }), () => exp.tracks("t").append({ blob }), () => exp.log(blob)]) {
      let err: unknown;
      try {
        attack();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe("RECORD_TOO_LARGE");
      expect((err as Error).message).toMatch(/maxQueueBytes/);
      expect((err as Error).message).not.toMatch(/[Yy]ield/);
    }
    exp.metrics("m").log({ loss: 1 });
    await exp.flush();
    expect(exp.stats.dropped).toBe(0);
    await exp.run.complete();
  }, IO_TIMEOUT_MS);
});

describe("msgpack errors say what was expected where", () => {
  test.each([
    [{ blocks: [{ keys: ["a"] }] }, "blocks.0.cols", /column block/],
    [{ blocks: [{ keys: ["a"], cols: [1], ts: new Uint8Array(8), length: 1 }] }, "blocks.0.cols.0", /Uint8Array/],
    [{ blocks: [{ rows: 1 }] }, "blocks.0.rows", /row block/],
    [{ blocks: [[1]] }, "blocks.0", /column block .* or a row block .*not an array/],
  ])("%j: 400 naming %s", async (body, field, message) => {
    const r = await call(srv.url, "POST", `experiments/${id}/metrics/mp/append-batch`, { body: encode(body) as BodyInit, contentType: "application/msgpack" });
    expect(r.status).toBe(400);
    expect(r.body["field"]).toBe(field);
    expect(String(r.body["error"])).toMatch(message);
    expect(String(r.body["error"])).not.toContain("Expected Object but received Object");
  });
});
