import { storageContract } from "../contract/storage-contract.ts";
import { memoryFixture, nodeFsFixture } from "../support/node-fixtures.ts";

storageContract("memory", memoryFixture);
storageContract("node-fs", nodeFsFixture);
