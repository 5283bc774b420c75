/**
 * Files in hybrid mode: the local store is the truth, and the server is brought to match it
 * place by place in the background (see `file-plan.ts`), so a restarted process sends only what
 * the server does not hold.
 */
import { MlDashError, NotFoundError, RemoteError, StorageError } from "../errors.ts";
import type { LocalFileStore } from "../files/local-file-store.ts";
import type { FileInfo } from "../files/types.ts";
import { isTransient, Rounds } from "../backends/remote/retry.ts";
import type { RemoteFilesApi } from "../backends/remote/files-api.ts";
import { applyFile, listedPlaces, localPlaces, placeOf, planFile } from "./file-plan.ts";

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** What {@link FileSync} needs from its backend. */
export interface FileSyncHooks {
  /** The experiment's file API, once it exists on the server (rejects while it does not). */
  api(): Promise<RemoteFilesApi>;
  /** Reports a problem (counted, `onError`, warned once per kind). */
  report(err: MlDashError): void;
  unrefTimer?: ((handle: unknown) => void) | undefined;
}

/**
 * Keeps the server's files of a hybrid run in step with the local store, in the background.
 * Transient failures pause every place with jittered backoff and are retried for as long as
 * the process lives (a flush hears of them after `PATIENCE` rounds, see `retry.ts`); a refusal (4xx) is
 * reported once and that place is left until it changes again.
 */
export class FileSync {
  private readonly dirty = new Set<string>();
  private remote: Map<string, FileInfo> | undefined;
  private running: Promise<void> | undefined;
  private catching: Promise<void> | undefined;
  private readonly rounds: Rounds;
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private closed = false;
  /** The server has no file list (ML-Dash lists over GraphQL): only places changed by this process are sent. */
  private blind = false;
  private readonly changedHere = new Set<string>();

  constructor(
    private readonly local: LocalFileStore,
    private readonly hooks: FileSyncHooks,
    private readonly width = 2,
  ) {
    this.rounds = new Rounds(() => this.kick(), hooks.unrefTimer);
  }

  /** A place changed locally. */
  touch(f: { readonly path: string; readonly filename: string }): void {
    const key = placeOf(f);
    this.changedHere.add(key);
    this.dirty.add(key);
    this.kick();
  }

  /** Compares every local place with the server (at connect: what a previous process left). */
  async catchUp(): Promise<void> {
    const catching = (async () => {
      this.remote = undefined; // the server may have changed while we were away
      for (const f of await this.local.records()) this.dirty.add(placeOf(f));
      this.kick();
    })();
    this.catching = catching;
    try {
      await catching;
    } finally {
      if (this.catching === catching) this.catching = undefined;
    }
  }

  /**
   * Resolves when the server matches every change made so far; rejects with the error once
   * `PATIENCE` rounds failed (syncing goes on in the background).
   */
  flush(): Promise<void> {
    // A catch-up still listing the local files has not marked them yet: without this wait, a
    // flush (and a complete() right after start) would not cover what a previous process left.
    const catching = this.catching;
    if (catching) return catching.then(() => this.flush(), () => this.flush());
    this.rounds.resume(true); // an explicit flush gets one more round
    if (this.dirty.size === 0 && !this.running) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.kick();
    return p;
  }

  /** Tries now (after the experiment was created on the server, or an outage ended). */
  kick(): void {
    if (this.running || this.closed || this.rounds.paused || this.dirty.size === 0) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.dirty.size > 0) this.kick();
      else this.settle();
    });
  }

  /** Stops syncing; what is left is found again by the next run's catch-up or `ml-dash upload`. */
  close(): void {
    this.closed = true;
    this.rounds.close();
    const err = new StorageError("The experiment was closed before its files reached the server; the local store keeps them", { code: "CLOSED" });
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private settle(err?: unknown): void {
    if (err === undefined && (this.dirty.size > 0 || this.running)) return;
    for (const w of this.waiters.splice(0)) if (err === undefined) w.resolve();
      else w.reject(err);
  }

  private async loop(): Promise<void> {
    while (this.dirty.size > 0 && !this.closed && !this.rounds.paused) {
      const keys = [...this.dirty];
      this.dirty.clear();
      let failure: MlDashError | undefined;
      try {
        const api = await this.hooks.api();
        this.remote ??= await this.listRemote(api);
        const remote = this.remote;
        const byPlace = localPlaces(await this.local.records());
        await pool(keys, this.width, async (key) => {
          if (failure) {
            this.dirty.add(key);
            return;
          }
          if (this.blind && !this.changedHere.has(key)) return; // cannot tell whether the server has it
          const action = planFile(byPlace.get(key) ?? [], remote.get(key));
          if (!action) return;
          try {
            const after = await applyFile(api, this.local, action);
            if (after) remote.set(key, after);
            else remote.delete(key);
          } catch (err) {
            if (err instanceof NotFoundError && action.kind !== "delete") return; // replaced locally meanwhile: its change re-marked the place
            const e = err instanceof MlDashError ? err : new StorageError(String(err), { cause: err });
            if (isTransient(e)) {
              failure ??= e;
              this.dirty.add(key);
            } else this.hooks.report(e); // refused: reported once, not retried until the file changes
          }
        });
      } catch (err) {
        const e = err instanceof MlDashError ? err : new StorageError(String(err), { cause: err });
        if (isTransient(e)) {
          // The experiment is not on the server yet, or the list failed on the way: everything waits.
          for (const k of keys) this.dirty.add(k);
          failure = e;
        } else this.hooks.report(e); // refused (a 4xx): reported once; the next change or run tries again
      }
      if (failure) {
        this.pause(failure);
        return;
      }
      this.rounds.succeeded();
    }
  }

  /** The server's live files; an empty map (and a warning) for a server without the list route. */
  private async listRemote(api: RemoteFilesApi): Promise<Map<string, FileInfo>> {
    const listed = await listedPlaces(api);
    if (listed instanceof Map) return listed;
    this.blind = true;
    this.hooks.report(
      new RemoteError(
        "The server cannot list an experiment's files (GET experiments/{id}/files answered 404): files saved by this run are uploaded, but what an earlier run left behind is not compared",
        404,
        listed.body,
        { cause: listed },
      ),
    );
    return new Map();
  }

  private pause(err: MlDashError): void {
    this.hooks.report(err);
    if (this.rounds.failed()) this.settle(err);
  }
}
