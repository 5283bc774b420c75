/** Helpers shared by the behaviour suites (portable: no runtime APIs). */
import { Experiment, type ExperimentOptions } from "../../src/index.ts";
import { parseJsonLines, parsePyJson } from "../../src/layout/py-json-parse.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";
import type { StorageFixture } from "../contract/storage-contract.ts";

export type MakeFixture = () => Promise<StorageFixture>;

const dec = new TextDecoder();

/** A quiet experiment on `storage`. */
export function experiment(storage: StorageAdapter, prefix: string, options: ExperimentOptions = {}): Experiment {
  return new Experiment(prefix, { storage, echo: false, ...options });
}

/** The parsed lines of a JSONL key (NaN-tolerant). */
export async function jsonl<T = Record<string, unknown>>(storage: StorageAdapter, key: string): Promise<T[]> {
  const b = await storage.read(key);
  return b ? parseJsonLines<T>(b).records : [];
}

/** A parsed JSON document, or undefined. */
export async function json<T = Record<string, unknown>>(storage: StorageAdapter, key: string): Promise<T | undefined> {
  const b = await storage.read(key);
  return b ? (parsePyJson(dec.decode(b)) as T) : undefined;
}

/** Raw text of a key. */
export async function raw(storage: StorageAdapter, key: string): Promise<string | undefined> {
  const b = await storage.read(key);
  return b ? dec.decode(b) : undefined;
}

/** Runs `fn` with a fresh store, always cleaning up. */
export async function withFixture(make: MakeFixture, fn: (f: StorageFixture) => Promise<void>): Promise<void> {
  const f = await make();
  try {
    await fn(f);
  } finally {
    await f.adapter.close().catch(() => undefined);
    await f.cleanup();
  }
}

/** Python's ISO timestamp: UTC, microseconds (or none when zero), `Z`. */
export const PY_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/;

/**
 * Resolves once `check()` holds, polling every few milliseconds; rejects naming `what` after
 * `timeoutMs` (well inside the suites' test timeouts, so the failure says what never happened).
 * Tests wait on conditions with it instead of sleeping for a time that a loaded machine stretches.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
