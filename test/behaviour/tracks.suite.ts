/** Tracks: timestamps, same-timestamp merge, flattening, slices and floor matches. */
import { describe, expect, test } from "vitest";
import { NotFoundError, StorageError, ValidationError } from "../../src/index.ts";
import { experiment, json, jsonl, raw, withFixture, type MakeFixture } from "./helpers.ts";

export function tracksSuite(name: string, make: MakeFixture): void {
  const t = (title: string, fn: Parameters<typeof withFixture>[1]): void => {
    test(title, () => withFixture(make, fn), 30_000);
  };

  describe(`tracks: ${name}`, () => {
    t("entries are flattened, merged by timestamp while buffered, sorted per batch; metadata as Python writes it", async ({ adapter }) => {
      const exp = await experiment(adapter, "t/q/pose").run.start();
      const pose = exp.tracks("robot/pos");
      pose.append({ q: [1, 2], _ts: 1.0 });
      pose.append({ q: new Float64Array([3, 4]), _ts: 0.5 });
      pose.append({ nested: { a: { b: 1 } }, e: 5, _ts: 1.0 });
      await exp.tracks.flush();
      expect(await raw(adapter, "t/q/pose/tracks/robot_pos/data.jsonl")).toBe(
        '{"timestamp": 0.5, "q": [3, 4]}\n{"timestamp": 1, "q": [1, 2], "nested.a.b": 1, "e": 5}\n',
      );
      const meta = await json(adapter, "t/q/pose/tracks/robot_pos/metadata.json");
      expect(Object.keys(meta ?? {})).toEqual(["trackId", "topic", "columns", "totalEntries", "firstTimestamp", "lastTimestamp", "createdAt"]);
      expect(meta).toMatchObject({ trackId: "local-track-robot_pos", topic: "robot/pos", columns: ["e", "nested.a.b", "q"], totalEntries: 2, firstTimestamp: 0.5, lastTimestamp: 1 });
      pose.append({ q: [9, 9], _ts: 0.25 });
      await exp.run.complete();
      expect(await json(adapter, "t/q/pose/tracks/robot_pos/metadata.json")).toMatchObject({ totalEntries: 3, firstTimestamp: 0.25, lastTimestamp: 1 });
    });

    t("auto timestamps are unique and increasing; -1 inherits from metrics or falls back to now", async ({ adapter }) => {
      const exp = await experiment(adapter, "t/q/auto").run.start();
      exp.tracks("imu").append({ a: 0, _ts: -1 }); // nothing to inherit yet: auto
      for (let i = 1; i < 200; i++) exp.tracks("imu").append({ a: i });
      exp.metrics("m").log({ v: 1, _ts: 42 });
      exp.tracks("cam").append({ frame: "f0.png", _ts: -1 });
      exp.tracks("cam").append({ exposure: 3, _ts: -1 }); // merges into the same entry
      await exp.run.complete();
      const imu = await jsonl<{ timestamp: number; a: number }>(adapter, "t/q/auto/tracks/imu/data.jsonl");
      expect(imu.map((e) => e.a)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      for (let i = 1; i < imu.length; i++) expect(imu[i]!.timestamp).toBeGreaterThan(imu[i - 1]!.timestamp);
      expect(await jsonl(adapter, "t/q/auto/tracks/cam/data.jsonl")).toEqual([{ timestamp: 42, frame: "f0.png", exposure: 3 }]);
    });

    t("slice loads a range; iteration, length and findByTime floor matches", async ({ adapter }) => {
      const exp = await experiment(adapter, "t/q/slice").run.start();
      for (const ts of [3, 1, 2, 5, 4, 7]) exp.tracks("s").append({ v: ts * 10, _ts: ts });
      await exp.flush();
      exp.tracks("s").append({ v: 60, _ts: 6 }); // a later batch with an earlier time than the last
      const all = await exp.tracks("s").slice();
      expect(all.length).toBe(7);
      expect([...all].map((e) => e.timestamp)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(all.findByTime(5.5)).toEqual({ timestamp: 5, v: 50 });
      expect(all.findByTime(5)).toEqual({ timestamp: 5, v: 50 });
      expect(all.findByTime(100).timestamp).toBe(7);
      expect(all.findByTime([1, 3.5, 6.9, 2]).map((e) => e.v)).toEqual([10, 30, 60, 20]);
      expect(() => all.findByTime(0.5)).toThrow(NotFoundError);
      expect(() => all.findByTime(0.5)).toThrow(/timestamp <= 0.5\. Earliest timestamp: 1/);
      expect(() => all.findByTime(0.5)).toThrow(StorageError);
      const mid = await exp.tracks("s").slice(2, 4);
      expect([...mid].map((e) => e.v)).toEqual([20, 30, 40]);
      expect(String(mid)).toBe("TrackSlice(s, 3 entries, [2, 4])");
      const empty = await exp.tracks("nothing").slice();
      expect(empty.length).toBe(0);
      expect(() => empty.findByTime(1)).toThrow(/No entries/);
      const cols = await exp.tracks("s").read({ start: 6, columns: ["v"] });
      expect(cols.count).toBe(2);
      await exp.run.complete();
    });

    t("a sequential scrub returns the same answers as independent queries", async ({ adapter }) => {
      const exp = await experiment(adapter, "t/q/scrub").run.start();
      for (let i = 0; i < 500; i++) exp.tracks("f").append({ i, _ts: i * 0.1 + (i % 3) * 0.01 });
      const s = await exp.tracks("f").slice();
      const times = Array.from({ length: 400 }, (_, k) => 0.03 + k * 0.123);
      const seq = times.map((x) => s.findByTime(x).i);
      const fresh = times.map((x) => [...s].filter((e) => e.timestamp <= x).at(-1)!.i);
      expect(seq).toEqual(fresh);
      await exp.run.complete();
    });

    t("bad input: topics, _ts and values are validated; valid entries are kept", async ({ adapter }) => {
      const exp = await experiment(adapter, "t/q/bad").run.start();
      exp.tracks("ok").append({ v: 1, _ts: 1 });
      for (const bad of ["", "a//b", "../x", "a/./b", "x\u0000"]) expect(() => exp.tracks(bad)).toThrow(ValidationError);
      expect(() => exp.tracks("ok").append({ v: 2, _ts: "1" as never })).toThrow(/timestamp _ts must be a finite number/);
      expect(() => exp.tracks("ok").append({ v: () => 2 })).toThrow(/"v" is a function/);
      expect(() => exp.tracks("ok").append([] as never)).toThrow(ValidationError);
      exp.tracks("ok").append({ v: 3, _ts: 3 });
      await exp.run.complete();
      expect(await jsonl(adapter, "t/q/bad/tracks/ok/data.jsonl")).toEqual([
        { timestamp: 1, v: 1 },
        { timestamp: 3, v: 3 },
      ]);
    });

    t("topics that share a folder (robot/pos, robot_pos) are refused before anything of the second is written", async ({ adapter }) => {
      const exp = await experiment(adapter, "t/q/collide").run.start();
      exp.tracks("robot/pos").append({ x: 1, _ts: 1 });
      expect(() => exp.tracks("robot_pos").append({ x: 2, _ts: 2 })).toThrow(ValidationError);
      expect(() => exp.tracks("robot_pos").append({ x: 2, _ts: 2 })).toThrow(/tracks\/robot_pos, which already holds topic "robot\/pos"/);
      exp.tracks("robot/pos").append({ x: 3, _ts: 3 });
      await exp.run.complete();
      const data = await raw(adapter, "t/q/collide/tracks/robot_pos/data.jsonl");
      expect(data).toBe('{"timestamp": 1, "x": 1}\n{"timestamp": 3, "x": 3}\n');
      // Another run on the same prefix (as another process would): refused at its flush, nothing appended.
      const again = await experiment(adapter, "t/q/collide").run.start();
      again.tracks("robot_pos").append({ x: 9, _ts: 9 });
      await expect(again.flush()).rejects.toThrow(/already holds topic "robot\/pos"/);
      expect(await raw(adapter, "t/q/collide/tracks/robot_pos/data.jsonl")).toBe(data);
      expect(await json(adapter, "t/q/collide/tracks/robot_pos/metadata.json")).toMatchObject({ topic: "robot/pos", totalEntries: 2 });
      await again.run.complete().catch(() => undefined);
    });
  });
}
