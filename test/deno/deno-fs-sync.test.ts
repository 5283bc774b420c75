// deno-fs's scheduled sync: with `syncWithinMs`, what changed is fsynced that much later without
// a sync() call (the files' syncData and their folder's sync, watched on Deno.FsFile), and the
// timer does not keep a finished program alive (unrefTimer).
import { expect } from "vitest";
import { denoFsAdapter } from "../../adapters/deno-fs/index.ts";

Deno.test("deno-fs with syncWithinMs syncs a change's file and folder on its own", async () => {
  const dir = await Deno.makeTempDir();
  const proto = Deno.FsFile.prototype as unknown as { syncData(): Promise<void>; sync(): Promise<void> };
  const original = { syncData: proto.syncData, sync: proto.sync };
  const calls = { syncData: 0, sync: 0 };
  proto.syncData = function (this: Deno.FsFile) {
    calls.syncData++;
    return original.syncData.call(this);
  };
  proto.sync = function (this: Deno.FsFile) {
    calls.sync++;
    return original.sync.call(this);
  };
  const adapter = denoFsAdapter({ root: `${dir}/store`, syncWithinMs: 20 });
  try {
    await adapter.append("run/data.jsonl", new TextEncoder().encode("one\n"));
    expect(calls).toEqual({ syncData: 0, sync: 0 });
    // Waits on the condition (the scheduled sync's folder fsync comes after the file's).
    for (let i = 0; i < 1000 && calls.sync === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(calls.syncData).toBeGreaterThanOrEqual(1);
    expect(calls.sync).toBeGreaterThanOrEqual(1);
    await adapter.sync?.(); // after the scheduled one: no operation left running when the test ends
  } finally {
    proto.syncData = original.syncData;
    proto.sync = original.sync;
    await adapter.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno-fs: a failed scheduled sync is reported and tried again with no further change", async () => {
  const dir = await Deno.makeTempDir();
  const proto = Deno.FsFile.prototype as unknown as { syncData(): Promise<void> };
  const original = proto.syncData;
  let failing = 2;
  let synced = 0;
  proto.syncData = function (this: Deno.FsFile) {
    if (failing > 0) {
      failing--;
      return Promise.reject(new Error("EIO: input/output error (os error 5)"));
    }
    synced++;
    return original.call(this);
  };
  const told: number[] = [];
  const adapter = denoFsAdapter({ root: `${dir}/store`, syncWithinMs: 20, onSyncError: (_err, failures) => told.push(failures) });
  try {
    await adapter.append("run/data.jsonl", new TextEncoder().encode("one\n"));
    // Nothing is written after the append: only the retry can sync it (waits on the condition).
    for (let i = 0; i < 1000 && synced === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(synced).toBeGreaterThanOrEqual(1);
    expect(told).toEqual([1, 2]);
    await adapter.sync?.();
  } finally {
    proto.syncData = original;
    await adapter.close();
    await Deno.remove(dir, { recursive: true });
  }
});
