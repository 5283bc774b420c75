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

storageContract("indexeddb (worker)", indexedDBFixture);
storageContract("opfs (worker, I/O worker)", opfsFixture());
storageContract("opfs (worker, sync handles in the worker)", opfsFixture("sync"));
behaviourSuite("indexeddb (worker)", indexedDBFixture);
behaviourSuite("opfs (worker)", opfsFixture());
unitSuites("chromium worker");

const tests = collectedTests();
serveTests(tests, (name) => runTest(tests.find((t) => t.name === name)!));
