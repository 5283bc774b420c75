/**
 * Track entries: `exp.tracks(topic).append(entry)`. Nested objects flatten to dot keys (as
 * Python's `tracks(topic).append`); entries with the same timestamp merge while queued.
 */
import type { Buffer } from "./buffer.ts";
import type { TrackQueue } from "./stream-queue.ts";
import type { RunClock } from "./timestamps.ts";
import { estimateBytes } from "./estimate-bytes.ts";
import { ValidationError } from "../errors.ts";
import { flattenInto } from "../model/flatten.ts";
import { checkKey, isPlainObject, normalizeValue, type PlainObject, type PlainValue } from "../model/values.ts";

/** A track as its writer sees it (`exp.tracks(topic)`): read, never written. */
export interface TrackSource {
  readonly topic: string;
  /** `tracks("robot/pose").append()`, for messages (built only when one is needed). */
  where(method?: string): string;
}

/**
 * The writer of one track in one run: `RunContext.trackWriter` makes it, the track's builder
 * keeps it for the run (a new run gets a new writer).
 */
export class TrackWriter {
  private queue: TrackQueue | undefined;

  constructor(
    private readonly buffer: Buffer,
    private readonly clock: RunClock,
    private readonly source: TrackSource,
  ) {}

  /** Queues one track entry (the caller checked the run is writable); nested objects flatten to dot keys. */
  append(data: Record<string, unknown>): void {
    const src = this.source;
    if (!isPlainObject(data)) throw new ValidationError(`${src.where()} takes a plain object like { x: 1, y: 2 }`, { field: "data" });
    let ts: unknown;
    const flat: Record<string, PlainValue> = {};
    let bytes = 48;
    for (const k in data) {
      const v = data[k];
      checkKey(k, k, src.where());
      if (k === "_ts") {
        ts = v;
        continue;
      }
      if (v === undefined) continue;
      const n = typeof v === "number" ? v : normalizeValue(v, k, src.where());
      if (n !== null && typeof n === "object" && !Array.isArray(n)) flattenInto(flat, n as PlainObject, k);
      else flat[k] = n;
      bytes += 16 + estimateBytes(n);
    }
    const time = this.clock.trackTs(ts, src.where());
    // Made at the first valid entry (as it always was).
    const q = this.queue ?? (this.queue = this.buffer.trackQueue(src.topic));
    this.buffer.pushTrack(q, time, flat, bytes);
  }
}
