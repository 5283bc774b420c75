/**
 * `ml-dash/tfjs`: track a TensorFlow.js `model.fit` with one line. `fitCallbacks(exp)` returns a
 * plain callback object (no tfjs import, so it works with any copy or version of tfjs): epoch
 * logs go to metric `train`, `val_*` logs to `eval` (prefix stripped, same `_ts`), batch logs to
 * `train_batch`, each with a run-wide `step`. Handlers only enqueue (the SDK's writes are
 * synchronous), so training never waits on I/O; `onTrainEnd` awaits one `exp.flush()`. Starting
 * and ending the run stays with you.
 *
 * @example
 * ```ts
 * import { fitCallbacks } from "ml-dash/tfjs";
 * await exp.run(async (exp) => {
 *   await model.fit(xs, ys, { epochs: 20, validationSplit: 0.2, callbacks: fitCallbacks(exp) });
 * });
 * ```
 */
import { ExperimentNotStartedError, ValidationError } from "../errors.ts";
import type { Experiment } from "../api/experiment.ts";

/** What tfjs's `Logs` hold once resolved: numbers by name. */
export type FitLogs = Record<string, unknown>;

/** The handlers tfjs accepts in `callbacks` (its `CustomCallbackArgs`). */
export interface FitCallbackHandlers {
  onTrainBegin?(this: TfCallbackThis | void, logs?: FitLogs): void | Promise<void>;
  onTrainEnd?(this: TfCallbackThis | void, logs?: FitLogs): void | Promise<void>;
  onEpochBegin?(this: TfCallbackThis | void, epoch: number, logs?: FitLogs): void | Promise<void>;
  onEpochEnd?(this: TfCallbackThis | void, epoch: number, logs?: FitLogs): void | Promise<void>;
  onBatchEnd?(this: TfCallbackThis | void, batch: number, logs?: FitLogs): void | Promise<void>;
  onYield?(this: TfCallbackThis | void, epoch: number, batch: number, logs: FitLogs): void | Promise<void>;
}

/** A model as far as the callback looks at it (a tfjs `LayersModel` fits). */
export interface ModelLike {
  countParams?(): number;
  layers?: readonly unknown[];
  optimizer?: { getClassName?(): string } | null;
  stopTraining?: boolean;
}

/**
 * What tfjs binds `this` to when it calls a handler: the `CustomCallback` wrapping our object,
 * which carries the fit's `params` (epochs, batch size, samples…). It does not keep the model,
 * so stopping training needs the `model` option.
 */
export interface TfCallbackThis {
  params?: Record<string, unknown>;
}

/** Options of {@link fitCallbacks}. */
export interface FitCallbackOptions {
  /**
   * When points are written. `"epoch"` (default): once per epoch, no per-batch cost at all.
   * `"yield"`: also batch values when tfjs yields (≤ 1 per 125 ms by default; live, cheap).
   * `"batch"`: every batch (tfjs then reads every batch's scalars back). `n`: every n-th batch.
   */
  readonly every?: "epoch" | "yield" | "batch" | number;
  /** Metric names. Default `{ train: "train", eval: "eval", batch: "train_batch" }`. */
  readonly names?: { readonly train?: string; readonly eval?: string; readonly batch?: string };
  /** Prefix of validation values, stripped and routed to `names.eval`. Default `"val_"`. */
  readonly valPrefix?: string;
  /** Renames log keys (`{ acc: "accuracy" }`); default none (tfjs's names are kept). */
  readonly rename?: Readonly<Record<string, string>>;
  /** Keys never written. Default `["batch", "size", "num_steps"]`. */
  readonly exclude?: readonly string[];
  /** Record the fit's settings and the model summary as parameters. Default true. */
  readonly logParams?: boolean;
  /** The model: its summary goes to the parameters, and `onNonFinite: "stop"` needs it. */
  readonly model?: ModelLike;
  /** Log "fit started/finished" and non-finite losses. Default true. */
  readonly logEvents?: boolean;
  /** On a NaN/±Infinity loss: warn once (default), also stop training, or say nothing. */
  readonly onNonFinite?: "warn" | "stop" | "ignore";
  /** Global step to continue from (a resumed run). Default 0. */
  readonly initialStep?: number;
  /** `await exp.flush()` in `onTrainEnd` (the only awaited I/O). Default true. */
  readonly flushOnTrainEnd?: boolean;
}

const num = (v: unknown): v is number => typeof v === "number";

function checkOptions(o: FitCallbackOptions): void {
  const e = o.every ?? "epoch";
  if (!(e === "epoch" || e === "yield" || e === "batch" || (typeof e === "number" && Number.isInteger(e) && e > 0))) {
    throw new ValidationError(`fitCallbacks: "every" must be "epoch", "yield", "batch" or a positive integer, got ${JSON.stringify(e)}`, { field: "every" });
  }
  if (o.onNonFinite !== undefined && !["warn", "stop", "ignore"].includes(o.onNonFinite)) {
    throw new ValidationError(`fitCallbacks: "onNonFinite" must be "warn", "stop" or "ignore"`, { field: "onNonFinite" });
  }
  if (o.onNonFinite === "stop" && !o.model) {
    throw new ValidationError(`fitCallbacks: onNonFinite "stop" needs the model option (fitCallbacks(exp, { model, onNonFinite: "stop" }))`, { field: "model" });
  }
  if (o.initialStep !== undefined && !(Number.isInteger(o.initialStep) && o.initialStep >= 0)) {
    throw new ValidationError(`fitCallbacks: "initialStep" must be a non-negative integer`, { field: "initialStep" });
  }
}

/**
 * Callbacks for `model.fit` / `model.fitDataset` that log to `exp`.
 *
 * @example
 * ```ts
 * await model.fit(xs, ys, { epochs: 10, callbacks: [fitCallbacks(exp, { every: "yield" }), otherCallbacks] });
 * ```
 */
export function fitCallbacks(exp: Experiment, options: FitCallbackOptions = {}): FitCallbackHandlers {
  checkOptions(options);
  if (exp.status !== "RUNNING") {
    throw new ExperimentNotStartedError(`fitCallbacks: experiment ${exp.prefix} is ${exp.status}; call await exp.run.start() (or use exp.run(fn)) before fit`);
  }
  const every = options.every ?? "epoch";
  const names = { train: options.names?.train ?? "train", eval: options.names?.eval ?? "eval", batch: options.names?.batch ?? "train_batch" };
  const valPrefix = options.valPrefix ?? "val_";
  const rename = options.rename ?? {};
  const exclude = new Set(options.exclude ?? ["batch", "size", "num_steps"]);
  const events = options.logEvents ?? true;
  const onNonFinite = options.onNonFinite ?? "warn";
  // Run-wide step: batches seen, across epochs and repeated fit() calls on this object.
  let step = options.initialStep ?? 0;
  let epochStart = step;
  let perEpoch = 0;
  let batchesThisEpoch = 0;
  let warned = false;
  const model: ModelLike | undefined = options.model;

  const split = (logs: FitLogs | undefined): { train: Record<string, number>; val: Record<string, number> } => {
    const train: Record<string, number> = {};
    const val: Record<string, number> = {};
    for (const [k, v] of Object.entries(logs ?? {})) {
      if (!num(v) || exclude.has(k)) continue;
      if (k.startsWith(valPrefix)) {
        const base = k.slice(valPrefix.length);
        val[rename[base] ?? base] = v;
      } else train[rename[k] ?? k] = v;
    }
    return { train, val };
  };
  const checkLoss = (loss: unknown, where: string): void => {
    if (!num(loss) || Number.isFinite(loss) || onNonFinite === "ignore") return;
    if (!warned) {
      warned = true;
      if (events) exp.logs.warn(`loss is ${loss} at ${where}`, { loss: String(loss) });
    }
    if (onNonFinite === "stop" && model) model.stopTraining = true;
  };

  const handlers: FitCallbackHandlers = {
    onTrainBegin(this: TfCallbackThis | void) {
      const p = (this as TfCallbackThis | undefined)?.params ?? {};
      const samples = num(p["samples"]) ? p["samples"] : null;
      const batchSize = num(p["batchSize"]) ? p["batchSize"] : null;
      perEpoch = num(p["steps"]) ? p["steps"] : samples !== null && batchSize ? Math.ceil(samples / batchSize) : 0;
      if (options.logParams ?? true) {
        const tfjs: Record<string, unknown> = {};
        for (const k of ["epochs", "initialEpoch", "samples", "steps", "batchSize", "metrics", "doValidation"]) if (p[k] !== undefined) tfjs[k] = p[k];
        const summary: Record<string, unknown> = {};
        if (model?.countParams) summary["params"] = model.countParams();
        if (model?.layers) summary["layers"] = model.layers.length;
        const opt = model?.optimizer?.getClassName?.();
        if (opt) summary["optimizer"] = opt;
        exp.params.set(Object.keys(summary).length > 0 ? { tfjs, model: summary } : { tfjs });
      }
      if (events) exp.logs.info("fit started", { epochs: num(p["epochs"]) ? p["epochs"] : null, samples, batchSize });
    },
    onEpochBegin() {
      epochStart = step;
      batchesThisEpoch = 0;
    },
    onEpochEnd(epoch: number, logs?: FitLogs) {
      // Without batch callbacks the step advances by the batches an epoch has.
      if (batchesThisEpoch === 0) step = epochStart + perEpoch;
      const { train, val } = split(logs);
      const _ts = Date.now() / 1000;
      if (Object.keys(train).length > 0) exp.metrics(names.train).log({ ...train, epoch, step, _ts });
      if (Object.keys(val).length > 0) exp.metrics(names.eval).log({ ...val, epoch, step, _ts });
      checkLoss(logs?.["loss"], `epoch ${epoch}`);
    },
    async onTrainEnd() {
      if (events) exp.logs.info("fit finished", { step });
      if (options.flushOnTrainEnd ?? true) await exp.flush();
    },
  };
  const batchPoint = (epoch: number, batch: number, logs: FitLogs | undefined): void => {
    const { train } = split(logs);
    exp.metrics(names.batch).log({ ...train, step, epoch, batch });
    checkLoss(logs?.["loss"], `epoch ${epoch} batch ${batch}`);
  };
  if (every === "yield") {
    handlers.onYield = (epoch, batch, logs) => {
      step = epochStart + batch + 1;
      batchPoint(epoch, batch, logs);
    };
  } else if (every !== "epoch") {
    // Registering onBatchEnd makes tfjs read back every batch's scalars: only when asked for.
    const n = every === "batch" ? 1 : every;
    let epochNow = 0;
    const begin = handlers.onEpochBegin as (this: unknown, epoch: number) => void;
    handlers.onEpochBegin = function (this: TfCallbackThis | void, epoch: number) {
      epochNow = epoch;
      begin.call(this, epoch);
    };
    handlers.onBatchEnd = (batch, logs) => {
      batchesThisEpoch++;
      step++;
      if (step % n === 0) batchPoint(epochNow, batch, logs);
    };
  }
  return handlers;
}
