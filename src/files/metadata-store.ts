/**
 * `files/.files_metadata.json`: `{"files": [record, ...]}` in Python's `json.dump` format.
 *
 * Python re-reads, re-parses and rewrites the whole document on every save, which is O(n) per
 * file and O(n²) for a run that keeps many files. Here the records live in memory per folder
 * (shared by every experiment object on the same adapter), each kept with its encoded text, so
 * a change re-encodes one record and the file is written by joining cached strings. Changes
 * that arrive while a write is in flight are committed together by the next write (group
 * commit), and every caller resolves only once a write containing its change is stored. The
 * file is still replaced atomically and stays exactly what Python reads. A stat before each
 * batch notices another writer (a Python process, another adapter on the same folder) and
 * reloads.
 */
import { storageError } from "../errors.ts";
import type { PlainObject } from "../internal/values.ts";
import { parsePyJson } from "../layout/py-json-parse.ts";
import { pyObject } from "../layout/py-json.ts";
import type { StorageAdapter, StorageStat } from "../storage/contract.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The records of one folder, editable inside {@link FilesMetadata.change}. */
export class FileRecords {
  /** @internal */ readonly list: PlainObject[];
  /** @internal */ readonly text: string[];

  constructor(list: PlainObject[]) {
    this.list = list;
    this.text = list.map((r) => pyObject(r));
  }

  /** Every record, in stored order (do not modify: use `set` / `push`). */
  get all(): readonly PlainObject[] {
    return this.list;
  }

  /** Replaces record `i`. */
  set(i: number, record: PlainObject): void {
    this.list[i] = record;
    this.text[i] = pyObject(record);
  }

  /** Appends a record. */
  push(record: PlainObject): void {
    this.list.push(record);
    this.text.push(pyObject(record));
  }

  /** The document as Python writes it: `json.dump({"files": [...]}, f)`. */
  encode(): Uint8Array {
    return encoder.encode('{"files": [' + this.text.join(", ") + "]}");
  }
}

interface Pending {
  readonly fn: (records: FileRecords) => unknown;
  readonly write: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** The metadata document of one `files/` folder. */
export class FilesMetadata {
  private records: FileRecords | undefined;
  private seen: StorageStat | null = null;
  private readonly queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly storage: StorageAdapter,
    /** The key of `.files_metadata.json`. */
    readonly key: string,
  ) {}

  /** Reads the records (fresh from the store when someone else changed them). */
  read<T>(fn: (records: FileRecords) => T): Promise<T> {
    return this.enqueue(fn, false);
  }

  /**
   * Applies `fn` and stores the result. `fn` must validate before it changes anything: when it
   * throws, its change is not applied and the caller gets the error.
   */
  change<T>(fn: (records: FileRecords) => T): Promise<T> {
    return this.enqueue(fn, true);
  }

  private enqueue<T>(fn: (records: FileRecords) => T, write: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, write, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        let records: FileRecords;
        try {
          records = await this.fresh();
        } catch (err) {
          for (const p of batch) p.reject(err);
          continue;
        }
        const results: { ok: boolean; value: unknown }[] = [];
        let dirty = false;
        for (const p of batch) {
          try {
            results.push({ ok: true, value: p.fn(records) });
            dirty ||= p.write;
          } catch (err) {
            results.push({ ok: false, value: err });
          }
        }
        if (dirty) {
          try {
            await this.storage.write(this.key, records.encode());
            this.seen = await this.storage.stat(this.key);
          } catch (err) {
            // What is in memory was not stored: drop it so the next caller sees the store's truth.
            this.records = undefined;
            const e = storageError("write", this.key, err);
            batch.forEach((p, i) => (results[i]?.ok ? p.reject(e) : p.reject(results[i]?.value)));
            continue;
          }
        }
        batch.forEach((p, i) => {
          const r = results[i] as { ok: boolean; value: unknown };
          if (r.ok) p.resolve(r.value);
          else p.reject(r.value);
        });
      }
    } finally {
      this.running = false;
    }
  }

  /** The records in memory, (re)loaded when the file changed since we last read or wrote it. */
  private async fresh(): Promise<FileRecords> {
    const st = await this.storage.stat(this.key);
    if (this.records && sameStat(st, this.seen)) return this.records;
    this.records = new FileRecords(st === null ? [] : await this.load());
    this.seen = st;
    return this.records;
  }

  /** Python's rule: a missing or corrupt document is `{"files": []}`. */
  private async load(): Promise<PlainObject[]> {
    const bytes = await this.storage.read(this.key);
    if (bytes === null) return [];
    try {
      const doc = parsePyJson(decoder.decode(bytes)) as { files?: unknown };
      const files = doc?.files;
      return Array.isArray(files) ? files.filter((f): f is PlainObject => f !== null && typeof f === "object" && !Array.isArray(f)) : [];
    } catch {
      return [];
    }
  }
}

function sameStat(a: StorageStat | null, b: StorageStat | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
