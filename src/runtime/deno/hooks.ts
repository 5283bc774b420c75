/**
 * The Deno runtime's hooks: zero-config storage is `./.dash` (or `dashRoot`) through deno-fs;
 * the environment, working directory, main module and token files through the `Deno` global
 * (host.ts); unfinished runs drain when the program ends and on SIGINT/SIGTERM (exit.ts); the
 * files API's local files and SHA-256 are Node's (Deno provides `node:fs` and `node:crypto`); big
 * batches are encoded on the browsers' module worker (../browser/encoder.ts).
 */
import { denoFsAdapter } from "../../../adapters/deno-fs/index.ts";
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { nodeFileHooks } from "../node/files.ts";
import { sharedStores } from "../shared-stores.ts";
import { denoExitHooks, unrefDenoTimer } from "./exit.ts";
import { denoHostHooks } from "./host.ts";

/** How long an idle encoder worker lives before it stops (it restarts with the next big batch). */
const IDLE_ENCODER_MS = 200;

/** One deno-fs adapter per root, shared by every experiment of the program. */
export const defaultDenoStorage: (root: string) => StorageAdapter = sharedStores((root) => denoFsAdapter({ root }));

/** The Deno runtime hooks. */
export const denoRuntime: RuntimeHooks = {
  name: "deno",
  defaultStorage: defaultDenoStorage,
  ...denoHostHooks,
  ...denoExitHooks,
  ...nodeFileHooks,
  // The browsers' module worker through Deno's Worker. A live worker keeps a Deno program
  // running, so an idle one stops after IDLE_ENCODER_MS (on a timer that holds nothing open).
  loadEncoder: () => import("../browser/encoder.ts").then((m) => m.webEncoderSpawner({ idle: { ms: IDLE_ENCODER_MS, unrefTimer: unrefDenoTimer } })),
};
