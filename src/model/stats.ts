/** Live counters of an experiment's data path, exposed as `exp.stats`. */
export interface ExperimentStats {
  /** Records held in memory, not yet stored by the primary backend. */
  queued: number;
  /** Bytes those records hold (estimate); bounded by `buffer.maxQueueBytes`. */
  queuedBytes: number;
  /** Records stored in the local store. */
  written: number;
  /** Records acknowledged by the server. */
  sent: number;
  /** Requests or writes that were attempted again after a transient failure. */
  retried: number;
  /** Records dropped (queue overflow, or refused by the server in remote-only mode). */
  dropped: number;
  /** Encoded bytes written to the local store and sent to the server. */
  bytes: number;
  /** Background errors reported (each also goes to `onError`). */
  errors: number;
}

/** A fresh set of counters. */
export function newStats(): ExperimentStats {
  return { queued: 0, queuedBytes: 0, written: 0, sent: 0, retried: 0, dropped: 0, bytes: 0, errors: 0 };
}
