/**
 * The storage conformance suite. Every adapter runs it, in every runtime that can host it, with
 * the same code: it uses only `describe`, `test` and `expect` (vitest; bun maps them to
 * bun:test; Deno and browsers get the same through their runners).
 */
import { describe, expect, test } from "vitest";
import { Experiment } from "../../src/index.ts";
import { StorageError, type StorageAdapter } from "../../src/storage/kit.ts";

/** A fresh store for one test, and a way to open the same data again. */
export interface StorageFixture {
  readonly adapter: StorageAdapter;
  /** A new adapter over the same data (after `adapter.close()`), as a new process would see it. */
  reopen(): Promise<StorageAdapter>;
  /** Removes the data. */
  cleanup(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (b: Uint8Array | null): string | null => (b === null ? null : dec.decode(b));
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

async function withStore(make: () => Promise<StorageFixture>, fn: (f: StorageFixture) => Promise<void>): Promise<void> {
  const f = await make();
  try {
    await fn(f);
  } finally {
    await f.adapter.close().catch(() => undefined);
    await f.cleanup();
  }
}

/** Registers the conformance suite for one adapter. */
export function storageContract(name: string, make: () => Promise<StorageFixture>): void {
  const t = (title: string, fn: (f: StorageFixture) => Promise<void>, timeout = 30_000): void => {
    test(title, () => withStore(make, fn), timeout);
  };

  describe(`storage contract: ${name}`, () => {
    t("missing keys read as null", async ({ adapter }) => {
      expect(await adapter.read("a/missing.json")).toBeNull();
      expect(await adapter.readRange("a/missing.json", 0, 10)).toBeNull();
      expect(await adapter.stat("a/missing.json")).toBeNull();
      expect(await adapter.list("a")).toEqual([]);
    });

    t("write then read returns the same bytes, all 256 byte values included", async ({ adapter }) => {
      const all = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
      await adapter.write("x/y/bin.dat", all);
      expect(Array.from((await adapter.read("x/y/bin.dat")) ?? [])).toEqual(Array.from(all));
      expect((await adapter.stat("x/y/bin.dat"))?.size).toBe(512);
    });

    t("the stored value is a copy: changing the caller's array later changes nothing", async ({ adapter }) => {
      const b = bytes("hello");
      await adapter.write("k/v", b);
      b[0] = 0;
      await adapter.append("k/w", b);
      expect(text(await adapter.read("k/v"))).toBe("hello");
      b[1] = 0;
      expect(Array.from((await adapter.read("k/w")) ?? [])).toEqual([0, 101, 108, 108, 111]);
    });

    t("write replaces the whole value", async ({ adapter }) => {
      await adapter.write("r/doc.json", bytes('{"version": 1, "long": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'));
      await adapter.write("r/doc.json", bytes('{"version": 2}'));
      expect(text(await adapter.read("r/doc.json"))).toBe('{"version": 2}');
    });

    t("atomic replace: concurrent readers see one whole version, never a mix", async ({ adapter }) => {
      const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(20_000 + i * 997));
      await adapter.write("atomic/doc", bytes(versions[0] as string));
      const seen: string[] = [];
      const writes = versions.map((v) => adapter.write("atomic/doc", bytes(v)));
      const reads = Array.from({ length: 40 }, async () => {
        const got = text(await adapter.read("atomic/doc"));
        if (got !== null) seen.push(got);
      });
      await Promise.all([...writes, ...reads]);
      for (const s of seen) expect(versions).toContain(s);
      expect(text(await adapter.read("atomic/doc"))).toBe(versions[versions.length - 1]);
    });

    t("append creates the key and keeps call order under concurrency", async ({ adapter }) => {
      const lines = Array.from({ length: 200 }, (_, i) => `{"i": ${i}}\n`);
      await Promise.all(lines.map((l) => adapter.append("logs/a.jsonl", bytes(l))));
      expect(text(await adapter.read("logs/a.jsonl"))).toBe(lines.join(""));
      expect((await adapter.stat("logs/a.jsonl"))?.size).toBe(lines.join("").length);
    });

    t("appendSync, where offered, stores at once and never ahead of a pending change of the key", async ({ adapter }) => {
      const appendSync = adapter.appendSync?.bind(adapter);
      if (!appendSync) return; // optional: IndexedDB and OPFS have no synchronous append
      expect(appendSync("sync/new/folder/a.jsonl", bytes("ab"))).toBe(true);
      expect(text(await adapter.read("sync/new/folder/a.jsonl"))).toBe("ab");
      const pending = adapter.append("sync/new/folder/a.jsonl", bytes("cd"));
      const now = appendSync("sync/new/folder/a.jsonl", bytes("ef")); // false: the caller appends later
      await pending;
      if (!now) expect(appendSync("sync/new/folder/a.jsonl", bytes("ef"))).toBe(true);
      expect(text(await adapter.read("sync/new/folder/a.jsonl"))).toBe("abcdef");
      expect((await adapter.stat("sync/new/folder/a.jsonl"))?.size).toBe(6);
      expect(() => appendSync("../escape", bytes("x"))).toThrow(StorageError);
    });

    t("appendSync keeps no reference to the bytes: the caller reuses the array once it returns", async ({ adapter }) => {
      const appendSync = adapter.appendSync?.bind(adapter);
      if (!appendSync) return;
      // A view into a larger array, as the encoder pool's reused output arrays are.
      const whole = bytes("..line one\nline two\n..");
      expect(appendSync("sync/reuse/a.jsonl", whole.subarray(2, whole.length - 2))).toBe(true);
      whole.fill(0x2a); // the next batch is encoded into the same array
      expect(appendSync("sync/reuse/a.jsonl", bytes("three\n"))).toBe(true);
      expect(text(await adapter.read("sync/reuse/a.jsonl"))).toBe("line one\nline two\nthree\n");
    });

    t("sync(), where offered, keeps what was written and does not bring back a key deleted since", async ({ adapter }) => {
      if (!adapter.sync) return; // optional: a store with nothing to make durable
      await adapter.sync(); // nothing written yet
      await adapter.append("s/kept/data.jsonl", bytes("one\n"));
      await adapter.write("s/kept/meta.json", bytes("{}"));
      await adapter.append("s/gone/data.jsonl", bytes("x\n"));
      await adapter.append("s/kept/data.jsonl", bytes("two\n"));
      await adapter.deletePrefix("s/gone");
      await adapter.sync();
      expect(await adapter.list("s")).toEqual(["s/kept/data.jsonl", "s/kept/meta.json"]);
      expect(text(await adapter.read("s/kept/data.jsonl"))).toBe("one\ntwo\n");
      expect(text(await adapter.read("s/kept/meta.json"))).toBe("{}");
      await adapter.append("s/kept/data.jsonl", bytes("three\n"));
      await adapter.sync();
      await adapter.sync(); // nothing changed since
      expect(text(await adapter.read("s/kept/data.jsonl"))).toBe("one\ntwo\nthree\n");
    });

    t("sync(), where offered, called while another sync() runs resolves only after that one", async ({ adapter }) => {
      const sync = adapter.sync?.bind(adapter);
      if (!sync) return;
      // Concurrent callers (a server's requests, two runs of one store): the first takes the
      // changed keys; the second must not resolve while the first is still flushing them.
      for (let round = 0; round < 5; round++) {
        await adapter.append(`g/${round}/data.jsonl`, bytes("x\n"));
        await adapter.write(`g/${round}/meta.json`, bytes("{}"));
        const done: number[] = [];
        const calls = [0, 1, 2].map((i) => sync().then(() => void done.push(i)));
        await calls[2];
        expect(done.sort()).toEqual([0, 1, 2]);
        await Promise.all(calls);
      }
      expect(await adapter.list("g")).toHaveLength(10);
    });

    t("appendParts, where offered, stores its parts in order as one append of their concatenation would", async (f) => {
      const appendParts = f.adapter.appendParts?.bind(f.adapter);
      if (!appendParts) return; // optional: the core then appends the concatenation
      // Parts of every size class an adapter may treat apart: tiny, empty, one over 1 MiB, one
      // over 4 MiB, and a view into a larger buffer (its other bytes must not be stored).
      const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
      const big = pattern(5 * 1024 * 1024 + 7, 3);
      const host = pattern(1000, 9);
      const parts = [bytes("ab"), new Uint8Array(0), pattern(1_600_000, 1), big, host.subarray(100, 300), bytes("z\n")];
      const later = bytes("tail\n");
      const expected = concat([bytes("head\n"), ...parts, later]); // before the parts are given away
      await f.adapter.append("p/data.jsonl", bytes("head\n")); // a small last value: an adapter may top it up
      // Call order holds against appends issued right after, without waiting.
      await Promise.all([appendParts("p/data.jsonl", parts), f.adapter.append("p/data.jsonl", later)]);
      const all = await f.adapter.read("p/data.jsonl");
      expect(all?.length).toBe(expected.length);
      expect(all && all.every((b, i) => b === expected[i])).toBe(true);
      expect((await f.adapter.stat("p/data.jsonl"))?.size).toBe(expected.length);
      // Ranges across part boundaries.
      const from = 5 + 2 + 1_600_000 - 10;
      const range = await f.adapter.readRange("p/data.jsonl", from, from + 30);
      expect([...(range ?? [])]).toEqual([...expected.subarray(from, from + 30)]);
      await appendParts("p/data.jsonl", []);
      await appendParts("p/new/folder/data.jsonl", [bytes("x"), bytes("y")]);
      expect(text(await f.adapter.read("p/new/folder/data.jsonl"))).toBe("xy");
      await f.adapter.close();
      const again = await f.reopen();
      try {
        const reread = await again.read("p/data.jsonl");
        expect(reread?.length).toBe(expected.length);
        expect(reread && reread.every((b, i) => b === expected[i])).toBe(true);
        await expect(again.appendParts!("../escape", [bytes("x")])).rejects.toThrow(StorageError);
      } finally {
        await again.close();
      }
    });

    t("append after write, and write after append, see each other", async ({ adapter }) => {
      await adapter.write("m/f", bytes("ab"));
      await adapter.append("m/f", bytes("cd"));
      expect(text(await adapter.read("m/f"))).toBe("abcd");
      await adapter.write("m/f", bytes("x"));
      await adapter.append("m/f", bytes("y"));
      expect(text(await adapter.read("m/f"))).toBe("xy");
    });

    t("append after reopen continues the same value", async (f) => {
      await f.adapter.append("run/metrics/train/data.jsonl", bytes("line0\nline1\n"));
      await f.adapter.write("run/meta.json", bytes("{}"));
      await f.adapter.close();
      const again = await f.reopen();
      try {
        expect(text(await again.read("run/metrics/train/data.jsonl"))).toBe("line0\nline1\n");
        await again.append("run/metrics/train/data.jsonl", bytes("line2\n"));
        expect(text(await again.read("run/metrics/train/data.jsonl"))).toBe("line0\nline1\nline2\n");
        expect(await again.list("run")).toEqual(["run/meta.json", "run/metrics/train/data.jsonl"]);
      } finally {
        await again.close();
      }
    });

    t("readRange returns [start, end), clamped to the size", async ({ adapter }) => {
      await adapter.write("rr/v", bytes("0123456789"));
      expect(text(await adapter.readRange("rr/v", 2, 5))).toBe("234");
      expect(text(await adapter.readRange("rr/v", 7))).toBe("789");
      expect(text(await adapter.readRange("rr/v", 8, 100))).toBe("89");
      expect(text(await adapter.readRange("rr/v", 10))).toBe("");
      await adapter.append("rr/v", bytes("ab"));
      expect(text(await adapter.readRange("rr/v", 9))).toBe("9ab");
    });

    t("list by prefix: the key itself and keys below prefix/, sorted; not siblings that share a prefix", async ({ adapter }) => {
      for (const k of ["a/b/1", "a/b/c/2", "a/bc/3", "a/b", "z/9", "a/b/c/d/e/5"].slice(0)) {
        if (k === "a/b") continue; // a key cannot also be a folder on a file system
        await adapter.write(k, bytes(k));
      }
      expect(await adapter.list("a/b")).toEqual(["a/b/1", "a/b/c/2", "a/b/c/d/e/5"]);
      expect(await adapter.list("a/b/c")).toEqual(["a/b/c/2", "a/b/c/d/e/5"]);
      expect(await adapter.list("a/b/1")).toEqual(["a/b/1"]);
      expect(await adapter.list("")).toEqual(["a/b/1", "a/b/c/2", "a/b/c/d/e/5", "a/bc/3", "z/9"]);
      expect(await adapter.list("nothing")).toEqual([]);
    });

    t("delete removes one key; a missing key is not an error", async ({ adapter }) => {
      await adapter.write("d/1", bytes("1"));
      await adapter.append("d/2", bytes("2"));
      await adapter.delete("d/1");
      await adapter.delete("d/2");
      await adapter.delete("d/never");
      expect(await adapter.read("d/1")).toBeNull();
      expect(await adapter.read("d/2")).toBeNull();
      await adapter.append("d/2", bytes("again"));
      expect(text(await adapter.read("d/2"))).toBe("again");
    });

    t("deletePrefix removes a subtree and nothing else", async ({ adapter }) => {
      for (const k of ["f/a/1", "f/a/b/2", "f/ab/3", "f/c"]) await adapter.write(k, bytes(k));
      await adapter.deletePrefix("f/a");
      expect(await adapter.list("f")).toEqual(["f/ab/3", "f/c"]);
      await adapter.deletePrefix("f/none");
    });

    t("truncate cuts a value (when supported)", async ({ adapter }) => {
      if (!adapter.truncate) return;
      await adapter.append("t/v", bytes("good line\ntorn li"));
      await adapter.truncate("t/v", 10);
      expect(text(await adapter.read("t/v"))).toBe("good line\n");
      await adapter.append("t/v", bytes("next\n"));
      expect(text(await adapter.read("t/v"))).toBe("good line\nnext\n");
    });

    t("keys that escape the store are refused with StorageError", async ({ adapter }) => {
      for (const bad of ["../x", "/abs", "a//b", "a/./b", "a/../b", "a/\u0000b", "a\\b", "a/", ""]) {
        await expect(adapter.write(bad, bytes("x")), bad).rejects.toBeInstanceOf(StorageError);
        await expect(adapter.read(bad), bad).rejects.toBeInstanceOf(StorageError);
      }
    });

    t("values of several MiB round-trip", async ({ adapter }) => {
      const big = new Uint8Array(5 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4093) big[i] = i & 255;
      await adapter.write("big/v", big);
      const back = await adapter.read("big/v");
      expect(back?.length).toBe(big.length);
      expect(back?.every((v, i) => v === big[i])).toBe(true);
    });

    t("streams round-trip and a write stream replaces the value only when it closes (when supported)", async ({ adapter }) => {
      if (!adapter.readStream || !adapter.writeStream) return;
      await adapter.write("s/v", bytes("old"));
      const ws = await adapter.writeStream("s/v");
      const w = ws.getWriter();
      const chunk = new Uint8Array(300_000).fill(7);
      await w.write(chunk);
      expect(text(await adapter.read("s/v"))).toBe("old");
      await w.write(chunk);
      await w.close();
      const rs = await adapter.readStream("s/v");
      let n = 0;
      let allSeven = true;
      for await (const c of rs as unknown as AsyncIterable<Uint8Array>) {
        n += c.length;
        allSeven &&= c.every((x) => x === 7);
      }
      expect(n).toBe(600_000);
      expect(allSeven).toBe(true);
      expect(await adapter.readStream("s/missing")).toBeNull();
    });

    t("a write stream makes missing folders, and an aborted one leaves the old value and no key behind (when supported)", async ({ adapter }) => {
      if (!adapter.writeStream) return;
      const fresh = (await adapter.writeStream("w/new/deep/v.bin")).getWriter();
      await fresh.write(bytes("abc"));
      await fresh.close();
      expect(text(await adapter.read("w/new/deep/v.bin"))).toBe("abc");
      await adapter.write("w/keep", bytes("old"));
      const ws = (await adapter.writeStream("w/keep")).getWriter();
      await ws.write(new Uint8Array(100_000).fill(1));
      await ws.abort(new Error("source failed"));
      const aborted = (await adapter.writeStream("w/gone/v.bin")).getWriter();
      await aborted.write(bytes("partial"));
      await aborted.abort(new Error("source failed"));
      expect(text(await adapter.read("w/keep"))).toBe("old");
      expect(await adapter.read("w/gone/v.bin")).toBeNull();
      expect(await adapter.list("w")).toEqual(["w/keep", "w/new/deep/v.bin"]);
    });

    t("lock runs holders one at a time (when supported)", async ({ adapter }) => {
      if (!adapter.lock) return;
      let inside = 0;
      let maxInside = 0;
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          adapter.lock!("L", async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            await new Promise((r) => setTimeout(r, 1));
            order.push(i);
            inside--;
          }),
        ),
      );
      expect(maxInside).toBe(1);
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    t("two experiments flushing into one root at once keep their data apart and whole", async ({ adapter }) => {
      const a = new Experiment("team/proj/exp-a", { storage: adapter, echo: false, buffer: { maxBatch: 100 } });
      const b = new Experiment("team/proj/exp-b", { storage: adapter, echo: false, buffer: { maxBatch: 100 } });
      await Promise.all([a.run.start(), b.run.start()]);
      for (let i = 0; i < 1000; i++) {
        a.metrics("train").log({ i, who: 1 });
        b.metrics("train").log({ i, who: 2 });
        if (i % 250 === 0) await Promise.all([a.flush(), b.flush()]);
      }
      await Promise.all([a.run.complete(), b.run.complete()]);
      for (const [exp, who] of [[a, 1], [b, 2]] as const) {
        const raw = text(await adapter.read(`team/proj/${exp.name}/metrics/train/data.jsonl`)) ?? "";
        const lines = raw.trimEnd().split("\n").map((l) => JSON.parse(l) as { index: number; data: { i: number; who: number } });
        expect(lines.map((l) => l.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
        expect(lines.every((l, i) => l.data.i === i && l.data.who === who)).toBe(true);
      }
      expect((await adapter.list("team/proj")).filter((k) => k.endsWith("experiment.json"))).toEqual([
        "team/proj/exp-a/experiment.json",
        "team/proj/exp-b/experiment.json",
      ]);
    });
  });
}
