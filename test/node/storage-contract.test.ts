import { rmSync } from "node:fs";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { storageContract } from "../contract/storage-contract.ts";
import { memoryFixture, nodeFsFixture, tempDir } from "../support/node-fixtures.ts";

storageContract("memory", memoryFixture);
storageContract("node-fs", nodeFsFixture);
// One append handle at most: every append to another key evicts and closes the cached one.
storageContract("node-fs, one open handle", async () => {
  const root = tempDir("nodefs-1");
  return {
    adapter: nodeFsAdapter({ root, maxOpenFiles: 1 }),
    reopen: async () => nodeFsAdapter({ root, maxOpenFiles: 1 }),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});
