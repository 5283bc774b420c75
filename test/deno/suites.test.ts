// The storage contract and the behaviour suite under `deno test`: deno-fs and memory.
import { behaviourSuite, unitSuites } from "../behaviour/index.ts";
import { storageContract } from "../contract/storage-contract.ts";
import { memoryFixture } from "../support/memory-fixture.ts";
import { denoFsFixture, useDenoTest } from "./host.ts";

useDenoTest();

storageContract("deno-fs", denoFsFixture);
// One append handle at most: every append to another key evicts and closes the cached one.
storageContract("deno-fs, one open handle", () => denoFsFixture({ maxOpenFiles: 1 }));
storageContract("memory on Deno", memoryFixture);
behaviourSuite("deno-fs", denoFsFixture);
behaviourSuite("memory on Deno", memoryFixture);
unitSuites("deno");
