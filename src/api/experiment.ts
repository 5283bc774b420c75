/**
 * `Experiment`: one run's logs, params, metrics and tracks, keyed by a prefix
 * `owner/project/path.../name`, written to a local `.dash` store, an ML-Dash server, or both.
 */
import type { Backend, Reader, RunStatus } from "../model/backend.ts";
import type { Host, RunContext } from "./host.ts";
import { MlDashError, notWritable, ValidationError } from "../errors.ts";
import { createFiles, type Files } from "./files/accessor.ts";
import type { FileStore } from "../files/types.ts";
import { isPlainObject } from "../model/values.ts";
import { logCall, Logs, type LogOptions } from "./logs.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import { resolveDestinations, type Destinations, type Mode } from "./modes.ts";
import { validateOptions, type ExperimentOptions } from "./options.ts";
import { Params } from "./params.ts";
import type { Assembly, UnloadResult } from "../replicate/assemble.ts";
import type { LifecycleOwner, RunLifecycle } from "./lifecycle.ts";
import { createRunHandle, type RunHandle } from "./run-handle.ts";
import { resolveRun } from "../run-config/resolve.ts";
import { RunPrefix } from "./run-prefix.ts";
import type { RunConfig } from "../run-config/run.ts";
import { coreRuntime, type RuntimeHooks } from "../model/runtime-hooks.ts";
import { newStats, type ExperimentStats } from "../model/stats.ts";
import { createTracks, type Tracks } from "./tracks/tracks.ts";

/** Puts a run's backends together (`src/replicate/assemble.ts`): loaded with the first start or files call. */
const assembly = (): Promise<typeof import("../replicate/assemble.ts")> => import("../replicate/assemble.ts");

/** Run status: PENDING before the first start, then what the lifecycle records. */
export type ExperimentStatus = "PENDING" | RunStatus;

/**
 * One experiment run.
 *
 * @example
 * ```ts
 * const exp = new Experiment("alice/mnist/baseline/run-1", { tags: ["cnn"] });
 * await exp.run(async (exp) => {
 *   exp.params.set({ lr: 1e-3 });
 *   for (let step = 0; step < 100; step++) exp.metrics("train").log({ loss: 1 / (step + 1), step });
 * });
 * ```
 */
export class Experiment implements Host {
  /** The runtime services of this entry point; runtime entries override it in a subclass. */
  static runtime: RuntimeHooks = coreRuntime;

  /** This experiment's copy of `RUN`, templates expanded: user, entry, pathStem, jobCounter, id, now, … */
  readonly runConfig: Readonly<RunConfig>;
  /** `local`, `hybrid` (store + server) or `remote`. */
  readonly mode: Mode;
  /** The server's experiment id (remote and hybrid modes, after start). */
  id: string | undefined;
  /** The experiment record: the local experiment.json, or the server's create response. */
  data: Record<string, unknown> | undefined;
  /** PENDING, RUNNING, COMPLETED, FAILED or CANCELLED. */
  status: ExperimentStatus = "PENDING";

  /** The lifecycle: `await exp.run(fn)`, or `start()` / `complete()` / `fail()` / `cancel()`. */
  readonly run: RunHandle<this>;
  /** The run's parameters. */
  readonly params: Params;
  /** Log lines by level: `exp.logs.info(msg, meta)`. */
  readonly logs: Logs;
  /** Metrics: `exp.metrics("train").log({...})`, `exp.metrics.log({...})`, `exp.metrics.buffer`. */
  readonly metrics: Metrics;
  /** Tracks: `exp.tracks("robot/pose").append({...})`. */
  readonly tracks: Tracks;
  /** Files: `await exp.files("models").save(bytes, { to: "model.bin" })`, `exp.files.list("*.png")`. */
  readonly files: Files;

  /** @internal */ _ctx: RunContext | undefined;
  protected readonly options: ExperimentOptions;
  protected readonly destinations: Destinations;
  protected readonly runtime: RuntimeHooks;
  private readonly prefixState: RunPrefix;
  private readonly counters: ExperimentStats = newStats();
  private readonly warned = new Set<string>();
  /**
   * Start, end, and the exit drain (lifecycle.ts), loaded with the first `start()`: a page that
   * never starts a run does not download it. Before that, no run is open.
   */
  private lifecycle: RunLifecycle | undefined;
  private lifecycleLoad: Promise<RunLifecycle> | undefined;
  private readonly lifecycleOwner: LifecycleOwner;
  /** The current run's backends (set at its start): its file store and unload hook with a server. */
  private assembly: Assembly | undefined;

  /**
   * @param prefixOrOptions The prefix (`owner/project/path.../name`), or all options.
   * @param options Options (when the prefix is the first argument).
   */
  constructor(prefixOrOptions?: string | ExperimentOptions, options?: ExperimentOptions) {
    const runtime = (new.target as typeof Experiment).runtime;
    const opts = validateOptions(
      typeof prefixOrOptions === "string" ? { ...options, prefix: prefixOrOptions } : (prefixOrOptions ?? options ?? {}),
    );
    // No prefix (or ""): run.prefix, RUN.prefix, ML_DASH_PREFIX, DASH_PREFIX, then RUN's default template.
    const resolved = resolveRun(opts.prefix || undefined, opts.run, runtime);
    this.runConfig = resolved.config;
    this.prefixState = new RunPrefix(resolved.config, resolved);
    this.runtime = runtime;
    this.options = opts;
    this.destinations = resolveDestinations(opts, runtime);
    this.mode = this.destinations.mode;
    this.id = undefined;
    this.data = undefined;
    this.lifecycleOwner = {
      mode: this.mode,
      runtime,
      options: opts,
      stats: this.counters,
      prefix: () => this.prefixState.current(),
      createBackends: () => this.createBackends(),
      report: (e) => this._report(e),
      flushForUnload: () => void this._flushForUnload(),
      opened: (ctx, remoteId, localId, data) => {
        // A resumed run keeps the server id it had when this run's server gives none.
        this.id = remoteId ?? this.id ?? localId;
        this.data = data;
        this._ctx = ctx;
      },
      statusChanged: (status) => {
        this.status = status;
      },
    };
    this.run = createRunHandle(this, {
      start: async () => {
        await this.prefixState.ready();
        await (await this.loadLifecycle()).start();
        return this;
      },
      open: async () => {
        await this.prefixState.ready();
        await (await this.loadLifecycle()).openReadOnly();
        return this;
      },
      end: async (status, error) => (await this.loadLifecycle()).end(status, error),
    });
    this.params = new Params(this);
    this.logs = new Logs(this);
    this.metrics = createMetrics(this);
    this.tracks = createTracks(this);
    this.files = createFiles(this, { runtime, store: () => this.createFileStore() });
  }

  /**
   * The prefix, without leading or trailing slashes. Settable before `run.start()` (and after the
   * run ended), as Python's `exp.run.prefix = …`: `{EXP.name}`, `{EXP.id}`, `{EXP.date}` and
   * `{field}` templates expand, then owner, project and name follow the new prefix.
   *
   * A template expands in the constructor (or here) where its code is loaded: always in Node,
   * Deno, Bun and Workers. The browser entry loads it on first use, so there a template waits
   * for it and is expanded before the run starts; reading the prefix, owner, project, name or
   * folder before that throws {@link ExperimentNotStartedError}, and a bad template rejects
   * `run.start()` with the {@link ValidationError} instead of throwing here.
   *
   * @example
   * ```ts
   * const exp = new Experiment("test/project/my-experiment");
   * exp.prefix = "iclr_2024/{EXP.name}.{EXP.id}";   // "iclr_2024/my-experiment.392837465012345678"
   * ```
   */
  get prefix(): string {
    return this.prefixState.current().path;
  }

  set prefix(value: string) {
    // While the lifecycle loads, a start may be under way: the prefix is fixed from then on.
    if (this.lifecycleLoad !== undefined && this.lifecycle?.settled !== true) {
      throw new ValidationError("Cannot change the prefix of a started experiment: set it before exp.run.start()", { field: "prefix" });
    }
    this.prefixState.set(value);
  }

  /** First prefix segment (needs two or more segments). */
  get owner(): string | undefined {
    return this.prefixState.current().owner;
  }

  /** Second prefix segment (needs two or more segments). */
  get project(): string | undefined {
    return this.prefixState.current().project;
  }

  /** Last prefix segment. */
  get name(): string {
    return this.prefixState.current().name;
  }

  /** The folder holding the experiment: the prefix without its last segment (`""` for one segment). */
  get folder(): string {
    return this.prefixState.current().segments.slice(0, -1).join("/");
  }

  /**
   * A log line. Extra keys of `options` merge into its metadata.
   *
   * @example exp.log("Epoch done", { level: "info", metadata: { epoch: 1 } });
   */
  log(message: string, options?: LogOptions): void {
    logCall(this, message, options);
  }

  /**
   * Resolves when everything written so far is durable in the local store and acknowledged by
   * the server. Rejects with the error that kept data back (the data stays queued and is
   * retried) or a {@link DataLossError} when records were dropped since the last flush.
   */
  async flush(): Promise<void> {
    const ctx = this._readable("exp.flush()");
    await (await this.loadLifecycle()).flush(ctx);
  }

  /** Counters of the data path: queued, written, sent, retried, dropped, bytes (a snapshot). */
  get stats(): ExperimentStats {
    return { ...this.counters };
  }

  /** Completes the run when used with `await using` (it cannot see a thrown error: see README). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.lifecycle?.active) await this.run.complete();
  }

  private loadLifecycle(): Promise<RunLifecycle> {
    // The backends' assembly loads alongside, so a start waits for one round of downloads, not two.
    this.lifecycleLoad ??= Promise.all([import("./lifecycle.ts"), assembly()]).then(([{ RunLifecycle }]) => (this.lifecycle = new RunLifecycle(this.lifecycleOwner)));
    return this.lifecycleLoad;
  }

  /** @internal */
  _writable(where: string): RunContext {
    const ctx = this._ctx;
    if (ctx === undefined || !ctx.writable) notWritable(where, ctx !== undefined, ctx?.readOnly);
    return ctx;
  }

  /** @internal */
  _readable(where: string): RunContext {
    const ctx = this._ctx;
    if (ctx === undefined) notWritable(where, false);
    return ctx;
  }

  /** @internal Reports a background problem: counted, passed to onError, warned once per kind. */
  _report(err: MlDashError): void {
    this.counters.errors++;
    try {
      this.options.onError?.(err);
    } catch {
      // a failing onError must not break the data path
    }
    const kind = `${err.name}:${err.code}`;
    if (!this.warned.has(kind)) {
      this.warned.add(kind);
      console.warn(`[ml-dash] ${this.prefixState.shown()}: ${err.message}`);
    }
  }

  /** @internal */
  _warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    console.warn(`[ml-dash] ${this.prefixState.shown()}: ${message}`);
  }

  /**
   * Sends what fits of the data not yet acknowledged by the server in `keepalive` requests
   * (64 KiB in all), for a page that is going away; the rest stays in the local store or the
   * queue. Synchronous: call it from `pagehide` / `visibilitychange` (the browser entry does).
   * @internal
   */
  _flushForUnload(): UnloadResult | undefined {
    const ctx = this._ctx;
    const unload = this.assembly?.unload;
    if (!unload || ctx === undefined) return undefined;
    return unload(ctx.buffer.sealForUnload());
  }

  /**
   * Creates the backends for this run: the local store first (it is the write-ahead log). Each
   * half loads only if this run uses it (see `src/replicate/assemble.ts`).
   */
  protected async createBackends(): Promise<{ backends: Backend[]; reader: Reader }> {
    this.assembly = await (await assembly()).assembleBackends({
      ...this.destinations,
      prefix: this.prefixState.current(),
      options: this.options,
      runtime: this.runtime,
      stats: this.counters,
      report: (e) => this._report(e),
      drop: (stream, count) => this._ctx?.buffer.recordDrop(stream, count, "rejected"),
    });
    return this.assembly;
  }

  /**
   * The store behind `exp.files`: the local store's `files/` folder, or the server's (kept in
   * sync in hybrid mode). Its code is loaded with the first files call, not with the page.
   */
  protected async createFileStore(): Promise<FileStore> {
    // The prefix at the first files call, as when this was synchronous (or once its template expanded).
    const [prefix, { fileStoreFor }] = await Promise.all([this.prefixState.settled(), assembly()]);
    return fileStoreFor({ ...this.destinations, prefix, runtime: this.runtime, options: this.options }, () => this.assembly?.files);
  }
}

/** Checks a `withExperiment` / constructor argument early, for a clear message. */
export function assertExperimentArgs(prefixOrOptions: unknown): void {
  if (prefixOrOptions !== undefined && typeof prefixOrOptions !== "string" && !isPlainObject(prefixOrOptions)) {
    throw new ValidationError("Expected a prefix string or an options object", { field: "prefix" });
  }
}
