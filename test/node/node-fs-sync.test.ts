/**
 * What node-fs's `sync()` makes durable, observed at the system calls: each changed file's data,
 * and the folders whose entries changed (a new file, a rename, a removal, folders made on the
 * way), which a file's fdatasync does not write. The handles' `sync`/`datasync` are watched
 * and their descriptors named through /proc (Linux).
 */
import { existsSync, readlinkSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { nodeFsAdapter, type NodeFsAdapterOptions } from "../../adapters/node-fs/index.ts";
import { tempDir } from "../support/node-fixtures.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.skipIf(!existsSync("/proc/self/fd"))("node-fs sync(): files and the folders naming them", () => {
  const synced: { kind: "sync" | "datasync"; path: string }[] = [];
  /** File data syncs to fail (each failure counts one down), as a disk with a passing fault would. */
  let failDatasyncs = 0;
  let restore: () => void = () => undefined;

  beforeAll(async () => {
    const probe = await open(import.meta.filename, "r");
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void>; datasync: () => Promise<void> };
    await probe.close();
    const origin = { sync: proto.sync, datasync: proto.datasync };
    const watch = (kind: "sync" | "datasync") =>
      vi.spyOn(proto, kind).mockImplementation(function (this: { fd: number }) {
        if (kind === "datasync" && failDatasyncs > 0) {
          failDatasyncs--;
          return Promise.reject(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
        }
        synced.push({ kind, path: readlinkSync(`/proc/self/fd/${this.fd}`) });
        return origin[kind].call(this);
      });
    const spies = [watch("sync"), watch("datasync")];
    restore = () => spies.forEach((s) => s.mockRestore());
  });
  afterAll(() => restore());

  const take = (): { files: string[]; dirs: string[] } => {
    const out = synced.splice(0);
    return { files: out.filter((s) => s.kind === "datasync").map((s) => s.path).sort(), dirs: out.filter((s) => s.kind === "sync").map((s) => s.path).sort() };
  };

  type Adapter = ReturnType<typeof nodeFsAdapter>;
  /** Runs `fn` on a node-fs adapter over a fresh folder `base` (the root is `base/sub` when given); closed and removed after. */
  async function withAdapter(name: string, options: Omit<NodeFsAdapterOptions, "root"> & { sub?: string }, fn: (adapter: Adapter, base: string) => Promise<void>): Promise<void> {
    const base = tempDir(name);
    const { sub, ...rest } = options;
    const adapter = nodeFsAdapter({ root: sub ? join(base, sub) : base, ...rest });
    try {
      await fn(adapter, base);
    } finally {
      failDatasyncs = 0;
      await adapter.close();
      rmSync(base, { recursive: true, force: true });
    }
  }

  it("with syncWithinMs, a change is synced that much later without a sync() call", async () => {
    await withAdapter("nodefs-soon", { syncWithinMs: 20 }, async (adapter, base) => {
      take();
      await adapter.append("run/data.jsonl", bytes("one\n"));
      await vi.waitFor(() => expect(synced.some((s) => s.kind === "datasync" && s.path === join(base, "run", "data.jsonl"))).toBe(true), { timeout: 10_000, interval: 10 });
      await vi.waitFor(() => expect(take().dirs).toContain(join(base, "run")), { timeout: 10_000, interval: 10 });
      await adapter.write("run/meta.json", bytes("{}"));
      await vi.waitFor(() => expect(synced.map((s) => s.path)).toContain(join(base, "run", "meta.json")), { timeout: 10_000, interval: 10 });
      await adapter.sync?.(); // after the scheduled one still running: nothing of it is left for the next test
      take();
    });
  });

  it("with syncWithinMs, a failed scheduled sync is reported and tried again with no further change", async () => {
    const told: [string, number][] = [];
    await withAdapter("nodefs-retry", { syncWithinMs: 20, onSyncError: (err, failures) => told.push([(err as Error).message, failures]) }, async (adapter, base) => {
      take();
      failDatasyncs = 2; // the first two scheduled syncs fail; nothing is written after the append
      await adapter.append("run/data.jsonl", bytes("one\n"));
      await vi.waitFor(() => expect(synced.some((s) => s.kind === "datasync" && s.path === join(base, "run", "data.jsonl"))).toBe(true), { timeout: 10_000, interval: 10 });
      expect(failDatasyncs).toBe(0);
      expect(told).toEqual([
        [expect.stringMatching(/EIO/), 1],
        [expect.stringMatching(/EIO/), 2],
      ]);
      await adapter.sync?.();
      take();
    });
  });

  it("by default, a failing scheduled sync warns at its 1st and 10th failure in a row, not at each", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      await withAdapter("nodefs-warn", { syncWithinMs: 5 }, async (adapter, base) => {
        failDatasyncs = 11;
        await adapter.append("run/data.jsonl", bytes("one\n"));
        await vi.waitFor(() => expect(failDatasyncs).toBe(0), { timeout: 10_000, interval: 10 });
        await vi.waitFor(() => expect(synced.some((s) => s.kind === "datasync" && s.path === join(base, "run", "data.jsonl"))).toBe(true), { timeout: 10_000, interval: 10 });
        const lines = warn.mock.calls.map((c) => String(c[0]));
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(/could not sync its changes to disk \(EIO.*\(1 failed in a row\)/);
        expect(lines[1]).toMatch(/\(10 failed in a row\)/);
        await adapter.sync?.();
        take();
      });
    } finally {
      warn.mockRestore();
    }
  });

  it("an explicit sync() that fails reports it, and the next sync() takes the same changes", async () => {
    await withAdapter("nodefs-fail", {}, async (adapter, base) => {
      await adapter.append("run/data.jsonl", bytes("one\n"));
      take();
      failDatasyncs = 1;
      await expect(adapter.sync?.()).rejects.toThrow(/EIO/);
      await adapter.sync?.();
      expect(take().files).toEqual([join(base, "run", "data.jsonl")]);
    });
  });

  it("a new file's folders up to the root's parent, its data, then only what changes", async () => {
    await withAdapter("nodefs-sync", { sub: "store" /* made by the first append */ }, async (adapter, base) => {
      const root = adapter.root;
      const data = join(root, "a", "b", "data.jsonl");
      await adapter.append("a/b/data.jsonl", bytes("one\n"));
      await adapter.sync?.();
      expect(take()).toEqual({ files: [data], dirs: [base, root, join(root, "a"), join(root, "a", "b")].sort() });

      await adapter.append("a/b/data.jsonl", bytes("two\n")); // an open handle: no new entry
      await adapter.sync?.();
      expect(take()).toEqual({ files: [data], dirs: [] });

      // An append still being written when a sync() begins is not that sync's to take: the next
      // one takes it, whatever the first did.
      const writing = adapter.append("a/b/data.jsonl", bytes("three\n"));
      const during = adapter.sync?.();
      await Promise.all([writing, during]);
      take();
      await adapter.sync?.();
      expect(take()).toEqual({ files: [data], dirs: [] });

      await adapter.truncate!("a/b/data.jsonl", 4); // a cut is a change too
      await adapter.sync?.();
      expect(take()).toEqual({ files: [data], dirs: [] });

      await adapter.write("a/b/meta.json", bytes("{}")); // a rename into a/b
      await adapter.sync?.();
      expect(take()).toEqual({ files: [join(root, "a", "b", "meta.json")], dirs: [join(root, "a", "b")] });

      const w = (await adapter.writeStream!("a/c/blob.bin")).getWriter(); // a new folder, a rename
      await w.write(bytes("blob"));
      await w.close();
      await adapter.sync?.();
      expect(take()).toEqual({ files: [join(root, "a", "c", "blob.bin")], dirs: [join(root, "a"), join(root, "a", "c")] });

      await adapter.delete("a/b/meta.json");
      await adapter.deletePrefix("a/c");
      await adapter.sync?.();
      expect(take()).toEqual({ files: [], dirs: [join(root, "a"), join(root, "a", "b")] });
    });
  });
});
