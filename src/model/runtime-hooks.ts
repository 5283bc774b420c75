/**
 * What a runtime (`src/runtime/<runtime>/hooks.ts`) tells the core: the zero-config storage,
 * how to read the environment, how to drain on exit, how to keep timers from holding the
 * process open. The core itself touches none of these runtime APIs.
 */
import type { StorageAdapter } from "./storage.ts";
import type { EncoderWorker, LocalFileSystem, Sha256 } from "./runtime-services.ts";

/** Why a runtime drains its runs: a normal exit, an interrupt, or a hidden page (flush only). */
export type ExitReason = "exit" | "signal" | "hide";

/** Runtime services handed to the core by a runtime entry. */
export interface RuntimeHooks {
  /** `node`, `bun`, `deno`, `browser`, `workerd`, `default` or `core`. */
  readonly name: string;
  /** The zero-config local store for `dashRoot` (`.dash` by default). */
  defaultStorage?(dashRoot: string): StorageAdapter;
  /** With `dashUrl` and no explicit store, run remote-only (edge runtimes). */
  readonly remoteOnlyByDefault?: boolean;
  /** Reads an environment variable. */
  env?(name: string): string | undefined;
  /**
   * Calls `drain("exit")` before a normal exit and `drain("signal")` on an interrupt
   * (SIGINT/SIGTERM) before the process goes down; browsers call `drain("hide")` when the page
   * is hidden or unloaded (flush only: the page may come back). Returns a function that
   * unregisters it.
   */
  onExit?(drain: ExitDrain): () => void;
  /** Keeps a timer from holding the process open. */
  unrefTimer?(handle: unknown): void;
  /**
   * Finds a server token when `dashUrl` is set and no `token` option was given (Node, Deno, Bun:
   * `ML_DASH_TOKEN`, then the files `ml-dash login` writes in `~/.dash`). Called lazily, before
   * the first request that needs it; `undefined` when there is none.
   */
  loadToken?(): Promise<string | undefined>;
  /**
   * Starts a worker that encodes big batches off the caller's thread (see
   * `src/backends/local/encoder-pool.ts`). Without it, encoding runs inline.
   */
  spawnEncoder?(): EncoderWorker;
  /**
   * Loads `spawnEncoder` on first use, where the worker code must not be part of the first
   * load (browsers, Deno); resolves to `undefined` where no worker can start here.
   */
  loadEncoder?(): Promise<(() => EncoderWorker) | undefined>;
  /**
   * The share of `buffer.maxQueueBytes` waiting in memory past which the logging thread encodes
   * batches itself instead of leaving them all to the encoder workers (it slows a producer that
   * outruns them). Default 1/4; a browser window uses 1: its thread draws the page, so it helps
   * only at the bound, where memory must stop growing.
   */
  readonly callerEncodesAt?: number;
  /**
   * The working directory, an absolute path with `/` separators: where a relative `RUN.entry`
   * starts, and the project root when no marker file is found (as in Python).
   */
  cwd?(): string;
  /**
   * The nearest folder at or above `entryPath` (absolute, `/`-separated) that holds a project
   * marker (package.json, deno.json, pyproject.toml, …); `undefined` when none. Synchronous:
   * it runs in the Experiment constructor. Implement it with `searchProjectRoot(entryPath, stat)`
   * from `src/run-config/entry-path.ts`.
   */
  findProjectRoot?(entryPath: string): string | undefined;
  /** The process's main script (a path or URL): the entry when `RUN.entry` is not set. */
  mainEntry?(): string | undefined;
  /** File-system access for `files.upload(localPath)` and `files(…).download({ to })` (Node, Bun, Deno). */
  readonly localFiles?: LocalFileSystem;
  /** A native incremental SHA-256 for streamed files (node:crypto); else the portable one is used. */
  sha256?(): Sha256;
}

/** The hooks of `ml-dash/core`: no default storage, no environment. */
export const coreRuntime: RuntimeHooks = { name: "core" };

/** What an experiment registers with `RuntimeHooks.onExit`. */
export type ExitDrain = (reason: ExitReason) => Promise<void>;
