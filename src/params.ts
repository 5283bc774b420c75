/**
 * `exp.params`: set and read the run's parameters. Stored flat with dot keys (`model.layers`),
 * merged key by key, as ML-Dash Python does (reference §6).
 */
import type { Host } from "./context.ts";
import { ValidationError } from "./errors.ts";
import { flattenInto, isPlainObject, normalizeValue, unflatten, type PlainObject, type PlainValue } from "./internal/values.ts";

/** Options of {@link Params.get}. */
export interface ParamsGetOptions {
  /** `true` (default): flat dot keys; `false`: nested objects. */
  readonly flatten?: boolean;
}

function isClass(v: unknown): v is abstract new (...args: never[]) => unknown {
  return typeof v === "function" && /^class[\s{]/.test(Function.prototype.toString.call(v));
}

/** The own, public, non-function fields of a config class (its statics) or of a class instance. */
function fieldsOf(v: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    if (k.startsWith("_")) continue;
    const field = (v as Record<string, unknown>)[k];
    if (typeof field === "function") continue;
    out[k] = field;
  }
  return out;
}

/** Normalises one param value; config classes and class instances become objects of their fields. */
function paramValue(v: unknown, path: string, where: string): PlainValue {
  if (isClass(v)) return normalizeValue(fieldsOf(v), path, where);
  if (v !== null && typeof v === "object" && !Array.isArray(v) && !isPlainObject(v) && !ArrayBuffer.isView(v)) {
    if (Object.prototype.toString.call(v) === "[object Object]") return normalizeValue(fieldsOf(v), path, where);
  }
  return normalizeValue(v, path, where);
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
    const where = "params.set()";
    const ctx = this.host._writable(where);
    if (!isPlainObject(values)) {
      throw new ValidationError(`${where} takes a plain object of values, like { lr: 0.001 }`, { field: "values" });
    }
    const flat: Record<string, PlainValue> = {};
    for (const k in values) {
      const v = values[k];
      if (v === undefined) continue;
      const n = paramValue(v, k, where);
      if (n !== null && typeof n === "object" && !Array.isArray(n)) flattenInto(flat, n, k);
      else flat[k] = n;
    }
    if (Object.keys(flat).length === 0) return this;
    Object.assign(ctx.params, flat);
    ctx.paramsVersion++;
    ctx.buffer.setParams({ version: ctx.paramsVersion, data: { ...ctx.params }, changed: flat });
    return this;
  }

  /** Alias of {@link Params.set}, as in ML-Dash Python. */
  log(values: Record<string, unknown>): this {
    return this.set(values);
  }

  /** The run's params: flat dot keys by default, nested with `{ flatten: false }`. Synchronous after start. */
  get(options: ParamsGetOptions = {}): Record<string, PlainValue> | PlainObject {
    const ctx = this.host._readable("params.get()");
    const flat = { ...ctx.params };
    return options.flatten === false ? unflatten(flat) : flat;
  }
}
