// The storage contract and the behaviour suite in a browser window (headless Chromium), against
// IndexedDB and OPFS: through its I/O worker (the default) and with writable streams (the
// fallback where no worker can start).
import { expect, test } from "vitest";
import { opfsAdapter } from "../../adapters/opfs/index.ts";
import { behaviourSuite, unitSuites } from "../behaviour/index.ts";
import { storageContract } from "../contract/storage-contract.ts";
import { indexedDBFixture, opfsFixture } from "../support/browser-fixtures.ts";

test("runs in a Chromium window, where OPFS changes files through its I/O worker", async () => {
  expect(navigator.userAgent).toContain("HeadlessChrome");
  expect(typeof document).toBe("object");
  expect(await opfsAdapter({ root: "unused" }).ioMode()).toBe("worker");
});

storageContract("indexeddb (window)", indexedDBFixture);
storageContract("opfs (window, I/O worker)", opfsFixture());
storageContract("opfs (window, writable streams)", opfsFixture("writable"));
behaviourSuite("indexeddb (window)", indexedDBFixture);
behaviourSuite("opfs (window)", opfsFixture());
unitSuites("chromium window");
