/**
 * What can be logged: finite and non-finite numbers, strings, booleans, null, arrays and plain
 * objects of these. Typed arrays become arrays, Dates become ISO strings, `undefined` object
 * keys are dropped. Everything else (functions, symbols, bigints, cycles, class instances) is a
 * {@link ValidationError} that names the key.
 */
import { ValidationError } from "../errors.ts";

/** A value that can be stored in a `.dash` record. */
export type PlainValue = number | string | boolean | null | PlainValue[] | { [key: string]: PlainValue };

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
  if (typeof v === "bigint") return "a bigint (convert it with Number() or String())";
  if (typeof v === "object" && v !== null) {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return name ? `an instance of ${name}` : "a non-plain object";
  }
  return typeof v;
}

const ALLOWED = "only numbers, strings, booleans, null, arrays, typed arrays and plain objects can be stored";

function reject(where: string, path: string, v: unknown): never {
  throw new ValidationError(`${where}: the value at "${path}" is ${describe(v)}; ${ALLOWED}`, { field: path });
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
      return v;
    case "object":
      break;
    default:
      return reject(where, path, v);
  }
  if (v === null) return null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    if (v instanceof BigInt64Array || v instanceof BigUint64Array) return reject(where, path, v);
    return Array.from(v as unknown as ArrayLike<number>);
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
      out[k] = normalizeValue(item, path === "" ? k : `${path}.${k}`, where, stack);
    }
    return out;
  } finally {
    stack.delete(v);
  }
}

/**
 * Flattens nested plain objects into dot keys, as ML-Dash Python does for params and track
 * entries: only plain objects recurse, arrays stay values, an empty object adds no key, keys
 * that already contain dots pass through. Values must be normalised.
 */
export function flattenInto(out: Record<string, PlainValue>, value: PlainObject, prefix: string): void {
  for (const k in value) {
    const v = value[k] as PlainValue;
    const key = prefix === "" ? k : prefix + "." + k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flattenInto(out, v, key);
    else out[key] = v;
  }
}

/**
 * The inverse of {@link flattenInto}: `{"a.b": 1}` → `{a: {b: 1}}`. Where a key collides with
 * a value already stored as a leaf (`a` and `a.b`), the dotted key is kept as is.
 */
export function unflatten(flat: Record<string, PlainValue>): PlainObject {
  const out: PlainObject = {};
  for (const key of Object.keys(flat)) {
    const parts = key.split(".");
    let node: PlainObject = out;
    let ok = true;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i] as string;
      const next = node[p];
      if (next === undefined) {
        const child: PlainObject = {};
        node[p] = child;
        node = child;
      } else if (next !== null && typeof next === "object" && !Array.isArray(next)) {
        node = next;
      } else {
        ok = false;
        break;
      }
    }
    if (ok) {
      const leaf = parts[parts.length - 1] as string;
      const existing = node[leaf];
      if (existing !== undefined && existing !== null && typeof existing === "object" && !Array.isArray(existing)) {
        out[key] = flat[key] as PlainValue;
      } else {
        node[leaf] = flat[key] as PlainValue;
      }
    } else {
      out[key] = flat[key] as PlainValue;
    }
  }
  return out;
}

/** A cheap estimate of the memory a normalised value holds, for the byte-bounded buffer. */
export function estimateBytes(v: PlainValue): number {
  if (typeof v === "number" || typeof v === "boolean" || v === null) return 8;
  if (typeof v === "string") return 16 + v.length * 2;
  let n = 32;
  if (Array.isArray(v)) for (const x of v) n += estimateBytes(x);
  else for (const k in v) n += 16 + k.length * 2 + estimateBytes(v[k] as PlainValue);
  return n;
}
