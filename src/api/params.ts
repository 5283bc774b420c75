/**
 * `exp.params`: set and read the run's parameters. Stored flat with dot keys (`model.layers`),
 * merged key by key, as ML-Dash Python does (`parameters.json` keeps a version and the merged flat data).
 */
import type { Host } from "./host.ts";
import type { PlainObject, PlainValue } from "../model/values.ts";

/** Options of {@link Params.get}. */
export interface ParamsGetOptions {
  /** `true` (default): flat dot keys; `false`: nested objects. */
  readonly flatten?: boolean;
}

/** The params of an experiment. Obtain it as `exp.params`. */
export class Params {
  constructor(private readonly host: Host) {}

  /**
   * Merges values into the run's params: nested objects are flattened to dot keys, later values
   * win key by key. Synchronous; the store is updated by the next flush.
   *
   * @example
   * ```ts
   * exp.params.set({ lr: 1e-3, model: { layers: 50 } });   // stored as "lr", "model.layers"
   * ```
   */
  set(values: Record<string, unknown>): this {
    this.host._writable("params.set()").params.set(values, "params.set()");
    return this;
  }

  /** Alias of {@link Params.set}, as in ML-Dash Python. */
  log(values: Record<string, unknown>): this {
    return this.set(values);
  }

  /** The run's params: flat dot keys by default, nested with `{ flatten: false }`. Synchronous after start. */
  get(options: ParamsGetOptions = {}): Record<string, PlainValue> | PlainObject {
    return this.host._readable("params.get()").params.get(options.flatten !== false);
  }
}
