/**
 * `exp.tracks`: timestamped multi-modal streams (poses, sensors, frames). Entries with the same
 * timestamp merge while buffered; nested objects are flattened to dot keys (as Python's `tracks(topic).append`).
 */
import type { TrackReadOptions, TrackRecord } from "../../model/backend.ts";
import type { Host } from "../host.ts";
import { notWritable, ValidationError } from "../../errors.ts";
import { shown, textProblem } from "../../model/names.ts";
import type { RunContext } from "../../write/run-context.ts";
import type { TrackSource, TrackWriter } from "../../write/track-writes.ts";
import { TrackSlice } from "./track-slice.ts";

/** An entry: any keys with storable values (nested objects are flattened), plus optional `_ts`. */
export type TrackData = Record<string, unknown> & { _ts?: number };

/** One track of an experiment. Obtain it as `exp.tracks("robot/pose")` (cached by topic). */
export class TrackBuilder implements TrackSource {
  /** This track's writer in the run `writerCtx` (a new run gets a new one). */
  private writer: TrackWriter | undefined;
  private writerCtx: RunContext | undefined;
  /** `where()`'s text, made once: the writer passes it for every key of every entry. */
  private appendWhere: string | undefined;

  constructor(
    private readonly host: Host,
    /** The topic, e.g. `robot/pose`. */
    readonly topic: string,
  ) {}

  /**
   * Appends an entry. `_ts` absent → now (unique per experiment); `-1` → the previous
   * timestamp of any metric or track; a number → that time in seconds. Synchronous.
   *
   * @example exp.tracks("robot/pose").append({ x: 1, y: 2, q: new Float32Array([0, 1]), _ts: -1 });
   */
  append(data: TrackData): this {
    const ctx = this.host._ctx;
    if (ctx === undefined || !ctx.writable) notWritable(this.where(), ctx !== undefined, ctx?.readOnly);
    let w = this.writer;
    if (this.writerCtx !== ctx || w === undefined) {
      w = this.writer = ctx.trackWriter(this);
      this.writerCtx = ctx;
    }
    w.append(data);
    return this;
  }

  /** Writes this track's buffered entries (and everything else buffered). */
  flush(): Promise<void> {
    const p = this.host._readable(this.where("flush")).buffer.flush();
    p.catch(() => undefined);
    return p;
  }

  /** Stored entries in `[start, end]` (inclusive), in file order, optionally only some columns. */
  async read(options: TrackReadOptions = {}): Promise<{ entries: TrackRecord[]; count: number }> {
    const ctx = this.host._readable(this.where("read"));
    await ctx.buffer.flush();
    const entries = await ctx.reader.readTrack(this.topic, options);
    return { entries, count: entries.length };
  }

  /** Loads the entries in `[start, end]` into a {@link TrackSlice} for iteration and `findByTime`. */
  async slice(start?: number, end?: number): Promise<TrackSlice> {
    const { entries } = await this.read({ start, end });
    return new TrackSlice(this.topic, entries, start, end);
  }

  /** @internal `tracks("robot/pose").append()`, for messages. */
  where(method = "append"): string {
    if (method === "append") return (this.appendWhere ??= `tracks(${JSON.stringify(this.topic)}).append()`);
    return `tracks(${JSON.stringify(this.topic)}).${method}()`;
  }
}

/** The `exp.tracks` accessor. */
export interface Tracks {
  /** The builder of one track. */
  (topic: string): TrackBuilder;
  /** Writes every buffered track entry (and everything else buffered). */
  flush(): Promise<void>;
}

/** Validates a topic: non-empty, `/`-separated, no empty, `.` or `..` parts, no control characters. */
export function checkTopic(topic: unknown): string {
  const bad =
    typeof topic !== "string" ||
    topic === "" ||
    topic.split("/").some((s) => s === "" || s === "." || s === "..") ||
    topic.includes("\\");
  if (bad) {
    throw new ValidationError(`Invalid track topic ${shown(topic)}: use non-empty "/"-separated names like "robot/pose"`, {
      field: "topic",
    });
  }
  // The topic becomes one folder name ("/" → "_").
  const problem = textProblem(topic);
  if (problem) throw new ValidationError(`Invalid track topic ${shown(topic)}: it ${problem}`, { field: "topic" });
  return topic as string;
}

/** Builds the `exp.tracks` accessor of an experiment. */
export function createTracks(host: Host): Tracks {
  const builders = new Map<string, TrackBuilder>();
  const accessor = ((topic: string): TrackBuilder => {
    let b = builders.get(topic);
    if (!b) builders.set(topic, (b = new TrackBuilder(host, checkTopic(topic))));
    return b;
  }) as Tracks;
  accessor.flush = (): Promise<void> => {
    const p = host._readable("tracks.flush()").buffer.flush();
    p.catch(() => undefined);
    return p;
  };
  return accessor;
}
