/**
 * Local, hybrid or remote: which store and which server an experiment uses, decided once at
 * construction from its options and the runtime's defaults (Python decides the same way from `dash_root` and `dash_url`).
 */
import { ConfigurationError } from "../errors.ts";
import type { ExperimentOptions } from "./options.ts";
import type { RuntimeHooks } from "../model/runtime-hooks.ts";
import type { StorageAdapter } from "../storage/contract.ts";

/** Where an experiment's data goes. */
export type Mode = "local" | "hybrid" | "remote";

/** The resolved destinations of an experiment. */
export interface Destinations {
  readonly mode: Mode;
  readonly storage: StorageAdapter | null;
  /** The server URL (without a trailing slash), when there is one. */
  readonly dashUrl: string | undefined;
}

/** The hosted ML-Dash API, used for `dashUrl: true` unless `ML_DASH_API_URL` says otherwise. */
export const DEFAULT_DASH_URL = "https://api.dash.ml";

/** Decides the mode and the store. Throws {@link ConfigurationError} when nothing would be kept. */
export function resolveDestinations(options: ExperimentOptions, runtime: RuntimeHooks): Destinations {
  let dashUrl: string | undefined;
  if (options.dashUrl === true) dashUrl = runtime.env?.("ML_DASH_API_URL") || DEFAULT_DASH_URL;
  else if (typeof options.dashUrl === "string") dashUrl = options.dashUrl;
  dashUrl = dashUrl?.replace(/\/+$/, "");

  let storage: StorageAdapter | null;
  if (options.storage !== undefined) storage = options.storage;
  else if (options.dashRoot === null) storage = null;
  else if (dashUrl && runtime.remoteOnlyByDefault) storage = null;
  else if (runtime.defaultStorage) storage = runtime.defaultStorage(options.dashRoot ?? ".dash");
  else {
    throw new ConfigurationError(
      `No local store: ${runtime.name === "core" ? "ml-dash/core has no default store, so" : `the ${runtime.name} runtime has none, so`} pass one, e.g. { storage: memoryAdapter() }, or give dashUrl with storage: null for remote-only`,
    );
  }
  if (!dashUrl && !storage) {
    throw new ConfigurationError("Nothing would be kept: storage is null and no dashUrl is set; give a store, a dashUrl, or both");
  }
  return { mode: dashUrl ? (storage ? "hybrid" : "remote") : "local", storage, dashUrl };
}
