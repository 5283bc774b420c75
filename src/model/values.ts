/**
 * What can be logged: finite and non-finite numbers, bigints, strings, booleans, null, arrays and
 * plain objects of these. Typed arrays become arrays, Dates become ISO strings, `undefined` object
 * keys are dropped. Everything else (functions, symbols, cycles, class instances) is a
 * {@link ValidationError} that names the key.
 *
 * A `bigint` is stored as its exact digits (an int for ML-Dash Python); integers beyond 2^53 are
 * read back as `bigint`, smaller ones as numbers (see `exact.ts`).
 */
import { ValidationError } from "../errors.ts";
import { ExactNumber } from "./exact.ts";

/**
 * A value that can be stored in a `.dash` record. Integers beyond `Number.MAX_SAFE_INTEGER`
 * are `bigint`s when read, so every digit survives.
 */
export type PlainValue = number | bigint | string | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** A plain object of storable values. */
export type PlainObject = { [key: string]: PlainValue };

/** True for `{}`-literals and `Object.create(null)` objects. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "object" && v !== null) {
    // `{ __proto__: {...} }` in an object literal sets the prototype instead of adding a key.
    const proto: unknown = Object.getPrototypeOf(v);
    if (isPlainObject(proto) && !Object.hasOwn(proto, "constructor")) return "an object whose prototype was replaced (a `__proto__` key in an object literal?)";
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return name ? `an instance of ${name}` : "a non-plain object";
  }
  return typeof v;
}

const ALLOWED = "only numbers, strings, booleans, null, arrays, typed arrays and plain objects can be stored";

function reject(where: string, path: string, v: unknown): never {
  throw new ValidationError(`${where}: the value at "${path}" is ${describe(v)}; ${ALLOWED}`, { field: path });
}

/** The one key no stored object may have: JavaScript objects take it for their prototype. */
export const PROTO_KEY = "__proto__";

/**
 * Refuses the key `__proto__` with a {@link ValidationError} naming `path`: assigned to a
 * JavaScript object it replaces the object's prototype instead of adding a key (its values
 * would be merged into the parent, or pollute every object).
 */
export function checkKey(key: string, path: string, where: string): void {
  if (key === PROTO_KEY) {
    throw new ValidationError(`${where}: the key "__proto__" at "${path}" cannot be stored (JavaScript takes it for the object's prototype); rename it`, { field: path });
  }
}

/**
 * Returns a normalised deep copy of `v`, or throws {@link ValidationError} naming `path`.
 * `where` names the call for the message (e.g. `metrics("train").log()`).
 */
export function normalizeValue(v: unknown, path: string, where: string, seen?: Set<object>): PlainValue {
  switch (typeof v) {
    case "number":
    case "string":
    case "boolean":
    case "bigint":
      return v;
    case "object":
      break;
    default:
      return reject(where, path, v);
  }
  if (v === null) return null;
  if (v instanceof ExactNumber) return v as unknown as PlainValue; // a copy's number, kept as written
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return Array.from(v as unknown as ArrayLike<number | bigint>);
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return reject(where, path, v);
    return v.toISOString();
  }
  const isArray = Array.isArray(v);
  if (!isArray && !isPlainObject(v)) return reject(where, path, v);
  const stack = seen ?? new Set<object>();
  if (stack.has(v)) {
    throw new ValidationError(`${where}: the value at "${path}" contains a cycle; only tree-shaped data can be stored`, {
      field: path,
    });
  }
  stack.add(v);
  try {
    if (isArray) {
      const out: PlainValue[] = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        out[i] = item === undefined ? null : normalizeValue(item, `${path}[${i}]`, where, stack);
      }
      return out;
    }
    const out: PlainObject = {};
    const obj = v as Record<string, unknown>;
    for (const k in obj) {
      const item = obj[k];
      if (item === undefined) continue;
      const at = path === "" ? k : `${path}.${k}`;
      checkKey(k, at, where);
      out[k] = normalizeValue(item, at, where, stack);
    }
    return out;
  } finally {
    stack.delete(v);
  }
}
