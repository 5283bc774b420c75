/**
 * JSON exactly as Python's `json.dumps` writes it with default arguments, which is what
 * ML-Dash Python puts in every `.dash` file: `", "` and `": "` separators, `ensure_ascii`
 * (`\uXXXX` for anything beyond ASCII) and the bare tokens `NaN`, `Infinity`, `-Infinity`.
 *
 * Values must already be normalised plain data (see `internal/values.ts`).
 */

const NON_ASCII = /[\u0080-\uffff]/g;

function escapeNonAscii(ch: string): string {
  return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
}

/** A number the way Python writes floats in JSON: bare `NaN` / `Infinity` / `-Infinity` tokens. */
export function pyNumber(n: number): string {
  if (n === n) {
    if (n === Infinity) return "Infinity";
    if (n === -Infinity) return "-Infinity";
    return "" + n;
  }
  return "NaN";
}

/** A string literal with Python's `ensure_ascii=True` escaping. */
export function pyString(s: string): string {
  const quoted = JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return quoted.replace(NON_ASCII, escapeNonAscii);
  }
  return quoted;
}

const keyCache = new Map<string, string>();

/** `"key": ` for an object key, cached because metric and track keys repeat on every record. */
export function pyKey(k: string): string {
  let q = keyCache.get(k);
  if (q === undefined) {
    q = pyString(k) + ": ";
    if (keyCache.size > 50_000) keyCache.clear();
    keyCache.set(k, q);
  }
  return q;
}

/** Serialises a normalised value as Python's `json.dumps(value)` would. */
export function pyJson(value: unknown): string {
  switch (typeof value) {
    case "number":
      return pyNumber(value);
    case "string":
      return pyString(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[" + pyJson(value[0]);
        for (let i = 1; i < value.length; i++) out += ", " + pyJson(value[i]);
        return out + "]";
      }
      return pyObject(value as Record<string, unknown>);
    }
    default:
      // undefined and other non-data never reach here after normalisation; write null like JSON.stringify in arrays
      return "null";
  }
}

/** Serialises a plain object; keys whose value is `undefined` are skipped. */
export function pyObject(obj: Record<string, unknown>): string {
  let out = "{";
  let first = true;
  for (const k in obj) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? "" : ", ") + pyKey(k) + (typeof v === "number" ? pyNumber(v) : pyJson(v));
    first = false;
  }
  return out + "}";
}
