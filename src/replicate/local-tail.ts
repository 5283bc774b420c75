/**
 * Reading the records a server does not hold yet out of a local `.dash` tree, and sending them:
 * the hybrid write-ahead log after a restart or an outage, and `ml-dash upload`. Line *i* of a metric or
 * track data file is record *i* (as ML-Dash's own reader assumes), so a cursor that remembers
 * its byte offset reads a whole stream in one pass, however many chunks it is sent in.
 */
import { parsePyJson } from "../layout/py-json-parse.ts";
import { paths } from "../layout/paths.ts";
import type { PlainObject } from "../model/values.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import type { Batch, StreamId, StreamInfo } from "../model/batch.ts";
import { logRecords, makeBatch, rowsToBlocks, trackRecords } from "../protocol/batch-ops.ts";
import { createdRuns } from "../model/created-at.ts";
import { concatBytes } from "../internal/bytes.ts";
import { StreamGap, type Sent } from "../backends/remote/send-batch.ts";

/** Records read from the local store per request. */
export const LOCAL_CHUNK = 10_000;

const NL = 10;
const WINDOW = 1 << 20;
const decoder = new TextDecoder();

/** Complete lines of a JSONL value, read forward from any line number. */
export class JsonlCursor {
  private line = 0;
  private offset = 0;

  constructor(
    private readonly storage: StorageAdapter,
    readonly key: string,
  ) {}

  /**
   * Up to `maxLines` complete lines starting at line `from` (fewer at the end of the value, and
   * never a torn last line). Sequential calls continue where the last one stopped.
   */
  async read(from: number, maxLines: number, maxBytes = 8 * WINDOW): Promise<string[]> {
    if (from < this.line) {
      this.line = 0;
      this.offset = 0;
    }
    const out: string[] = [];
    let carry = new Uint8Array(0);
    let pos = this.offset;
    let bytes = 0;
    for (;;) {
      const chunk = await this.storage.readRange(this.key, pos, pos + WINDOW);
      if (!chunk || chunk.length === 0) return out;
      pos += chunk.length;
      const buf = carry.length === 0 ? chunk : concatBytes([carry, chunk]);
      let start = 0;
      for (let nl = buf.indexOf(NL); nl >= 0; nl = buf.indexOf(NL, start)) {
        if (this.line >= from) {
          out.push(decoder.decode(buf.subarray(start, nl)));
          bytes += nl - start + 1;
        }
        this.line++;
        start = nl + 1;
        this.offset = pos - (buf.length - start);
        if (out.length >= maxLines || bytes >= maxBytes) return out;
      }
      carry = buf.slice(start);
      if (chunk.length < WINDOW) return out; // the end: what is left is a torn line, not a record
    }
  }
}

/** The data file of a stream in experiment folder `dir`. */
export function dataKey(dir: string, stream: StreamId): string {
  switch (stream.kind) {
    case "metric":
      return paths.metricData(dir, stream.name);
    case "track":
      return paths.trackData(dir, stream.name as string);
    case "log":
      return paths.logs(dir);
  }
}

/** Stored lines of one stream, turned back into batches. */
export class LocalStreamSource {
  private readonly cursor: JsonlCursor;

  constructor(
    storage: StorageAdapter,
    dir: string,
    readonly stream: StreamId,
    private readonly info?: StreamInfo,
  ) {
    this.cursor = new JsonlCursor(storage, dataKey(dir, stream));
  }

  /** Records `[from, from + max)` as one batch, or `undefined` when the file holds none there. */
  async batch(from: number, max: number): Promise<Batch | undefined> {
    const lines = await this.cursor.read(from, max);
    if (lines.length === 0) return undefined;
    const docs = lines.map((l) => parsePyJson(l, true) as PlainObject); // a copy: numbers exactly as written
    const { stream, info } = this;
    switch (stream.kind) {
      case "metric": {
        const rows = docs.map((d) => (d["data"] ?? {}) as PlainObject);
        // The lines' own createdAt travel with them, so the copy keeps when each point was stored.
        return makeBatch(stream, from, { kind: "metric", blocks: rowsToBlocks(rows) }, rows.length, info, createdRuns(docs.map((d) => d["createdAt"])));
      }
      case "track":
        return makeBatch(stream, from, { kind: "track", records: trackRecords(docs) }, docs.length, info);
      case "log":
        return makeBatch(stream, from, { kind: "log", records: logRecords(docs as never) }, docs.length, info);
    }
  }
}

/** What one send of a stream's local tail did. */
export interface TailStep {
  /** Where the server's stream ends now, in local numbering: the next record to send. */
  readonly next: number;
  /** The answer when the batch went through; `undefined` after a gap (send again from `next`). */
  readonly sent: Sent | undefined;
}

/**
 * Sends `batch` of a local stream (local numbering; the server's is `shift` ahead, after a reset
 * local store) and says where to go on: after the batch, or, when the server holds fewer records
 * than the batch assumes (a 409 gap), where its stream ends, to be read again from the local store.
 */
export async function sendTail(send: (batch: Batch) => Promise<Sent>, batch: Batch, shift = 0): Promise<TailStep> {
  try {
    const sent = await send(shift === 0 ? batch : { ...batch, first: batch.first + shift });
    return { next: sent.next - shift, sent };
  } catch (err) {
    if (err instanceof StreamGap) return { next: Math.max(0, err.next - shift), sent: undefined };
    throw err;
  }
}
