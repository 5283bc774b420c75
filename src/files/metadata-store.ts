/**
 * `files/.files_metadata.json`: `{"files": [record, ...]}` in Python's `json.dump` format.
 *
 * Python re-reads, re-parses and rewrites the whole document on every save, which is O(n) per
 * file and O(n²) for a run that keeps many files. Here the records live in memory per folder
 * (shared by every experiment object on the same adapter), each kept with its encoded text:
 *
 * - A new file (the common case) is added in place: the closing `]}` is cut off and
 *   `, {record}]}` appended (where the adapter can truncate), so a save costs the same with
 *   ten files or ten thousand. Python's own writer truncates the whole file and rewrites it, so
 *   this leaves a much shorter window in which a crash tears the document; the loader repairs
 *   such a tail (see `parseTolerant`).
 * - Anything else (overwrite, update, delete, the first record, a repaired document) replaces
 *   the file atomically, written by joining the cached strings.
 * - Changes that arrive while a write is in flight are committed together by the next write
 *   (group commit); every caller resolves only once a write holding its change is stored.
 *
 * A stat before each batch notices another writer (a Python process, another adapter on the
 * same folder) and reloads.
 */
import { storageError } from "../errors.ts";
import type { PlainObject } from "../model/values.ts";
import { parsePyJson } from "../layout/py-json-parse.ts";
import { pyObject } from "../layout/py-json.ts";
import type { StorageAdapter, StorageStat } from "../storage/contract.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The records of one folder, editable inside {@link FilesMetadata.change}. */
export class FileRecords {
  /** @internal */ readonly list: PlainObject[];
  /** @internal */ readonly text: string[];
  /** @internal Index of the first record pushed in this batch, if only pushes happened. */
  appendFrom: number | undefined;
  /** @internal A record was replaced in this batch (the file must be rewritten). */
  replaced = false;

  /** Index of each id, and of each live (not deleted) `path` + `filename`: lookups stay O(1) as a run grows. */
  private readonly byId = new Map<string, number>();
  private readonly byName = new Map<string, number>();

  constructor(list: PlainObject[]) {
    this.list = list;
    this.text = list.map((r) => pyObject(r));
    list.forEach((r, i) => this.index(r, i));
  }

  /** Position of the record with this id, or -1. */
  indexOfId(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  /** Position of the live record at `path` + `filename` (Python's overwrite match), or -1. */
  indexOfLive(path: string, filename: string): number {
    return this.byName.get(path + "\u0000" + filename) ?? -1;
  }

  private index(r: PlainObject, i: number): void {
    if (typeof r["id"] === "string") this.byId.set(r["id"], i);
    const name = String(r["path"]) + "\u0000" + String(r["filename"]);
    if (r["deletedAt"] == null) {
      if (!this.byName.has(name)) this.byName.set(name, i); // the first live match wins, as in Python
    } else if (this.byName.get(name) === i) this.byName.delete(name);
  }

  /** Every record, in stored order (do not modify: use `set` / `push`). */
  get all(): readonly PlainObject[] {
    return this.list;
  }

  /** Replaces record `i`. */
  set(i: number, record: PlainObject): void {
    const old = this.list[i] as PlainObject;
    if (old["id"] !== record["id"] && this.byId.get(String(old["id"])) === i) this.byId.delete(String(old["id"]));
    const oldName = String(old["path"]) + "\u0000" + String(old["filename"]);
    if (this.byName.get(oldName) === i) this.byName.delete(oldName);
    this.list[i] = record;
    this.index(record, i);
    this.text[i] = pyObject(record);
    this.replaced = true;
  }

  /** Appends a record. */
  push(record: PlainObject): void {
    this.appendFrom ??= this.list.length;
    this.index(record, this.list.length);
    this.list.push(record);
    this.text.push(pyObject(record));
  }

  /** @internal Starts a batch. */
  begin(): void {
    this.appendFrom = undefined;
    this.replaced = false;
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
  /** The stored document is exactly what we hold and ends with `]}`: new records may be added in place. */
  private clean = false;
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
        const { storage } = this;
        // Writers in other tabs or workers: hold the adapter's lock from the freshness check to the write.
        if (storage.capabilities.sharedWriters && storage.lock) await storage.lock(this.key, () => this.runBatch(batch));
        else await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  /** Applies a batch to fresh records, stores it once, and settles every caller. Never throws. */
  private async runBatch(batch: Pending[]): Promise<void> {
    let records: FileRecords;
    try {
      records = await this.fresh();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const results: { ok: boolean; value: unknown }[] = [];
    let dirty = false;
    records.begin();
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
        await this.store(records);
        this.seen = await this.storage.stat(this.key);
      } catch (err) {
        // What is in memory was not stored: drop it so the next caller sees the store's truth.
        this.records = undefined;
        this.clean = false;
        const e = storageError("write", this.key, err);
        batch.forEach((p, i) => (results[i]?.ok ? p.reject(e) : p.reject(results[i]?.value)));
        return;
      }
    }
    batch.forEach((p, i) => {
      const r = results[i] as { ok: boolean; value: unknown };
      if (r.ok) p.resolve(r.value);
      else p.reject(r.value);
    });
  }

  /** Writes a batch: new records in place when possible, else the whole document atomically. */
  private async store(records: FileRecords): Promise<void> {
    const from = records.appendFrom;
    const size = this.seen?.size;
    const { storage } = this;
    if (this.clean && !records.replaced && from !== undefined && from > 0 && size !== undefined && size > 2 && storage.truncate) {
      const tail = encoder.encode(", " + records.text.slice(from).join(", ") + "]}");
      try {
        await storage.truncate(this.key, size - 2);
        await storage.append(this.key, tail);
      } catch (err) {
        // Put back the document as it was before this batch rather than leave it cut.
        const before = encoder.encode('{"files": [' + records.text.slice(0, from).join(", ") + "]}");
        await storage.write(this.key, before).catch(() => undefined);
        throw err;
      }
      return;
    }
    this.clean = false;
    await storage.write(this.key, records.encode());
    this.clean = true;
  }

  /** The records in memory, (re)loaded when the file changed since we last read or wrote it. */
  private async fresh(): Promise<FileRecords> {
    const st = await this.storage.stat(this.key);
    if (this.records && sameStat(st, this.seen)) return this.records;
    const bytes = st === null ? null : await this.storage.read(this.key);
    const { files, clean } = bytes === null ? { files: [], clean: false } : parseTolerant(decoder.decode(bytes));
    this.records = new FileRecords(files);
    this.clean = clean && bytes !== null && bytes.length === st?.size;
    this.seen = st;
    return this.records;
  }
}

function onlyFilesKey(text: string): boolean {
  try {
    const doc = parsePyJson(text);
    return doc !== null && typeof doc === "object" && Object.keys(doc).length === 1;
  } catch {
    return false;
  }
}

function recordsOf(doc: unknown): PlainObject[] | undefined {
  const files = (doc as { files?: unknown } | null)?.files;
  return Array.isArray(files) ? files.filter((f): f is PlainObject => f !== null && typeof f === "object" && !Array.isArray(f)) : undefined;
}

/**
 * Python's rule is that a missing or corrupt document is `{"files": []}`. Before giving up we
 * repair the tails an interrupted in-place add can leave: a cut `]}`, or a half-written last
 * record (cut back to the last whole one). `clean` is true when the text parsed as it is.
 */
export function parseTolerant(text: string): { files: PlainObject[]; clean: boolean } {
  const attempt = (t: string): PlainObject[] | undefined => {
    try {
      return recordsOf(parsePyJson(t));
    } catch {
      return undefined;
    }
  };
  const whole = attempt(text);
  // In-place adds cut the last two bytes: only when they close the "files" array of a document
  // that holds nothing else.
  if (whole) return { files: whole, clean: text.startsWith('{"files": [') && text.endsWith("]}") && onlyFilesKey(text) };
  if (!text.startsWith('{"files": [')) return { files: [], clean: false };
  const closed = attempt(text + "]}");
  if (closed) return { files: closed, clean: false };
  const cut = text.lastIndexOf(', {"id": ');
  const upTo = cut > 0 ? attempt(text.slice(0, cut) + "]}") : undefined;
  return { files: upTo ?? [], clean: false };
}

function sameStat(a: StorageStat | null, b: StorageStat | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
