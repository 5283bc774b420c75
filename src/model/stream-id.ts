/**
 * Stream identity: the log, one metric, one track. Its own module (re-exported by streams.ts)
 * because the builders need it at once, and streams.ts also holds batch helpers that only the
 * write path uses, which should not load with the page.
 */

/** Kinds of buffered streams. */
export type StreamKind = "log" | "metric" | "track";

/** Identifies one stream of an experiment. */
export interface StreamId {
  readonly kind: StreamKind;
  /** Metric name (`null` = the unnamed metric), track topic, or `null` for the log. */
  readonly name: string | null;
  /** Unique key within the experiment: `log`, `metric:<name>`, `track:<topic>`. */
  readonly key: string;
}

/** Builds the {@link StreamId} of a stream. */
export function streamId(kind: StreamKind, name: string | null): StreamId {
  return { kind, name, key: kind === "log" ? "log" : `${kind}:${name ?? "None"}` };
}
