// The storage contract and the behaviour suite on Bun, against node-fs (Bun's node:fs) and memory.
import { expect, test } from "bun:test";
import { behaviourSuite } from "../behaviour/index.ts";
import { storageContract } from "../contract/storage-contract.ts";
import { memoryFixture, nodeFsFixture } from "../support/node-fixtures.ts";

test("runs on Bun", () => {
  expect(typeof Bun.version).toBe("string");
});

storageContract("node-fs on Bun", nodeFsFixture);
storageContract("memory on Bun", memoryFixture);
behaviourSuite("node-fs on Bun", nodeFsFixture);
