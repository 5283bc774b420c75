/**
 * The local backend: writes an experiment into a {@link StorageAdapter} in the `.dash` layout
 * of ML-Dash Python, so Python reads what we write and we read what Python wrote.
 */
import type { Backend, ExperimentInfo, OpenState, ParamsUpdate, RunStatus } from "../../model/backend.ts";
import { NotFoundError, storageError } from "../../errors.ts";
import { takeRunLease } from "./run-lease.ts";
import { nowIso } from "../../internal/clock.ts";
import type { PlainValue } from "../../model/values.ts";
import { paths } from "../../layout/paths.ts";
import { encodeDoc, encodeParameters, type ExperimentDoc } from "../../layout/records.ts";
import { encodeBatchBytes, encodeJob, type EncodeJob } from "./encode-batch.ts";
import { waitAtMost } from "../../internal/wait-at-most.ts";
import { appendEncoded, MAX_APPEND_BYTES } from "./append-encoded.ts";
import { EncodeAhead } from "./encode-ahead.ts";
import { folderState, type FolderState } from "./folder-state.ts";
import type { EncoderPool } from "./encoder-pool.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import type { Batch, StreamId, StreamInfo } from "../../model/batch.ts";
import { loadStreamState, refreshStreamState, updateMeta, type StreamState } from "./stream-state.ts";
import { paramsState, readJsonDoc } from "../../layout/json-doc.ts";

const encoder = new TextEncoder();

/** Writes one experiment folder of a local store. */
export class LocalBackend implements Backend {
  readonly role = "local" as const;
  private readonly folder: FolderState;
  private doc: ExperimentDoc | undefined;
  /** The run's lease, held from `open` to `close`. */
  private lease: { release(): Promise<void> } | undefined;
  /** Batches whose encoding `prepare` started, with the numbering it used. */
  private readonly prepared = new Map<Batch, { first: number; bytes: Promise<Uint8Array> | Uint8Array }>();

  constructor(
    readonly storage: StorageAdapter,
    /** The experiment folder, relative to the store root. */
    readonly dir: string,
    /** Counters to add written bytes to. */
    private readonly stats?: { bytes: number },
    /** Encodes big batches off the caller's thread (inline without it). */
    private readonly encoder?: EncoderPool,
    /** True while the buffer is filling up: the caller then encodes too when the workers are busy. */
    private readonly underPressure?: () => boolean,
  ) {
    this.folder = folderState(storage, dir);
  }

  async open(info: ExperimentInfo): Promise<OpenState> {
    this.lease ??= await takeRunLease(this.storage, this.dir, info.prefix.path);
    // The run starts: bring the encoder threads up while the folder opens, so its first batches
    // are encoded at full speed. Waited for at most WARM_UP_WAIT_MS (they keep warming after).
    const warm = this.encoder ? waitAtMost(this.encoder.warm(), WARM_UP_WAIT_MS) : undefined;
    const opened = await this.shared("experiment", () => this.openLocked(info));
    await warm;
    return opened;
  }

  /** The experiment's state as stored, read only: no byte of the folder changes. */
  async load(info: ExperimentInfo): Promise<OpenState> {
    const key = paths.experiment(this.dir);
    let doc: Record<string, PlainValue> | undefined;
    let params: Record<string, PlainValue> | undefined;
    try {
      [doc, params] = await Promise.all([this.readJson(key), this.readJson(paths.parameters(this.dir))]);
    } catch (err) {
      throw storageError("read", key, err);
    }
    if (!doc && !params && (await this.storage.list(this.dir)).length === 0) {
      throw new NotFoundError(`No run at "${info.prefix.path}" in ${this.storage.name} storage to open`);
    }
    return { ...paramsState(params), data: { ...(doc ?? {}) } };
  }

  private async openLocked(info: ExperimentInfo): Promise<OpenState> {
    const key = paths.experiment(this.dir);
    const now = nowIso();
    let doc: ExperimentDoc | undefined;
    try {
      const existing = await this.readJson(key);
      if (existing) {
        doc = existing as ExperimentDoc;
        if (info.description !== undefined) doc.description = info.description;
        if (info.tags !== undefined) doc.tags = [...info.tags];
        if (info.bindrs !== undefined) doc.bindrs = [...info.bindrs];
        doc.prefix = info.prefix.path;
        if (info.metadata !== undefined) doc.metadata = info.metadata;
        doc.updated_at = now;
      } else {
        doc = {
          name: info.prefix.name,
          project: info.prefix.project ?? null,
          description: info.description ?? null,
          tags: [...(info.tags ?? [])],
          bindrs: [...(info.bindrs ?? [])],
          prefix: info.prefix.path,
          metadata: info.metadata ?? null,
          created_at: now,
          write_protected: false,
        };
      }
      doc.status = "RUNNING";
      await this.storage.write(key, encoder.encode(encodeDoc(doc)));
      this.doc = doc;
      // Exact: the params are rewritten around each changed key, and the others keep their text.
      const params = (await readJsonDoc(this.storage, paths.parameters(this.dir), true)) as Record<string, PlainValue> | undefined;
      return { ...paramsState(params), data: { ...doc } };
    } catch (err) {
      throw storageError("open", key, err);
    }
  }

  async cursor(stream: StreamId, info?: StreamInfo): Promise<number> {
    // Loading repairs a torn last line: with other writers that must not happen while one of
    // them is appending, so it is done under the stream's lock.
    return (await this.shared(stream.key, () => this.state(stream, info))).next;
  }

  /**
   * Where `stream` ends as stored, for a reader: nothing is cached, created or repaired (a torn
   * last line may be another process's append in progress; it is ignored, not cut). A stream
   * this backend writes answers from its state.
   */
  async position(stream: StreamId): Promise<number> {
    const mine = this.folder.loaded.get(stream.key);
    if (mine) return mine.next;
    try {
      return (await loadStreamState(this.storage, this.dir, stream, undefined, false)).next;
    } catch (err) {
      throw storageError("read", paths.experiment(this.dir), err);
    }
  }

  /**
   * Starts encoding freshly sealed batches on the encoder threads. Where other writers may share
   * the folder (IndexedDB, OPFS), `write` may still renumber a batch (another writer appended in
   * between, which is rare); it then encodes it again, as prepared bytes must match the numbering.
   */
  prepare(_stream: StreamId, batches: readonly Batch[]): void {
    const pool = this.encoder;
    if (!pool) return;
    const now = nowIso();
    const pressure = this.underPressure?.() ?? false;
    for (const b of batches) {
      const job = encodeJob(b, now);
      if (this.prepared.size < MAX_PREPARED) {
        const entry: { first: number; bytes: Promise<Uint8Array> | Uint8Array } = { first: b.first, bytes: pool.encode(job, b.count, pressure, 1) };
        // Once encoded, the bytes themselves, for `writeSync` (which cannot wait for a promise).
        if (entry.bytes instanceof Promise) void entry.bytes.then((bytes) => (entry.bytes = bytes));
        this.prepared.set(b, entry);
      }
      // The encoders are MAX_PREPARED batches behind. Under pressure the caller encodes the
      // batch itself: that is the backpressure that slows a loop logging faster than the
      // encoders keep up (without it, 10M points dropped half of them). Otherwise the write
      // cycle encodes the rest when it gets to them.
      else if (pressure) this.prepared.set(b, { first: b.first, bytes: this.encodeNow(job) });
      else return;
    }
  }

  /**
   * Stores `batches` (the sealed, unacknowledged batches of `stream`, in order) before returning,
   * when the adapter appends synchronously (`appendSync`) and this process has the folder's
   * numbering to itself. Returns how many of them, from the first, are now stored (0 when it
   * cannot). The buffer calls it from `log()` once it passes its bound: the producer then pays
   * for encoding and appending, so it slows to storage's pace and memory stays bounded, and
   * nothing is dropped.
   *
   * Order holds because `writeLocked` also appends synchronously whenever the adapter can: no
   * append of ours is then in flight, and batches already stored (by either path) are skipped
   * (`written`). Encoding already started on a worker is done again here; its result is unused.
   * Metadata is written by the next write cycle (`state.dirty`).
   */
  writeSync(stream: StreamId, batches: readonly Batch[]): number {
    const { storage } = this;
    const state = this.folder.loaded.get(stream.key);
    if (!storage.appendSync || storage.capabilities.sharedWriters || !state) return 0;
    const { written } = this.folder;
    const now = nowIso();
    const done: Batch[] = [];
    let held = 0;
    try {
      for (const b of batches) {
        if (!written.has(b)) {
          if (b.first !== state.next) break; // numbered for another position: left to `write`
          const pre = this.prepared.get(b);
          const bytes = pre && pre.first === b.first && pre.bytes instanceof Uint8Array ? pre.bytes : this.encodeNow(encodeJob(b, now));
          if (!storage.appendSync(state.dataKey, bytes)) break;
          this.prepared.delete(b);
          this.appended(state, [b], bytes.length);
          this.encoder?.recycle(bytes); // last use: the array may be detached from here on
          done.push(b);
        }
        held++;
      }
    } catch (err) {
      throw storageError("append", state.dataKey, err);
    } finally {
      updateMeta(stream, state, done, now);
    }
    return held;
  }

  write(stream: StreamId, batches: readonly Batch[]): Promise<void> {
    return this.folder.mutex.run(stream.key, () => this.shared(stream.key, () => this.writeLocked(stream, batches)));
  }

  async writeParams(update: ParamsUpdate): Promise<void> {
    const key = paths.parameters(this.dir);
    const now = nowIso();
    try {
      await this.shared("params", async () => {
        let { version, data } = update;
        if (this.storage.capabilities.sharedWriters) {
          // Another tab or worker may have set params since we loaded them: merge our changed
          // keys into what is stored instead of replacing it with our view.
          const stored = await this.readJson(key);
          const storedData = stored?.["data"];
          if (storedData !== null && typeof storedData === "object" && !Array.isArray(storedData)) {
            data = { ...(storedData as Record<string, PlainValue>), ...update.changed };
          }
          const storedVersion = stored?.["version"];
          if (typeof storedVersion === "number") version = Math.max(version, storedVersion + 1);
        }
        await this.storage.write(key, encoder.encode(encodeParameters(version, data, update.createdAt ?? update.updatedAt ?? now, update.updatedAt ?? now)));
      });
    } catch (err) {
      throw storageError("write", key, err);
    }
  }

  async setStatus(status: RunStatus): Promise<void> {
    const key = paths.experiment(this.dir);
    try {
      await this.shared("experiment", async () => {
        const doc = (await this.readJson(key)) ?? this.doc;
        if (!doc) return;
        doc["status"] = status;
        doc["updated_at"] = nowIso();
        await this.storage.write(key, encoder.encode(encodeDoc(doc)));
      });
    } catch (err) {
      throw storageError("write", key, err);
    }
  }

  /**
   * Runs a read-modify-write of this folder under the adapter's lock `name` when other tabs,
   * workers or processes may write the same folder (`capabilities.sharedWriters`).
   */
  private shared<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const { storage } = this;
    return storage.capabilities.sharedWriters && storage.lock ? storage.lock(`${this.dir}#${name}`, fn) : fn();
  }

  async sync(): Promise<void> {
    await this.storage.sync?.();
  }

  async close(): Promise<void> {
    // The adapter belongs to whoever passed it in; only the run's lease is ours to release.
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  private state(stream: StreamId, info?: StreamInfo): Promise<StreamState> {
    let p = this.folder.streams.get(stream.key);
    if (!p) {
      const { folder } = this;
      p = loadStreamState(this.storage, this.dir, stream, info);
      folder.streams.set(stream.key, p);
      p.then(
        (st) => {
          if (folder.streams.get(stream.key) === p) folder.loaded.set(stream.key, st);
        },
        () => folder.streams.delete(stream.key),
      );
    }
    return p;
  }

  private async writeLocked(stream: StreamId, batches: readonly Batch[]): Promise<void> {
    const shared = this.storage.capabilities.sharedWriters;
    let state: StreamState;
    try {
      state = await this.state(stream, batches[0]?.info);
      if (shared) {
        state = await refreshStreamState(this.storage, this.dir, stream, state, batches[0]?.info);
        this.folder.streams.set(stream.key, Promise.resolve(state));
      }
    } catch (err) {
      this.folder.streams.delete(stream.key);
      this.folder.loaded.delete(stream.key);
      throw storageError("read", paths.experiment(this.dir), err);
    }
    const { written } = this.folder;
    const todo = batches.filter((b) => !written.has(b));
    if (todo.length > 0) {
      const now = nowIso();
      // Number the batches from the stream's cursor (renumbering when another writer advanced it).
      let next = state.next;
      for (const b of todo) {
        b.first = next;
        next += b.count;
      }
      // Encode ahead (on encoder workers when available) while appending in order.
      const ahead = new EncodeAhead(
        todo,
        (b) => {
          const pre = this.prepared.get(b);
          this.prepared.delete(b);
          if (pre && pre.first === b.first) return pre.bytes;
          const job = encodeJob(b, now);
          return this.encoder ? this.encoder.encode(job, b.count, this.underPressure?.() ?? false) : encodeBatchBytes(job);
        },
        ENCODE_AHEAD,
      );
      try {
        ahead.fill();
        for (let i = 0; i < todo.length; i++) {
          const b = todo[i] as Batch;
          const bytes = await ahead.take();
          // `writeSync` (a producer past the buffer's bound) may have stored it while we waited.
          if (written.has(b)) {
            this.encoder?.recycle(bytes);
            ahead.fill();
            continue;
          }
          // Appended synchronously where the adapter can: no append is then ever in flight, so
          // `writeSync` can always append after it, in order (see there).
          if (this.storage.appendSync?.(state.dataKey, bytes)) {
            this.appended(state, [b], bytes.length);
            this.encoder?.recycle(bytes); // the adapter kept no reference; the array may be detached from here on
            ahead.fill();
            continue;
          }
          // Asynchronous stores (IndexedDB, OPFS) pay per call (a transaction, a worker round
          // trip): the following batches whose bytes are already here go in the same append.
          const group = [b];
          const parts = [bytes];
          let size = bytes.length;
          for (let more: Uint8Array | undefined; i + 1 < todo.length && size < MAX_APPEND_BYTES && !written.has(todo[i + 1] as Batch) && (more = ahead.takeReady()); ) {
            group.push(todo[++i] as Batch);
            parts.push(more);
            size += more.length;
          }
          const appended = appendEncoded(this.storage, state.dataKey, parts);
          ahead.fill();
          await appended;
          this.appended(state, group, size);
        }
      } catch (err) {
        // Cut a partial append so the next attempt starts on a clean line.
        await this.storage.truncate?.(state.dataKey, state.size).catch(() => undefined);
        updateMeta(stream, state, todo.filter((x) => written.has(x)), now);
        throw storageError("append", state.dataKey, err);
      }
      updateMeta(stream, state, todo, now);
    }
    if (state.dirty) {
      const doc = stream.kind === "log" ? String(state.next) : encodeDoc(state.meta as object);
      // Cleared before the write: `writeSync` may advance the stream (and set it) meanwhile.
      state.dirty = false;
      try {
        await this.storage.write(state.metaKey, encoder.encode(doc));
      } catch (err) {
        state.dirty = true;
        throw storageError("write", state.metaKey, err);
      }
    }
  }

  /** `job`'s bytes, encoded on this thread (into a spare array of the encoder pool when it has one). */
  private encodeNow = (job: EncodeJob): Uint8Array => (this.encoder ? this.encoder.encodeHere(job) : encodeBatchBytes(job));

  /** `batches` (in order, `bytes` long together) are now stored. */
  private appended(state: StreamState, batches: readonly Batch[], bytes: number): void {
    state.size += bytes;
    if (this.stats) this.stats.bytes += bytes;
    const last = batches[batches.length - 1] as Batch;
    state.next = last.first + last.count;
    state.dirty = true;
    for (const b of batches) this.folder.written.add(b);
  }

  private async readJson(key: string): Promise<Record<string, PlainValue> | undefined> {
    return readJsonDoc(this.storage, key); // a corrupt document is rewritten from scratch, as Python does
  }
}

/** Longest `open()` waits for the encoder threads to be ready (thread start takes 10-60 ms). */
const WARM_UP_WAIT_MS = 150;

/** Most batches encoded ahead by `prepare` and not yet written (their bytes wait in memory). */
const MAX_PREPARED = 4;

/** Batches encoded ahead of the one being appended. */
const ENCODE_AHEAD = 4;
