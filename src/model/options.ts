/**
 * The options of an experiment, as types: what `new Experiment(prefix, options)` takes, with
 * the buffer and transport settings. Validation lives with the constructor (api/options.ts);
 * defaults are in defaults.ts.
 */
import type { MlDashError } from "../errors.ts";
import type { RunParams } from "./run-params.ts";
import type { StorageAdapter } from "./storage.ts";

/** How metric and track batches travel: msgpack columns, or JSON rows (Python's shapes). */
export type WireFormat = "msgpack" | "json";

/** A token, or a function that returns one (called before requests that need it). */
export type TokenOption = string | (() => string | Promise<string>);

/** What happened when records were dropped. */
export interface DropInfo {
  /** Stream key (`metric:train`, `log`, `track:robot/pose`). */
  readonly stream: string;
  /** Number of records dropped. */
  readonly count: number;
  /** `overflow`: the queue passed `maxQueueBytes` (with `onFull: "drop"`); `rejected`: the server refused them for good. */
  readonly reason: "overflow" | "rejected";
}

/** Buffer settings (all optional). */
export interface BufferOptions {
  /** Flush at least this often while data waits (ms). Default 1000. */
  readonly flushIntervalMs?: number;
  /** Most records per batch; a stream with this many waiting is flushed at once. Default 10 000. */
  readonly maxBatch?: number;
  /** Bound on the bytes waiting in memory; past it `onFull` applies. Default 64 MiB. */
  readonly maxQueueBytes?: number;
  /**
   * What a write does once the buffer holds `maxQueueBytes`. `"block"` (the default) loses
   * nothing: the writing call stores the waiting records itself before it returns (encoding and
   * a synchronous append, where the store has one: node-fs, memory), so a producer
   * that outruns storage slows to storage's pace and memory stays bounded; where the store has
   * no synchronous append (IndexedDB, OPFS, a server) the call encodes them itself and they
   * wait, in memory, for the next yield to the event loop. `"drop"` drops the oldest waiting
   * records instead, counts them in `exp.stats.dropped`, calls `onDrop`, and makes the next
   * `flush()` reject with a `DataLossError`.
   */
  readonly onFull?: "block" | "drop";
  /** Called when records are dropped. */
  readonly onDrop?: (info: DropInfo) => void;
}

/** Transport settings of the remote sink (the `remote` experiment option). */
export interface RemoteOptions {
  /** Per-attempt timeout of a request (ms). Default 30 000. */
  readonly timeoutMs?: number;
  /** Retries of one request after 429, 5xx, a timeout or a network error. Default 5. */
  readonly retries?: number;
  /** First backoff delay (ms); doubles each retry, with full jitter. Default 500. */
  readonly backoffMs?: number;
  /** Cap of one backoff delay (ms); also caps a server's `Retry-After`. Default 30 000. */
  readonly maxBackoffMs?: number;
  /** Encoding of metric and track batches. Default `"msgpack"`; a 415 answer switches to JSON for good. */
  readonly wire?: WireFormat;
}

/** Options of `new Experiment(prefix, options)`. Everything is optional. */
export interface ExperimentOptions {
  /** `owner/project/path.../name`; may also be given as the first constructor argument. */
  readonly prefix?: string;
  /** The experiment description (Python's `readme=`). */
  readonly readme?: string;
  /** Alias of `readme` (the name the ML-Dash docs use). */
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly bindrs?: readonly string[];
  readonly metadata?: Record<string, unknown>;
  /** The local store; `null` = none (remote-only with `dashUrl`). Default: the runtime's `.dash` store. */
  readonly storage?: StorageAdapter | null;
  /** Root folder of the runtime's default file-system store (default `.dash`); `null` = no local store. */
  readonly dashRoot?: string | null;
  /** ML-Dash server URL; `true` = `https://api.dash.ml`. Absent = local only. */
  readonly dashUrl?: string | true;
  /** Bearer token for the server, or a provider function. */
  readonly token?: TokenOption;
  /** The `fetch` used for the server (tests, proxies, workers). */
  readonly fetch?: typeof fetch;
  /** Buffer settings. */
  readonly buffer?: BufferOptions;
  /** Transport settings for `dashUrl`: timeouts, retries, wire format (see README "Remote and hybrid"). */
  readonly remote?: RemoteOptions;
  /** Receives background errors (write failures, drops). A warning is printed once per kind either way. */
  readonly onError?: (error: MlDashError) => void;
  /** Mirror log lines to the console, as ML-Dash Python does. Default true. */
  readonly echo?: boolean;
  /**
   * Run parameters (Python's `**run_params`): `user`, `project`, `entry`, `projectRoot`,
   * `jobName`, `now`, … override `RUN` for this experiment before its prefix template expands.
   */
  readonly run?: RunParams;
  /** Files: `maxBytes` is the largest file a save accepts (default 100 GiB, as Python). */
  readonly files?: { readonly maxBytes?: number };
}
