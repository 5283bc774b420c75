/**
 * The members of the `Deno` namespace that the Deno runtime hooks use (environment, signals,
 * timers, the working directory and main module, token files), typed locally like the deno-fs
 * adapter's file APIs (adapters/deno-fs/deno-api.ts), so the sources type-check under `tsc` and
 * under `deno check`.
 */
import type { DenoFileInfo } from "../../../adapters/deno-fs/deno-api.ts";

export { isNotFound } from "../../../adapters/deno-fs/deno-api.ts";

/** The signals the Deno entry drains on. */
export type DenoSignal = "SIGINT" | "SIGTERM";

/** The runtime members of the `Deno` global that the hooks call. */
export interface DenoRuntimeApi {
  readFile(path: string): Promise<Uint8Array>;
  statSync(path: string): DenoFileInfo;
  cwd(): string;
  readonly mainModule: string;
  env: { get(name: string): string | undefined };
  addSignalListener(signal: DenoSignal, handler: () => void): void;
  removeSignalListener(signal: DenoSignal, handler: () => void): void;
  kill(pid: number, signal: DenoSignal): void;
  unrefTimer(id: number): void;
  readonly pid: number;
  readonly build: { readonly os: string };
}

/** The `Deno` global (only call this inside Deno). */
export function deno(): DenoRuntimeApi {
  return (globalThis as unknown as { Deno: DenoRuntimeApi }).Deno;
}
