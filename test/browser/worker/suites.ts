// Entry of the dedicated worker of test/browser/worker.test.ts: the storage contract and the
// behaviour suite against IndexedDB and OPFS (sync access handles) inside a worker.
import { opfsAdapter } from "../../../adapters/opfs/index.ts";
import { behaviourSuite, unitSuites } from "../../behaviour/index.ts";
import { storageContract } from "../../contract/storage-contract.ts";
import { collectedTests, expect, runTest, test } from "../../portable/vitest-shim.ts";
import { indexedDBFixture, opfsFixture } from "../../support/browser-fixtures.ts";
import { serveTests } from "./protocol.ts";

test("runs in a dedicated worker, where OPFS changes files through its (nested) I/O worker", async () => {
  expect(typeof (globalThis as { document?: unknown }).document).toBe("undefined");
  expect(typeof (globalThis as { importScripts?: unknown }).importScripts).toBe("function");
  expect(await opfsAdapter({ root: "unused" }).ioMode()).toBe("worker");
});

test("opfs (worker, sync handles): appends do not flush; sync() flushes each file changed, reopens released ones, skips deleted ones", async () => {
  const proto = (globalThis as unknown as { FileSystemSyncAccessHandle: { prototype: { flush(): void } } }).FileSystemSyncAccessHandle.prototype;
  const flush = proto.flush;
  let flushes = 0;
  proto.flush = function (this: unknown) {
    flushes++;
    return flush.call(this);
  };
  const f = await opfsFixture("sync")();
  const line = (s: string): Uint8Array => new TextEncoder().encode(s);
  try {
    const s = f.adapter;
    for (let i = 0; i < 5; i++) await s.append("r/data.jsonl", line(`${i}\n`));
    await s.append("r/other.jsonl", line("a\n"));
    await s.append("r/gone.jsonl", line("b\n"));
    expect(flushes).toBe(0); // what an append wrote is in the file; durability waits for sync()
    await s.delete("r/gone.jsonl");
    await s.sync!();
    expect(flushes).toBe(2); // data.jsonl and other.jsonl, once each
    await s.append("r/data.jsonl", line("5\n"));
    await s.close(); // its handles are released: sync() opens one for the flush
    await s.sync!();
    expect(flushes).toBe(3);
    expect(await s.list("r")).toEqual(["r/data.jsonl", "r/other.jsonl"]);
    expect(new TextDecoder().decode((await s.read("r/data.jsonl"))!)).toBe("0\n1\n2\n3\n4\n5\n");
  } finally {
    proto.flush = flush;
    await f.adapter.close();
    await f.cleanup();
  }
});

storageContract("indexeddb (worker)", indexedDBFixture);
storageContract("opfs (worker, I/O worker)", opfsFixture());
storageContract("opfs (worker, sync handles in the worker)", opfsFixture("sync"));
behaviourSuite("indexeddb (worker)", indexedDBFixture);
behaviourSuite("opfs (worker)", opfsFixture());
unitSuites("chromium worker");

const tests = collectedTests();
serveTests(tests, (name) => runTest(tests.find((t) => t.name === name)!));
