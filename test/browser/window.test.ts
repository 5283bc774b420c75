// The storage contract and the behaviour suite in a browser window (headless Chromium), against
// IndexedDB and OPFS (writable streams: sync access handles do not exist in windows).
import { expect, test } from "vitest";
import { opfsAdapter } from "../../adapters/opfs/index.ts";
import { behaviourSuite } from "../behaviour/index.ts";
import { storageContract } from "../contract/storage-contract.ts";
import { indexedDBFixture, opfsFixture } from "../support/browser-fixtures.ts";

test("runs in a Chromium window, where OPFS writes through writable streams", () => {
  expect(navigator.userAgent).toContain("HeadlessChrome");
  expect(typeof document).toBe("object");
  expect(opfsAdapter({ root: "unused" }).io).toBe("writable");
});

storageContract("indexeddb (window)", indexedDBFixture);
storageContract("opfs (window)", opfsFixture);
behaviourSuite("indexeddb (window)", indexedDBFixture);
behaviourSuite("opfs (window)", opfsFixture);
