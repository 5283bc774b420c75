/**
 * Makes the portable suites (`describe`/`test` from "vitest", mapped to the portable runner by
 * deno.json) register as `deno test` tests. Call before registering suites.
 */
import { runTest, setTestSink } from "../portable/vitest-shim.ts";
import { denoFsAdapter, type DenoFsAdapterOptions } from "@ml-dash/sdk/adapters/deno-fs";
import type { StorageFixture } from "../contract/storage-contract.ts";

/** Routes portable tests to `Deno.test`. */
export function useDenoTest(): void {
  setTestSink((t) =>
    Deno.test({
      name: t.name,
      ignore: t.skip,
      // The suites leave timers (flush intervals) and handles to the adapters' close().
      sanitizeOps: false,
      sanitizeResources: false,
      fn: () => runTest(t),
    }),
  );
}

/** A deno-fs store in a fresh temporary folder; reopen is a new adapter on the same folder. */
export async function denoFsFixture(options: DenoFsAdapterOptions = {}): Promise<StorageFixture> {
  const root = await Deno.makeTempDir({ prefix: "mldash-denofs-" });
  return {
    adapter: denoFsAdapter({ ...options, root }),
    reopen: async () => denoFsAdapter({ ...options, root }),
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}
