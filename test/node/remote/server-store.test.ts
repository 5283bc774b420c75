/** The run store contract against the `.dash` store, over the memory and node-fs adapters. */
import { runStoreContract, type RunStoreFixture } from "../../contract/run-store-contract.ts";
import type { StorageFixture } from "../../contract/storage-contract.ts";
import { memoryFixture, nodeFsFixture } from "../../support/node-fixtures.ts";
import { dashStore } from "../../../src/server/stores/dash/index.ts";

/** A `.dash` store over a storage fixture; reopening is a new store over a reopened adapter. */
function dashFixture(make: () => Promise<StorageFixture>): () => Promise<RunStoreFixture> {
  return async () => {
    const s = await make();
    return { store: dashStore(s.adapter), reopen: async () => dashStore(await s.reopen()), cleanup: () => s.cleanup() };
  };
}

runStoreContract("dash over memory", dashFixture(memoryFixture));
runStoreContract("dash over node-fs", dashFixture(nodeFsFixture));
