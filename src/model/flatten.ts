/**
 * Dot keys: params and track entries are stored flat (`{"model.layers": 50}`), as ML-Dash
 * Python stores them, and read back nested on request. Used by the write path and the server,
 * not by what a page loads up front (values.ts).
 */
import { ExactNumber } from "./exact.ts";
import type { PlainObject, PlainValue } from "./values.ts";

/**
 * Flattens nested plain objects into dot keys, as ML-Dash Python does for params and track
 * entries: only plain objects recurse, arrays stay values, an empty object adds no key, keys
 * that already contain dots pass through. Values must be normalised.
 */
export function flattenInto(out: Record<string, PlainValue>, value: PlainObject, prefix: string): void {
  for (const k in value) {
    const v = value[k] as PlainValue;
    const key = prefix === "" ? k : prefix + "." + k;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof ExactNumber)) flattenInto(out, v, key);
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
    // A "__proto__" part (written by an older version or another client) stays in its dotted key:
    // walking it would reach Object.prototype.
    let ok = !parts.includes("__proto__");
    for (let i = 0; ok && i < parts.length - 1; i++) {
      const p = parts[i] as string;
      const next = Object.hasOwn(node, p) ? node[p] : undefined;
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
      const existing = Object.hasOwn(node, leaf) ? node[leaf] : undefined;
      if (existing !== undefined && existing !== null && typeof existing === "object" && !Array.isArray(existing)) {
        out[key] = flat[key] as PlainValue;
      } else {
        node[leaf] = flat[key] as PlainValue;
      }
    } else if (key === "__proto__") {
      Object.defineProperty(out, key, { value: flat[key], enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = flat[key] as PlainValue;
    }
  }
  return out;
}
