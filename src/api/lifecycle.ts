/**
 * The lifecycle of one experiment's runs: start (load the write path, open the backends, make
 * the run's context), end (drain, record the status, close) and the exit drain a runtime calls.
 * A started experiment may end and start again (resume in place); starts and ends that overlap
 * wait for each other. `Experiment` owns one and gives it closures over its own fields
 * ({@link LifecycleOwner}), so the state machine lives here and the fields stay the experiment's.
 */
import type { Backend, ExperimentInfo, Reader, RunStatus } from "../model/backend.ts";
import type { RunContext } from "./host.ts";
import { ConfigurationError, DataLossError, notWritable, type MlDashError } from "../errors.ts";
import { normalizeValue, type PlainObject } from "../model/values.ts";
import type { Mode } from "./modes.ts";
import type { ExperimentOptions } from "./options.ts";
import type { ParsedPrefix } from "../model/prefix.ts";
import type { RuntimeHooks } from "../model/runtime-hooks.ts";
import type { ExperimentStats } from "../model/stats.ts";

type Phase = "idle" | "reading" | "starting" | "running" | "ending" | "ended";

/** What the lifecycle needs from its experiment. */
export interface LifecycleOwner {
  readonly mode: Mode;
  readonly runtime: RuntimeHooks;
  readonly options: ExperimentOptions;
  /** The experiment's counters (the buffer counts into them). */
  readonly stats: ExperimentStats;
  /** The prefix as it is when the run starts. */
  prefix(): ParsedPrefix;
  /** The run's backends (the local store first: it is the write-ahead log) and its reader. */
  createBackends(): Promise<{ backends: Backend[]; reader: Reader }>;
  /** Reports a background problem (counted, onError, warned once). */
  report(err: MlDashError): void;
  /** Sends what the server lacks in keepalive requests, for a page going away. */
  flushForUnload(): void;
  /**
   * The run is open: its context, the server's id (the last one a secondary gave), the local
   * store's id, and the experiment record (the server's answer when there is one).
   */
  opened(ctx: RunContext, remoteId: string | undefined, localId: string | undefined, data: Record<string, unknown> | undefined): void;
  /** The run's status changed (RUNNING at start, then what the run ended with). */
  statusChanged(status: RunStatus): void;
}

/** Starts and ends the runs of one experiment. */
export class RunLifecycle {
  private phase: Phase = "idle";
  private transition: Promise<unknown> | undefined;
  private ctx: RunContext | undefined;
  private runBackends: Backend[] = [];
  private unregisterExit: (() => void) | undefined;

  constructor(private readonly owner: LifecycleOwner) {}

  /** Started and not ending: `await using` completes such a run. */
  get active(): boolean {
    return this.phase === "running" || this.phase === "starting";
  }

  /** Never started, or ended (no run open, starting or ending): the prefix may change. */
  get settled(): boolean {
    return this.phase === "idle" || this.phase === "ended";
  }

  /** The backends of the current (or last) run. */
  get backends(): readonly Backend[] {
    return this.runBackends;
  }

  /** Starts (or resumes) the run; idempotent, and waits for an end under way. */
  async start(): Promise<void> {
    if (this.phase === "running") return;
    if (this.phase === "starting") {
      await this.transition;
      return;
    }
    if (this.phase === "ending") await this.transition?.catch(() => undefined);
    if (this.phase === "reading") this.ctx?.buffer.close(); // a read-only open becomes a writing run
    this.phase = "starting";
    const opening = this.open();
    this.transition = opening;
    try {
      await opening;
    } catch (err) {
      this.phase = "idle";
      throw err;
    }
  }

  /**
   * Opens the run for reading only (`exp.run.open()`): the primary's `load` reads the stored
   * state and nothing is written (no status, no timestamps, no secondary opened). Does nothing
   * when a run is open already.
   */
  async openReadOnly(): Promise<void> {
    if (this.phase !== "idle" && this.phase !== "ended") {
      await this.transition;
      return;
    }
    const { owner } = this;
    const { options, runtime } = owner;
    const before = this.phase;
    this.phase = "starting";
    const opening = (async () => {
      const [{ backends, reader }, { Buffer, RunContext }] = await Promise.all([owner.createBackends(), import("../write/index.ts")]);
      const primary = backends[0] as Backend;
      if (!primary.load) throw new ConfigurationError("exp.run.open() reads a local store; this experiment has none (read a server's run through the server)");
      const state = await primary.load(this.info());
      const buffer = new Buffer(primary, [], owner.stats, { report: (e) => owner.report(e), unrefTimer: runtime.unrefTimer }, options.buffer);
      buffer.close();
      const ctx = new RunContext(buffer, reader, { ...state.params }, state.paramsVersion, options.echo ?? true);
      ctx.writable = false;
      ctx.readOnly = true;
      this.ctx = ctx;
      this.runBackends = [];
      owner.opened(ctx, undefined, undefined, state.data);
      this.phase = "reading";
    })();
    this.transition = opening;
    try {
      await opening;
    } catch (err) {
      this.phase = before;
      throw err;
    }
  }

  /** Drains, records `status` and closes; a failure's error is logged first. */
  async end(status: RunStatus, error?: unknown): Promise<void> {
    if (this.phase === "reading") {
      // A read-only run wrote nothing and records nothing: it just closes.
      this.phase = "idle";
      return;
    }
    if (this.phase === "ending") {
      await this.transition;
      return;
    }
    if (this.phase === "ended") return;
    if (this.phase === "starting") await this.transition;
    const ctx = this.ctx;
    if (this.phase !== "running" || ctx === undefined) notWritable(`run.${verb(status)}()`, false);
    if (status === "FAILED" && error !== undefined) {
      const e = error instanceof Error ? error : new Error(String(error));
      const meta: Record<string, unknown> = { error: e.name };
      if (e.stack) meta["stack"] = e.stack;
      // As `exp.log()` would (the run is running, so it is writable).
      ctx.logs.call(`Run failed: ${e.message}`, { level: "error", metadata: meta }, "exp.log()");
    }
    this.phase = "ending";
    ctx.writable = false;
    const ending = this.drainAndClose(ctx, status);
    this.transition = ending;
    await ending;
  }

  /** Everything written so far stored by the buffer, then every backend synced (`exp.flush()`). */
  async flush(ctx: RunContext): Promise<void> {
    await ctx.buffer.flush();
    await Promise.all(this.runBackends.map((b) => b.sync?.()));
  }

  private async open(): Promise<void> {
    const { owner } = this;
    const { options, runtime } = owner;
    // The write path (buffer, queues, the run's writers) serves writes, which need a started
    // run: it loads with the backends, in one chunk, before anything is opened.
    const [{ backends, reader }, { Buffer, RunContext }] = await Promise.all([owner.createBackends(), import("../write/index.ts")]);
    const info = this.info();
    const [primary, ...secondaries] = backends as [Backend, ...Backend[]];
    const state = await primary.open(info);
    let remoteId: string | undefined;
    let remoteData: Record<string, unknown> | undefined;
    for (const s of secondaries) {
      const remote = await s.open(info);
      remoteId = remote.id ?? remoteId;
      if (remote.id !== undefined) remoteData = remote.data; // exp.data is the server's answer when there is one
    }
    this.runBackends = backends;
    const buffer = new Buffer(primary, secondaries, owner.stats, { report: (e) => owner.report(e), unrefTimer: runtime.unrefTimer }, options.buffer);
    const ctx = new RunContext(buffer, reader, { ...state.params }, state.paramsVersion, options.echo ?? true);
    this.ctx = ctx;
    owner.opened(ctx, remoteId, state.id, remoteData ?? state.data);
    owner.statusChanged("RUNNING");
    this.phase = "running";
    // A normal exit completes an unfinished run (as Python's atexit does for dxp); an interrupt
    // records CANCELLED after a flush, leaving the run writable so a loop still running until
    // the process goes down does not throw.
    this.unregisterExit = runtime.onExit?.(async (reason) => {
      if (this.phase !== "running") return;
      if (reason === "hide") {
        // The page may be going away: send what the server lacks in keepalive requests now
        // (synchronously, within the browser's budget), then flush the rest as usual.
        owner.flushForUnload();
        return this.flush(ctx).catch(() => undefined);
      }
      if (reason === "exit") return this.end("COMPLETED");
      await ctx.buffer.flush().catch(() => undefined);
      await Promise.allSettled(this.runBackends.map((b) => b.setStatus("CANCELLED")));
      await Promise.allSettled(this.runBackends.map((b) => b.sync?.()));
      owner.statusChanged("CANCELLED");
    });
  }

  private info(): ExperimentInfo {
    const { options } = this.owner;
    return {
      prefix: this.owner.prefix(),
      description: options.readme ?? options.description,
      tags: options.tags,
      bindrs: options.bindrs,
      metadata: options.metadata === undefined ? undefined : (normalizeValue(options.metadata, "metadata", "Experiment options") as PlainObject),
    };
  }

  private async drainAndClose(ctx: RunContext, status: RunStatus): Promise<void> {
    let loss: DataLossError | undefined;
    let behind: unknown;
    try {
      await ctx.buffer.flush();
    } catch (err) {
      if (this.owner.mode === "hybrid" && this.owner.stats.queued === 0 && !(err instanceof DataLossError)) {
        // Everything is in the local store (the write-ahead log); only the server is behind. The
        // run ends here; the next run of this prefix or `ml-dash upload` finishes the upload.
        behind = err;
      } else if (!(err instanceof DataLossError)) {
        // Data is still queued: stay open so it is retried and the caller can try again.
        this.phase = "running";
        ctx.writable = true;
        throw err;
      } else loss = err;
    }
    const results = await Promise.allSettled(this.runBackends.map((b) => b.setStatus(status)));
    await Promise.allSettled(this.runBackends.map((b) => b.sync?.()));
    ctx.buffer.close();
    this.owner.statusChanged(status);
    this.phase = "ended";
    this.unregisterExit?.();
    this.unregisterExit = undefined;
    await Promise.allSettled(this.runBackends.map((b) => b.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    if (behind) throw behind;
    if (loss) throw loss;
  }
}

function verb(status: RunStatus): string {
  return status === "COMPLETED" ? "complete" : status === "FAILED" ? "fail" : "cancel";
}
