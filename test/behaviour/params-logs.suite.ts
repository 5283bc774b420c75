/** Params (flatten, merge, versions) and logs (levels, metadata, timestamps, sequence numbers). */
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../src/index.ts";
import { experiment, json, jsonl, PY_ISO, raw, until, withFixture, type MakeFixture } from "./helpers.ts";

export function paramsLogsSuite(name: string, make: MakeFixture): void {
  const t = (title: string, fn: Parameters<typeof withFixture>[1]): void => {
    test(title, () => withFixture(make, fn), 30_000);
  };

  describe(`params: ${name}`, () => {
    t("set flattens nested objects, merges key by key, and get is synchronous", async ({ adapter }) => {
      const exp = await experiment(adapter, "p/q/params").run.start();
      exp.params.set({ lr: 1e-3, model: { layers: 50, act: "relu", opt: { name: "adam" } }, tags: [1, 2], empty: {} });
      expect(exp.params.get()).toEqual({ lr: 1e-3, "model.layers": 50, "model.act": "relu", "model.opt.name": "adam", tags: [1, 2] });
      exp.params.set({ model: { layers: 18 }, "model.dropout": 0.1 });
      expect(exp.params.get()).toMatchObject({ "model.layers": 18, "model.act": "relu", "model.dropout": 0.1 });
      expect(exp.params.get({ flatten: false })).toEqual({
        lr: 1e-3,
        model: { layers: 18, act: "relu", dropout: 0.1, opt: { name: "adam" } },
        tags: [1, 2],
      });
      exp.params.log({ batch_size: 32 });
      await exp.run.complete();
      const doc = await json(adapter, "p/q/params/parameters.json");
      expect(doc).toMatchObject({ version: 3, data: { lr: 1e-3, "model.layers": 18, batch_size: 32 } });
      expect(Object.keys(doc ?? {})).toEqual(["version", "data", "updatedAt"]);
    });

    t("the first parameters.json has createdAt and updatedAt, as Python writes it", async ({ adapter }) => {
      const exp = await experiment(adapter, "p/q/first").run.start();
      exp.params.set({ a: 1 });
      await exp.flush();
      const text = await raw(adapter, "p/q/first/parameters.json");
      expect(text).toMatch(/^\{"version": 1, "data": \{"a": 1\}, "createdAt": "[^"]+Z", "updatedAt": "[^"]+Z"\}$/);
      await exp.run.complete();
    });

    t("an empty set writes nothing; config classes and instances contribute their public fields", async ({ adapter }) => {
      const exp = await experiment(adapter, "p/q/classes").run.start();
      exp.params.set({});
      exp.params.set({ nothing: undefined });
      expect(exp.params.get()).toEqual({});
      class Args {
        static batch_size = 64;
        static lr = 0.01;
        static _private = 1;
        static helper(): number {
          return 1;
        }
      }
      class Config {
        depth = 3;
        _secret = "x";
        name = "cfg";
      }
      exp.params.set({ Args, cfg: new Config() });
      expect(exp.params.get()).toEqual({ "Args.batch_size": 64, "Args.lr": 0.01, "cfg.depth": 3, "cfg.name": "cfg" });
      await exp.run.complete();
      expect(await json(adapter, "p/q/classes/parameters.json")).toMatchObject({ version: 1 });
    });

    t("values that are not data throw ValidationError naming the key; nothing is stored", async ({ adapter }) => {
      const exp = await experiment(adapter, "p/q/bad").run.start();
      expect(() => exp.params.set({ ok: 1, fn: () => 1 })).toThrow(ValidationError);
      expect(() => exp.params.set({ nested: { sym: Symbol("s") } })).toThrow(/"nested.sym" is a symbol/);
      expect(() => exp.params.set({ m: new Map() })).toThrow(/instance of Map/);
      expect(() => exp.params.set([1] as never)).toThrow(/plain object/);
      expect(exp.params.get()).toEqual({});
      exp.params.set({ ok: 1 });
      expect(exp.params.get()).toEqual({ ok: 1 });
      exp.params.set({ big: 12345678901234567890n }); // a bigint is data: stored with every digit
      expect(exp.params.get()).toEqual({ ok: 1, big: 12345678901234567890n });
      await exp.run.complete();
    });
  });

  describe(`logs: ${name}`, () => {
    t("levels, metadata, extra keys, and the Python record shape", async ({ adapter }) => {
      const exp = await experiment(adapter, "l/q/logs").run.start();
      exp.log("Training started");
      exp.log("Epoch done", { level: "info", metadata: { epoch: 1 }, loss: 0.5 });
      exp.log("careful", { level: "warning" });
      exp.log("LOUD", { level: "ERROR" });
      exp.logs.debug("dbg", { k: "v" });
      exp.logs.info("info");
      exp.logs.warn("w");
      exp.logs.warning("w2");
      exp.logs.error("e", { code: 3 });
      exp.logs.fatal("f");
      exp.log("empty meta", { metadata: {} });
      await exp.run.complete();
      const logs = await jsonl<Record<string, unknown>>(adapter, "l/q/logs/logs/logs.jsonl");
      expect(logs.map((l) => [l["sequenceNumber"], l["level"], l["message"], l["metadata"]])).toEqual([
        [0, "info", "Training started", undefined],
        [1, "info", "Epoch done", { epoch: 1, loss: 0.5 }],
        [2, "warn", "careful", undefined],
        [3, "error", "LOUD", undefined],
        [4, "debug", "dbg", { k: "v" }],
        [5, "info", "info", undefined],
        [6, "warn", "w", undefined],
        [7, "warn", "w2", undefined],
        [8, "error", "e", { code: 3 }],
        [9, "fatal", "f", undefined],
        [10, "info", "empty meta", undefined],
      ]);
      for (const l of logs) {
        expect(l["timestamp"]).toMatch(PY_ISO);
        expect(Object.keys(l).slice(0, 4)).toEqual(["sequenceNumber", "timestamp", "level", "message"]);
      }
      expect(await raw(adapter, "l/q/logs/logs/.log_sequence")).toBe("11");
      const stamps = logs.map((l) => l["timestamp"] as string);
      expect([...stamps].sort()).toEqual(stamps);
    });

    t("the timestamp is taken at the call, not at the write", async ({ adapter }) => {
      const exp = await experiment(adapter, "l/q/when").run.start();
      const before = Date.now();
      exp.logs.info("now");
      const after = Date.now();
      // The write comes later: once the clock has moved 25 ms past the call.
      await until(() => Date.now() > after + 25, "the clock to move on");
      await exp.flush();
      const [line] = await jsonl<{ timestamp: string }>(adapter, "l/q/when/logs/logs.jsonl");
      const at = Date.parse(line!.timestamp);
      expect(at).toBeGreaterThanOrEqual(before - 1);
      expect(at).toBeLessThanOrEqual(after + 1);
      await exp.run.complete();
    });

    t("bad input: unknown level, non-string message, non-object metadata → ValidationError; nothing is lost", async ({ adapter }) => {
      const exp = await experiment(adapter, "l/q/bad").run.start();
      exp.logs.info("kept 1");
      expect(() => exp.log("x", { level: "verbose" as never })).toThrow(ValidationError);
      expect(() => exp.log("x", { level: "verbose" as never })).toThrow(/invalid log level "verbose"/);
      expect(() => exp.log(42 as never)).toThrow(/message must be a string/);
      expect(() => exp.logs.info(null as never)).toThrow(ValidationError);
      expect(() => exp.log("x", { metadata: [1] as never })).toThrow(/metadata must be a plain object/);
      expect(() => exp.logs.info("x", { f: () => 1 })).toThrow(/"f" is a function/);
      exp.logs.info("kept 2");
      await exp.run.complete();
      expect((await jsonl(adapter, "l/q/bad/logs/logs.jsonl")).map((l) => l["message"])).toEqual(["kept 1", "kept 2"]);
    });

    t("non-ASCII text is escaped as Python's ensure_ascii does and reads back the same", async ({ adapter }) => {
      const exp = await experiment(adapter, "l/q/utf").run.start();
      exp.logs.info("héllo 🚀 中文", { "ключ": "значение" });
      await exp.run.complete();
      const text = await raw(adapter, "l/q/utf/logs/logs.jsonl");
      expect(text).toContain('"message": "h\\u00e9llo \\ud83d\\ude80 \\u4e2d\\u6587"');
      expect(/[^\x00-\x7f]/.test(text ?? "")).toBe(false);
      const [line] = await jsonl(adapter, "l/q/utf/logs/logs.jsonl");
      expect(line).toMatchObject({ message: "héllo 🚀 中文", metadata: { "ключ": "значение" } });
    });
  });
}
