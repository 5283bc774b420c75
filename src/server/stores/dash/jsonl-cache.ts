/**
 * Parsed records of append-only JSONL files (logs, tracks), extended by reading only what was
 * appended since the last request. A file that shrank was rewritten and is read again.
 */
import { parseJsonLines } from "../../../layout/py-json-parse.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";

const NL = 10;

/** The records of one file and how far it was read. */
export interface JsonlState<T> {
  records: T[];
  /** Bytes consumed (at a line boundary). */
  bytes: number;
  /** Bumped whenever `records` changes (for ETags and derived caches). */
  version: number;
}

/** A small LRU of parsed JSONL files. */
export class JsonlCache<T> {
  private readonly entries = new Map<string, { state: JsonlState<T>; pending?: Promise<JsonlState<T>> }>();

  constructor(
    private readonly storage: StorageAdapter,
    private readonly maxFiles = 64,
    /** Called with new records (e.g. to re-sort); may return a replacement array. */
    private readonly onGrow?: (records: T[]) => T[],
  ) {}

  /** The file's records, up to date; `null` when it does not exist. */
  async get(key: string): Promise<JsonlState<T> | null> {
    let e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
      if (e.pending) return e.pending;
    }
    const seen = e?.state.bytes;
    const st = await this.storage.stat(key);
    if (!st) {
      this.entries.delete(key);
      return null;
    }
    // Another request may have started (or finished) reading while this one waited: share it.
    e = this.entries.get(key);
    if (e?.pending) return e.pending;
    if (e && st.size < e.state.bytes && e.state.bytes !== seen) return e.state;
    if (!e || st.size < e.state.bytes) {
      e = { state: { records: [], bytes: 0, version: 0 } };
      this.entries.set(key, e);
      while (this.entries.size > this.maxFiles) this.entries.delete(this.entries.keys().next().value as string);
    }
    if (st.size === e.state.bytes) return e.state;
    const entry = e;
    const run = async (): Promise<JsonlState<T>> => {
      const s = entry.state;
      const bytes = await this.storage.readRange(key, s.bytes, st.size);
      if (!bytes) return s;
      const end = bytes.lastIndexOf(NL) + 1;
      if (end === 0) return s;
      const { records } = parseJsonLines<T>(bytes.subarray(0, end));
      let all = s.records.concat(records);
      if (this.onGrow) all = this.onGrow(all);
      entry.state = { records: all, bytes: s.bytes + end, version: s.version + 1 };
      return entry.state;
    };
    entry.pending = run().finally(() => {
      delete entry.pending;
    });
    return entry.pending;
  }
}
