/**
 * The local backend: writes an experiment into a {@link StorageAdapter} in the `.dash` layout
 * of ML-Dash Python, so Python reads what we write and we read what Python wrote.
 */
import type { Backend, ExperimentInfo, OpenState, ParamsUpdate, RunStatus } from "../../model/backend.ts";
import { storageError } from "../../errors.ts";
import { nowIso } from "../../internal/clock.ts";
import { NamedMutex } from "../../internal/mutex.ts";
import type { PlainValue } from "../../model/values.ts";
import { paths } from "../../layout/paths.ts";
import { encodeDoc, encodeParameters, type ExperimentDoc, type TrackMetaDoc } from "../../layout/records.ts";
import { encodeBatchBytes, type EncodeJob } from "./encode-batch.ts";
import { waitAtMost } from "../../internal/wait-at-most.ts";
import type { EncoderPool } from "./encoder-pool.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import type { Batch, StreamId, StreamInfo, TrackEntry } from "../../model/batch.ts";
import { loadStreamState, refreshStreamState, type StreamState } from "./stream-state.ts";
import { readJsonDoc } from "../../layout/json-doc.ts";

const encoder = new TextEncoder();

/**
 * State shared by every writer of one folder in this process (two `Experiment`s with the same
 * prefix on the same adapter), so their numbering stays consistent without re-reading files.
 */
class FolderState {
  readonly streams = new Map<string, Promise<StreamState>>();
  readonly mutex = new NamedMutex();
  readonly written = new WeakSet<Batch>();
}

const folders = new WeakMap<StorageAdapter, Map<string, FolderState>>();

function folderState(storage: StorageAdapter, dir: string): FolderState {
  let byDir = folders.get(storage);
  if (!byDir) folders.set(storage, (byDir = new Map()));
  let st = byDir.get(dir);
  if (!st) byDir.set(dir, (st = new FolderState()));
  return st;
}

/** Writes one experiment folder of a local store. */
export class LocalBackend implements Backend {
  readonly role = "local" as const;
  private readonly folder: FolderState;
  private doc: ExperimentDoc | undefined;
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
    // The run starts: bring the encoder threads up while the folder opens, so its first batches
    // are encoded at full speed. Waited for at most WARM_UP_WAIT_MS (they keep warming after).
    const warm = this.encoder ? waitAtMost(this.encoder.warm(), WARM_UP_WAIT_MS) : undefined;
    const opened = await this.shared("experiment", () => this.openLocked(info));
    await warm;
    return opened;
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
      const params = await readJsonDoc(this.storage, paths.parameters(this.dir), true);
      const data = params?.["data"];
      const flat = data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, PlainValue>) : {};
      const version = typeof params?.["version"] === "number" ? (params["version"] as number) : 0;
      return { params: flat, paramsVersion: version, data: { ...doc } };
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
   * Starts encoding freshly sealed batches on the encoder threads (when this store has its
   * numbering to itself: with other writers, `write` may renumber them, so they wait).
   */
  prepare(_stream: StreamId, batches: readonly Batch[]): void {
    const pool = this.encoder;
    if (!pool || this.storage.capabilities.sharedWriters) return;
    const now = nowIso();
    const pressure = this.underPressure?.() ?? false;
    for (const b of batches) {
      const job = encodeJob(b, now);
      if (this.prepared.size < MAX_PREPARED) this.prepared.set(b, { first: b.first, bytes: pool.encode(job, b.count, pressure, 1) });
      // The encoders are MAX_PREPARED batches behind. Under pressure the caller encodes the
      // batch itself: that is the backpressure that slows a loop logging faster than the
      // encoders keep up (without it, 10M points dropped half of them). Otherwise the write
      // cycle encodes the rest when it gets to them.
      else if (pressure) this.prepared.set(b, { first: b.first, bytes: encodeBatchBytes(job) });
      else return;
    }
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
    // The adapter belongs to whoever passed it in; nothing to release per experiment.
  }

  private state(stream: StreamId, info?: StreamInfo): Promise<StreamState> {
    let p = this.folder.streams.get(stream.key);
    if (!p) {
      p = loadStreamState(this.storage, this.dir, stream, info);
      this.folder.streams.set(stream.key, p);
      p.catch(() => this.folder.streams.delete(stream.key));
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
      // Encode ahead (on encoder workers when available) while appending in order: the write of
      // batch i overlaps the encoding of the next ones. A batch is marked written once appended.
      const ahead: (Promise<Uint8Array> | Uint8Array)[] = [];
      let k = 0;
      const fill = (): void => {
        while (k < todo.length && ahead.length < ENCODE_AHEAD) {
          const b = todo[k++] as Batch;
          const pre = this.prepared.get(b);
          this.prepared.delete(b);
          if (pre && pre.first === b.first) ahead.push(pre.bytes);
          else {
            const job = encodeJob(b, now);
            ahead.push(this.encoder ? this.encoder.encode(job, b.count, this.underPressure?.() ?? false) : encodeBatchBytes(job));
          }
        }
      };
      try {
        fill();
        for (const b of todo) {
          const bytes = await (ahead.shift() as Promise<Uint8Array> | Uint8Array);
          const appended = this.storage.append(state.dataKey, bytes);
          fill();
          await appended;
          state.size += bytes.length;
          if (this.stats) this.stats.bytes += bytes.length;
          state.next = b.first + b.count;
          state.dirty = true;
          written.add(b);
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
      try {
        await this.storage.write(state.metaKey, encoder.encode(doc));
      } catch (err) {
        throw storageError("write", state.metaKey, err);
      }
      state.dirty = false;
    }
  }

  private async readJson(key: string): Promise<Record<string, PlainValue> | undefined> {
    return readJsonDoc(this.storage, key); // a corrupt document is rewritten from scratch, as Python does
  }

}

/** Longest `open()` waits for the encoder threads to be ready (thread start takes 10-60 ms). */
const WARM_UP_WAIT_MS = 150;

/** What an encoder needs for batch `b` as it is numbered now. */
function encodeJob(b: Batch, createdAt: string): EncodeJob {
  return b.createdAt ? { data: b.data, first: b.first, createdAt, created: b.createdAt } : { data: b.data, first: b.first, createdAt };
}

/** Most batches encoded ahead by `prepare` and not yet written (their bytes wait in memory). */
const MAX_PREPARED = 4;

/** Batches encoded ahead of the one being appended. */
const ENCODE_AHEAD = 4;

function updateMeta(stream: StreamId, state: StreamState, batches: readonly Batch[], now: string): void {
  // A copy of a stream from its start keeps the original's creation time (`stats().firstDataAt`).
  const kept = batches[0]?.first === 0 ? batches[0].createdAt?.[0]?.[1] : undefined;
  if (kept !== undefined && state.meta) (state.meta as { createdAt: string }).createdAt = kept;
  if (stream.kind === "metric") {
    const meta = state.meta as { totalDataPoints: number; nextIndex: number; updatedAt: string };
    meta.totalDataPoints = Math.max(meta.totalDataPoints, state.next);
    meta.nextIndex = state.next;
    meta.updatedAt = now;
  } else if (stream.kind === "track") {
    const meta = state.meta as TrackMetaDoc;
    const cols = new Set(meta.columns);
    let lo = meta.firstTimestamp;
    let hi = meta.lastTimestamp;
    for (const b of batches) {
      if (b.data.kind !== "track") continue;
      for (const e of b.data.records as readonly TrackEntry[]) {
        for (const k in e.data) cols.add(k);
        if (lo === null || e.timestamp < lo) lo = e.timestamp;
        if (hi === null || e.timestamp > hi) hi = e.timestamp;
      }
    }
    if (cols.size !== meta.columns.length) meta.columns = [...cols].sort();
    meta.totalEntries = state.next;
    meta.firstTimestamp = lo;
    meta.lastTimestamp = hi;
  }
}
