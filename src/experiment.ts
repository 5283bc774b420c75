/**
 * `Experiment`: one run's logs, params, metrics and tracks, keyed by a prefix
 * `owner/project/path.../name`, written to a local `.dash` store, an ML-Dash server, or both.
 */
import type { Backend, Reader, RunStatus } from "./backend.ts";
import { Buffer } from "./buffer/buffer.ts";
import { notWritable, RunContext, type Host } from "./context.ts";
import { ConfigurationError, DataLossError, MlDashError, ValidationError } from "./errors.ts";
import { isPlainObject, normalizeValue, type PlainObject } from "./internal/values.ts";
import { LocalBackend } from "./local/local-backend.ts";
import { LocalReader } from "./local/local-reader.ts";
import { logCall, Logs, type LogOptions } from "./logs.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import { resolveDestinations, type Destinations, type Mode } from "./modes.ts";
import { validateOptions, type ExperimentOptions } from "./options.ts";
import { Params } from "./params.ts";
import { parsePrefix, type ParsedPrefix } from "./prefix.ts";
import { createRunHandle, type RunHandle } from "./run-handle.ts";
import { coreRuntime, type RuntimeHooks } from "./runtime.ts";
import { newStats, type ExperimentStats } from "./stats.ts";
import { createTracks, type Tracks } from "./tracks/tracks.ts";

/** Run status: PENDING before the first start, then what the lifecycle records. */
export type ExperimentStatus = "PENDING" | RunStatus;

type Phase = "idle" | "starting" | "running" | "ending" | "ended";

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
export class Experiment implements Host, AsyncDisposable {
  /** The runtime services of this entry point; runtime entries override it in a subclass. */
  static runtime: RuntimeHooks = coreRuntime;

  /** The prefix, without leading or trailing slashes. */
  readonly prefix: string;
  /** First prefix segment (needs two or more segments). */
  readonly owner: string | undefined;
  /** Second prefix segment (needs two or more segments). */
  readonly project: string | undefined;
  /** Last prefix segment. */
  readonly name: string;
  /** The folder holding the experiment: the prefix without its last segment (`""` for one segment). */
  readonly folder: string;
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

  /** @internal */ _ctx: RunContext | undefined;
  protected readonly options: ExperimentOptions;
  protected readonly destinations: Destinations;
  protected readonly runtime: RuntimeHooks;
  private readonly parsed: ParsedPrefix;
  private readonly counters: ExperimentStats = newStats();
  private readonly warned = new Set<string>();
  private phase: Phase = "idle";
  private transition: Promise<unknown> | undefined;
  private backends: Backend[] = [];
  private unregisterExit: (() => void) | undefined;

  /**
   * @param prefixOrOptions The prefix (`owner/project/path.../name`), or all options.
   * @param options Options (when the prefix is the first argument).
   */
  constructor(prefixOrOptions?: string | ExperimentOptions, options?: ExperimentOptions) {
    const runtime = (new.target as typeof Experiment).runtime;
    const opts = validateOptions(
      typeof prefixOrOptions === "string" ? { ...options, prefix: prefixOrOptions } : (prefixOrOptions ?? options ?? {}),
    );
    const prefix = opts.prefix ?? (runtime.env?.("ML_DASH_PREFIX") || runtime.env?.("DASH_PREFIX") || undefined);
    if (prefix === undefined) {
      throw new ValidationError(
        'No prefix: pass one like new Experiment("owner/project/name"), or set ML_DASH_PREFIX in the environment',
        { field: "prefix" },
      );
    }
    this.parsed = parsePrefix(prefix);
    this.runtime = runtime;
    this.options = opts;
    this.destinations = resolveDestinations(opts, runtime);
    this.prefix = this.parsed.path;
    this.owner = this.parsed.owner;
    this.project = this.parsed.project;
    this.name = this.parsed.name;
    this.folder = this.parsed.segments.slice(0, -1).join("/");
    this.mode = this.destinations.mode;
    this.id = undefined;
    this.data = undefined;
    this.run = createRunHandle(this, {
      start: () => this.start(),
      end: (status, error) => this.end(status, error),
    });
    this.params = new Params(this);
    this.logs = new Logs(this);
    this.metrics = createMetrics(this);
    this.tracks = createTracks(this);
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
    await ctx.buffer.flush();
    await Promise.all(this.backends.map((b) => b.sync?.()));
  }

  /** Counters of the data path: queued, written, sent, retried, dropped, bytes (a snapshot). */
  get stats(): ExperimentStats {
    return { ...this.counters };
  }

  /** Completes the run when used with `await using` (it cannot see a thrown error: see README). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.phase === "running" || this.phase === "starting") await this.run.complete();
  }

  /** @internal */
  _writable(where: string): RunContext {
    const ctx = this._ctx;
    if (ctx === undefined || !ctx.writable) notWritable(where, ctx !== undefined);
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
      console.warn(`[ml-dash] ${this.prefix}: ${err.message}`);
    }
  }

  /** @internal */
  _warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    console.warn(`[ml-dash] ${this.prefix}: ${message}`);
  }

  /** Creates the backends for this run: the local store first (it is the write-ahead log). */
  protected createBackends(): { backends: Backend[]; reader: Reader } {
    const { storage, dashUrl } = this.destinations;
    if (dashUrl) {
      throw new ConfigurationError(`Remote mode (dashUrl ${dashUrl}) is not available in this build`);
    }
    if (!storage) throw new ConfigurationError("No local store");
    return {
      backends: [new LocalBackend(storage, this.parsed.path, this.counters)],
      reader: new LocalReader(storage, this.parsed.path),
    };
  }

  private async start(): Promise<this> {
    if (this.phase === "running") return this;
    if (this.phase === "starting") {
      await this.transition;
      return this;
    }
    if (this.phase === "ending") await this.transition?.catch(() => undefined);
    this.phase = "starting";
    const opening = this.open();
    this.transition = opening;
    try {
      await opening;
      return this;
    } catch (err) {
      this.phase = "idle";
      throw err;
    }
  }

  private async open(): Promise<void> {
    const { backends, reader } = this.createBackends();
    const info = {
      prefix: this.parsed,
      description: this.options.readme ?? this.options.description,
      tags: this.options.tags,
      bindrs: this.options.bindrs,
      metadata: this.options.metadata === undefined ? undefined : (normalizeValue(this.options.metadata, "metadata", "Experiment options") as PlainObject),
    };
    const [primary, ...secondaries] = backends as [Backend, ...Backend[]];
    const state = await primary.open(info);
    for (const s of secondaries) {
      const remote = await s.open(info);
      this.id = remote.id ?? this.id;
    }
    this.id ??= state.id;
    this.data = state.data;
    this.backends = backends;
    const buffer = new Buffer(
      primary,
      secondaries,
      this.counters,
      { report: (e) => this._report(e), unrefTimer: this.runtime.unrefTimer },
      this.options.buffer,
    );
    this._ctx = new RunContext(buffer, reader, { ...state.params }, state.paramsVersion, this.options.echo ?? true);
    this.status = "RUNNING";
    this.phase = "running";
    // A normal exit completes an unfinished run (as Python's atexit does for dxp); an interrupt
    // records CANCELLED after a flush, leaving the run writable so a loop still running until
    // the process goes down does not throw.
    this.unregisterExit = this.runtime.onExit?.(async (reason) => {
      if (this.phase !== "running") return;
      if (reason === "hide") return this.flush().catch(() => undefined);
      if (reason === "exit") return this.run.complete();
      await ctxFlush(this._ctx);
      await Promise.allSettled(this.backends.map((b) => b.setStatus("CANCELLED")));
      await Promise.allSettled(this.backends.map((b) => b.sync?.()));
      this.status = "CANCELLED";
    });
  }

  private async end(status: RunStatus, error?: unknown): Promise<void> {
    if (this.phase === "ending") {
      await this.transition;
      return;
    }
    if (this.phase === "ended") return;
    if (this.phase === "starting") await this.transition;
    const ctx = this._ctx;
    if (this.phase !== "running" || ctx === undefined) notWritable(`run.${verb(status)}()`, false);
    if (status === "FAILED" && error !== undefined) {
      const e = error instanceof Error ? error : new Error(String(error));
      const meta: Record<string, unknown> = { error: e.name };
      if (e.stack) meta["stack"] = e.stack;
      logCall(this, `Run failed: ${e.message}`, { level: "error", metadata: meta });
    }
    this.phase = "ending";
    ctx.writable = false;
    const ending = this.drainAndClose(ctx, status);
    this.transition = ending;
    await ending;
  }

  private async drainAndClose(ctx: RunContext, status: RunStatus): Promise<void> {
    let loss: DataLossError | undefined;
    try {
      await ctx.buffer.flush();
    } catch (err) {
      if (!(err instanceof DataLossError)) {
        // Data is still queued: stay open so it is retried and the caller can try again.
        this.phase = "running";
        ctx.writable = true;
        throw err;
      }
      loss = err;
    }
    const results = await Promise.allSettled(this.backends.map((b) => b.setStatus(status)));
    await Promise.allSettled(this.backends.map((b) => b.sync?.()));
    ctx.buffer.close();
    this.status = status;
    this.phase = "ended";
    this.unregisterExit?.();
    this.unregisterExit = undefined;
    await Promise.allSettled(this.backends.map((b) => b.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    if (loss) throw loss;
  }
}

async function ctxFlush(ctx: RunContext | undefined): Promise<void> {
  await ctx?.buffer.flush().catch(() => undefined);
}

function verb(status: RunStatus): string {
  return status === "COMPLETED" ? "complete" : status === "FAILED" ? "fail" : "cancel";
}

/** Checks a `withExperiment` / constructor argument early, for a clear message. */
export function assertExperimentArgs(prefixOrOptions: unknown): void {
  if (prefixOrOptions !== undefined && typeof prefixOrOptions !== "string" && !isPlainObject(prefixOrOptions)) {
    throw new ValidationError("Expected a prefix string or an options object", { field: "prefix" });
  }
}
