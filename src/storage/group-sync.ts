/**
 * `sync()` for an adapter, as a group commit. An adapter's flush takes the keys changed since
 * the last one and makes them durable; a second `sync()` called while that flush runs would
 * find nothing left to take and resolve at once, before the bytes it was asked about are on
 * disk. Here a call made while a flush runs waits for it and then for one more flush, which
 * every call arriving meanwhile shares: each call resolves only after a flush that began after
 * it, and concurrent callers (the requests of a server, the runs of one store) cost one flush
 * per round, not one each.
 */

/**
 * Wraps `flush` (make durable what changed since its last run) into an adapter's `sync()`.
 *
 * @example
 * ```ts
 * const sync = groupSync(async () => { for (const k of takeTouched()) await fsyncFile(k); });
 * await Promise.all([sync(), sync(), sync()]); // at most two flushes
 * ```
 */
export function groupSync(flush: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const p: Promise<void> = flush().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return () => {
    if (queued) return queued; // a flush that begins after this call is already promised
    if (!running) return start();
    const next = running
      .catch(() => undefined) // its failure is its callers'; this round flushes anyway
      .then(() => {
        queued = undefined;
        return start();
      });
    queued = next;
    return next;
  };
}
