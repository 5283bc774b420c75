/**
 * What a file-system adapter changed since its last `sync()`: the keys whose bytes changed, and
 * the folders whose entries may have (a new file, a rename, a removal, folders made on the way),
 * which a file's fdatasync does not write. `take` hands them to a flush and gives them back when
 * it fails, so the next `sync()` tries again.
 *
 * With `withinMs`, the first change that finds no sync scheduled schedules one that much later:
 * what the adapter acknowledged reaches the disk within that time without anyone calling
 * `sync()` (a server whose clients never ask). A failed sync keeps its changes and, with
 * `withinMs`, schedules the next try that much later, change or not (a store gone idle after a
 * failed fsync still gets its data to the disk once the fault passes); an explicit `sync()`
 * reports the error to its caller as well.
 */

/** Options of {@link PendingChanges}. */
export interface PendingChangesOptions {
  /** Sync this long after a change (ms); undefined or 0: only when `sync()` is called. */
  readonly withinMs?: number | undefined;
  /** The adapter's `sync()`, called by the schedule. */
  readonly sync: () => Promise<void>;
  /** Lets the process exit while a sync is scheduled (Node: `t.unref()`). */
  readonly unref?: (timer: ReturnType<typeof setTimeout>) => void;
  /**
   * Told of each scheduled sync that failed, with how many syncs have failed in a row (nobody
   * else hears of it: no caller waits on a scheduled sync). Default {@link warnSyncFailure}.
   */
  readonly onError?: ((err: unknown, failures: number) => void) | undefined;
}

/**
 * The default of `onError`: a console warning at the 1st, 10th, 100th… failure in a row, so a
 * disk that keeps failing is heard of without a line every `withinMs`.
 */
export function warnSyncFailure(err: unknown, failures: number): void {
  if (!/^10*$/.test(String(failures))) return;
  const why = err instanceof Error ? err.message : String(err);
  console.warn(`[ml-dash] the store could not sync its changes to disk (${why}); it tries again until it can (${failures} failed in a row)`);
}

/** The changes a file-system adapter has not made durable yet. */
export class PendingChanges {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Flushes failed in a row. */
  private failures = 0;

  constructor(private readonly options: PendingChangesOptions) {}

  /** Notes that the bytes of `key` changed (call once the change is done). */
  file(key: string): void {
    this.files.add(key);
    this.schedule();
  }

  /** Notes that the entries of folder `path` may have changed. */
  dir(path: string): void {
    this.dirs.add(path);
    this.schedule();
  }

  /** Runs `flush` over what changed since the last call; when it fails, the changes stay noted and a retry is scheduled (`withinMs`). */
  async take(flush: (files: string[], dirs: string[]) => Promise<void>): Promise<void> {
    const files = [...this.files];
    const dirs = [...this.dirs];
    this.files.clear();
    this.dirs.clear();
    try {
      await flush(files, dirs);
      this.failures = 0;
    } catch (err) {
      this.failures++;
      for (const f of files) this.files.add(f);
      for (const d of dirs) this.dirs.add(d);
      if (this.files.size > 0 || this.dirs.size > 0) this.schedule();
      throw err;
    }
  }

  private schedule(): void {
    const ms = this.options.withinMs;
    if (!ms || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failure keeps the changes noted and schedules the next try (see take).
      this.options.sync().catch((err: unknown) => (this.options.onError ?? warnSyncFailure)(err, this.failures));
    }, ms);
    this.options.unref?.(this.timer);
  }
}
