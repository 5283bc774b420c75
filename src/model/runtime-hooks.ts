/**
 * What a runtime entry (`src/runtime/<host>/entry.ts`) tells the core: the zero-config storage,
 * how to read the environment, how to drain on exit, how to keep timers from holding the
 * process open. The core itself touches none of these runtime APIs.
 */
import type { StorageAdapter } from "../storage/contract.ts";
import type { EncoderWorker, LocalFileSystem, Sha256 } from "./runtime-services.ts";

/** Why a runtime drains its runs: a normal exit, an interrupt, or a hidden page (flush only). */
export type ExitReason = "exit" | "signal" | "hide";

/** Runtime services handed to the core by a runtime entry. */
export interface RuntimeHooks {
  /** `node`, `bun`, `deno`, `browser`, `workerd` or `core`. */
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
  onExit?(drain: (reason: ExitReason) => Promise<void>): () => void;
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

/**
 * Memoises a zero-config store factory: one adapter per root (or database name), shared by every
 * experiment of the process, page or worker, so two experiments on one prefix share one writer.
 */
export function sharedStores(make: (root: string) => StorageAdapter): (root: string) => StorageAdapter {
  const stores = new Map<string, StorageAdapter>();
  return (root) => {
    let s = stores.get(root);
    if (!s) stores.set(root, (s = make(root)));
    return s;
  };
}

/** What an experiment registers with `RuntimeHooks.onExit`. */
export type ExitDrain = (reason: ExitReason) => Promise<void>;

/**
 * The bookkeeping every runtime's exit hooks share: the drains of running experiments, with the
 * runtime's listeners (`install`) added for the first drain and removed (`uninstall`) when the
 * last one leaves or the drains have run.
 */
export class ExitDrains {
  private readonly drains = new Set<ExitDrain>();
  private installed = false;

  constructor(private readonly listeners: { install(): void; uninstall(): void }) {}

  /** How many experiments wait for a drain. */
  get size(): number {
    return this.drains.size;
  }

  /** `RuntimeHooks.onExit`: registers `drain`; the returned function unregisters it. */
  readonly add = (drain: ExitDrain): (() => void) => {
    this.drains.add(drain);
    this.install();
    return () => {
      this.drains.delete(drain);
      if (this.drains.size === 0) this.uninstall();
    };
  };

  /** Runs every drain once (they are unregistered first) and waits for all of them. */
  async runAll(reason: ExitReason): Promise<void> {
    const all = [...this.drains];
    this.drains.clear();
    await Promise.allSettled(all.map((d) => d(reason)));
  }

  /** Starts every drain and keeps them registered (a hidden page may come back). */
  startAll(reason: ExitReason): void {
    for (const d of this.drains) void d(reason);
  }

  /** Adds the runtime's listeners, once. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    this.listeners.install();
  }

  /** Removes them, once. */
  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    this.listeners.uninstall();
  }
}
