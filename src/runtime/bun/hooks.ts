/**
 * The Bun runtime's hooks are Node's: Bun implements `process`, `node:fs`, `node:crypto` and
 * `node:worker_threads`, so it reuses every Node hook (node-fs storage at `./.dash`, exit drains,
 * the environment, local files, encoder workers) and only reports its own name.
 */
import type { RuntimeHooks } from "../../model/runtime-hooks.ts";
import { nodeRuntime } from "../node/hooks.ts";

/** The Bun runtime hooks: {@link nodeRuntime} under the name "bun". */
export const bunRuntime: RuntimeHooks = { ...nodeRuntime, name: "bun" };
