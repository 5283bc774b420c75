/**
 * Numbers exactly as written (issue 13): integers beyond 2^53 keep every digit (`bigint`),
 * whole-number floats written by ML-Dash Python (`1.0`) stay floats through a params rewrite,
 * `ml-dash upload` and our server, and TS writes what Python reads back as the same value.
 */
import { describe, expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { Experiment } from "../../src/index.ts";
import { pyJson } from "../../src/layout/py-json.ts";
import { parseJsonLines, parsePyJson } from "../../src/layout/py-json-parse.ts";
import { ExactNumber } from "../../src/model/exact.ts";
import { RemoteClient } from "../../src/backends/remote/client.ts";
import { uploadRun } from "../../src/replicate/sync.ts";
import { startServer } from "../support/server.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";

const utf8 = new TextEncoder();
const text = async (s: StorageAdapter, key: string): Promise<string> => new TextDecoder().decode((await s.read(key)) ?? new Uint8Array());

describe("exact numbers", () => {
  test("the writer: bigint digits, -0.0, integral floats past 2^53 as Python's repr, kept text verbatim", () => {
    expect(pyJson({ a: 2n ** 60n, b: -(2n ** 64n), c: -0, d: 2 ** 60, e: 2 ** 53, f: new ExactNumber("1.0"), g: 1e21, h: 0.1 })).toBe(
      '{"a": 1152921504606846976, "b": -18446744073709551616, "c": -0.0, "d": 1.152921504606847e+18, "e": 9007199254740992.0, "f": 1.0, "g": 1e+21, "h": 0.1}',
    );
  });

  test("the reader: integers past 2^53 as bigint; with exact, floats our writer would not reproduce are kept", () => {
    const doc = '{"big": 12345678901234567890, "safe": 9007199254740991, "f": 1.0, "lr": 1e-05, "x": 0.30000000000000004, "nz": -0.0, "s": "12345678901234567890", "n": NaN}';
    const plain = parsePyJson(doc) as Record<string, unknown>;
    expect(plain).toMatchObject({ big: 12345678901234567890n, safe: 9007199254740991, f: 1, lr: 1e-5, x: 0.30000000000000004, s: "12345678901234567890" });
    expect(Object.is(plain["nz"], -0)).toBe(true);
    const exact = parsePyJson(doc, true) as Record<string, unknown>;
    expect(exact["f"]).toEqual(new ExactNumber("1.0"));
    expect(exact["lr"]).toEqual(new ExactNumber("1e-05"));
    expect(exact["x"]).toBe(0.30000000000000004);
    expect(pyJson(exact)).toBe(doc);
    expect(parseJsonLines('{"a": 1}\n{"a": 18446744073709551616}\n').records).toEqual([{ a: 1 }, { a: 18446744073709551616n }]);
  });

  test("TS writes bigints, -0 and 2**60 so Python reads the same value; reads give bigint back", async () => {
    const storage = memoryAdapter();
    const exp = await new Experiment("t/p/w", { storage, echo: false }).run.start();
    exp.metrics("m").log({ x: 2n ** 60n, y: 2 ** 60, z: -0, _ts: 1 });
    exp.params.set({ seed: 12345678901234567890n });
    await exp.flush();
    expect(await text(storage, "t/p/w/metrics/m/data.jsonl")).toMatch(/^\{"index": 0, "data": \{"x": 1152921504606846976, "y": 1.152921504606847e\+18, "z": -0.0, "_ts": 1\}/);
    const page = await exp.metrics("m").read();
    expect(page.data[0]?.data).toMatchObject({ x: 2n ** 60n, y: 2 ** 60 });
    expect(exp.params.get()).toMatchObject({ seed: 12345678901234567890n });
    await exp.run.complete();
  });

  test("params.set on a Python-written run keeps the text of every key it did not change", async () => {
    const storage = memoryAdapter();
    const dir = "py/p/params";
    await storage.write(`${dir}/experiment.json`, utf8.encode('{"name": "params", "project": "p", "prefix": "py/p/params", "created_at": "2026-01-01T00:00:00.000000Z", "write_protected": false}'));
    await storage.write(`${dir}/parameters.json`, utf8.encode('{"version": 1, "data": {"big": 12345678901234567890, "float1": 1.0, "lr": 1e-05, "xs": [1.0, 2]}, "createdAt": "2026-01-01T00:00:00.000000Z", "updatedAt": "2026-01-01T00:00:00.000000Z"}'));
    const exp = await new Experiment(dir, { storage, echo: false }).run.start();
    expect(exp.params.get()).toEqual({ big: 12345678901234567890n, float1: 1, lr: 1e-5, xs: [1, 2] }); // numbers to users
    exp.params.set({ ts_added: 2 });
    await exp.run.complete();
    expect(await text(storage, `${dir}/parameters.json`)).toMatch(/"data": \{"big": 12345678901234567890, "float1": 1.0, "lr": 1e-05, "xs": \[1.0, 2\], "ts_added": 2\}/);
  });

  for (const wire of ["msgpack", "json"] as const) {
    test(`upload (${wire}) and the server keep whole floats, big integers and -0.0 as written`, async () => {
      const srv = await startServer({ token: "tok-123456789" });
      try {
        const storage = memoryAdapter();
        const dir = "py/p/run";
        await storage.write(`${dir}/experiment.json`, utf8.encode('{"name": "run", "project": "p", "prefix": "py/p/run", "created_at": "2026-01-01T00:00:00.000000Z", "write_protected": false}'));
        await storage.write(`${dir}/parameters.json`, utf8.encode('{"version": 1, "data": {"big": 12345678901234567890, "float1": 1.0}, "createdAt": "2026-01-01T00:00:00.000000Z", "updatedAt": "2026-01-01T00:00:00.000000Z"}'));
        const metric = [
          '{"index": 0, "data": {"loss": 1.0, "big": 18446744073709551616, "nz": -0.0, "_ts": 1700000001.0}, "createdAt": "2026-01-01T00:00:01.000000Z"}',
          '{"index": 1, "data": {"loss": 0.5, "big": 9007199254740993, "nz": 0, "_ts": 1700000001.5}, "createdAt": "2026-01-01T00:00:01.000000Z"}',
        ];
        await storage.write(`${dir}/metrics/train/data.jsonl`, utf8.encode(metric.join("\n") + "\n"));
        const track = ['{"timestamp": 10.0, "x": 1.0, "n": -9223372036854775809}', '{"timestamp": 10.5, "x": 2}'];
        await storage.write(`${dir}/tracks/pose/data.jsonl`, utf8.encode(track.join("\n") + "\n"));
        await storage.write(`${dir}/tracks/pose/metadata.json`, utf8.encode('{"trackId": "local-track-pose", "topic": "pose", "columns": ["n", "x"], "totalEntries": 2, "firstTimestamp": 10.0, "lastTimestamp": 10.5, "createdAt": "2026-01-01T00:00:01.000000Z"}'));
        const client = new RemoteClient({ dashUrl: srv.url, token: "tok-123456789", wire });
        await uploadRun(client, storage, dir);
        expect(await text(srv.storage, `${dir}/metrics/train/data.jsonl`)).toBe(metric.join("\n") + "\n");
        expect(await text(srv.storage, `${dir}/tracks/pose/data.jsonl`)).toBe(track.join("\n") + "\n");
        expect(await text(srv.storage, `${dir}/parameters.json`)).toMatch(/"data": \{"big": 12345678901234567890, "float1": 1.0\}/);
        // Read back over the API as ML-Dash Python does (JSON): the floats are still floats.
        const list = (await client.request<{ experiments: { id: string; prefix: string }[] }>({ method: "GET", path: "experiments" })).data;
        const id = list?.experiments.find((e) => e.prefix === dir)?.id as string;
        const res = await fetch(`${srv.url}/api/experiments/${id}/metrics/train/data`, { headers: { authorization: "Bearer tok-123456789" } });
        expect(await res.text()).toContain('"data":{"loss":1.0,"big":18446744073709551616,"nz":-0.0,"_ts":1700000001.0}');
        expect(res.headers.get("x-ml-dash-non-finite")).toBe("null"); // JSON answers say NaN and ±Infinity are null
      } finally {
        await srv.close();
      }
    }, 60_000);
  }

  test("NaN and ±Infinity survive a remote-only run's reads (msgpack), metrics and tracks", async () => {
    const srv = await startServer({ token: "tok-123456789" });
    try {
      const exp = await new Experiment("alice/nf/run", { dashUrl: srv.url, token: "tok-123456789", storage: null, echo: false }).run.start();
      exp.metrics("m").log({ a: NaN, b: Infinity, c: -Infinity, d: 1, _ts: 1 });
      exp.metrics("m").log({ a: 0.5, b: NaN, note: "row", _ts: 2 });
      exp.tracks("t").append({ x: NaN, y: -Infinity, _ts: 1 });
      await exp.flush();
      const rows = (await exp.metrics("m").read()).data.map((r) => r.data);
      expect(rows[0]).toMatchObject({ a: NaN, b: Infinity, c: -Infinity, d: 1 });
      expect(rows[1]).toMatchObject({ a: 0.5, b: NaN, note: "row" });
      expect((await exp.tracks("t").read()).entries[0]).toMatchObject({ x: NaN, y: -Infinity });
      await exp.run.complete();
    } finally {
      await srv.close();
    }
  }, 60_000);
});
