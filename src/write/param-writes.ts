/**
 * The params of one open run: stored flat with dot keys (`model.layers`), merged key by key,
 * versioned, as ML-Dash Python's `parameters.json`. Config classes and class instances are
 * taken as objects of their public fields.
 */
import type { Buffer } from "./buffer.ts";
import { ValidationError } from "../errors.ts";
import { flattenInto, unflatten } from "../model/flatten.ts";
import { plainNumbers } from "../model/exact.ts";
import { checkKey, isPlainObject, normalizeValue, type PlainObject, type PlainValue } from "../model/values.ts";

/** The params of one open run, loaded from the store at start (a resumed run continues them). */
export class ParamWriter {
  constructor(
    private readonly buffer: Buffer,
    /** Flat params, as stored. */
    private readonly params: Record<string, PlainValue>,
    private version: number,
  ) {}

  /** Merges values into the params (flattened to dot keys; later values win key by key). */
  set(values: unknown, where: string): void {
    if (!isPlainObject(values)) {
      throw new ValidationError(`${where} takes a plain object of values, like { lr: 0.001 }`, { field: "values" });
    }
    const flat: Record<string, PlainValue> = {};
    for (const k in values) {
      const v = values[k];
      checkKey(k, k, where);
      if (v === undefined) continue;
      const n = paramValue(v, k, where);
      if (n !== null && typeof n === "object" && !Array.isArray(n)) flattenInto(flat, n, k);
      else flat[k] = n;
    }
    if (Object.keys(flat).length === 0) return;
    Object.assign(this.params, flat);
    this.version++;
    this.buffer.setParams({ version: this.version, data: { ...this.params }, changed: flat });
  }

  /** The params: flat dot keys, or nested with `flatten: false`. */
  get(flatten: boolean): Record<string, PlainValue> | PlainObject {
    const flat = plainNumbers({ ...this.params }); // values kept as written are numbers to users
    return flatten ? flat : unflatten(flat);
  }
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
