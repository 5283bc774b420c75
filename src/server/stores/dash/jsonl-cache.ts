/**
 * Parsed records of append-only JSONL files (logs, tracks), extended by reading only what was
 * appended since the last request ({@link AppendCache}).
 */
import { parseJsonLines } from "../../../layout/py-json-parse.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";
import { AppendCache } from "./append-cache.ts";

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
export class JsonlCache<T> extends AppendCache<JsonlState<T>> {
  constructor(
    storage: StorageAdapter,
    private readonly maxFiles = 64,
    /** Called with new records (e.g. to re-sort); may return a replacement array. */
    private readonly onGrow?: (records: T[]) => T[],
  ) {
    super(storage);
  }

  protected fresh(): JsonlState<T> {
    return { records: [], bytes: 0, version: 0 };
  }

  /** Parses the whole lines appended since; a torn last line waits for the next read. */
  protected async extend(key: string, s: JsonlState<T>, size: number): Promise<JsonlState<T>> {
    const bytes = await this.storage.readRange(key, s.bytes, size);
    if (!bytes) return s;
    const end = bytes.lastIndexOf(NL) + 1;
    if (end === 0) return s;
    const { records } = parseJsonLines<T>(bytes.subarray(0, end));
    let all = s.records.concat(records);
    if (this.onGrow) all = this.onGrow(all);
    return { records: all, bytes: s.bytes + end, version: s.version + 1 };
  }

  protected evict(keep: string): void {
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxFiles) break;
      if (k !== keep && !e.pending) this.entries.delete(k);
    }
  }
}
