/**
 * Numbers exactly as written. JavaScript has one number type, a float64, while ML-Dash Python
 * writes ints of any size and floats (`1.0` is a float, `1` an int). So that nothing changes on
 * its way through this SDK:
 *
 * - an integer beyond 2^53 is read as a `bigint` (and a `bigint` is written as its digits);
 * - internally, where values are copied rather than handed to the user (params rewritten around
 *   a changed key, `ml-dash upload`, the server storing a request), a number whose text our
 *   writer would not reproduce (`1.0`, `1e-05`, `1e+16`) is kept as an {@link ExactNumber}, its
 *   text written back verbatim. Users never see one: reads unwrap them to numbers.
 */

/** A JSON number kept as its text (a float like `1.0` that would otherwise come back as `1`). @internal */
export class ExactNumber {
  constructor(
    /** The number's JSON text, as written (`1.0`, `-0.0`, `1e-05`). */
    readonly text: string,
  ) {}

  /** Its value. */
  valueOf(): number {
    return Number(this.text);
  }

  /** JSON.stringify writes the value (exact writers write `text`). */
  toJSON(): number {
    return Number(this.text);
  }
}

/** True for an integer token's value that a number cannot hold exactly. */
function unsafe(n: number): boolean {
  return !Number.isSafeInteger(n);
}

/**
 * The value of a JSON integer token (no `.` or exponent): a number when it is a safe integer,
 * else a `bigint` with every digit.
 */
export function intToken(text: string): number | bigint {
  if (text.length < 16) return Number(text);
  const n = Number(text);
  return unsafe(n) ? BigInt(text) : n;
}

/** A value with every {@link ExactNumber} replaced by its number (deep; other values as they are). */
export function plainNumbers<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof ExactNumber) return v.valueOf() as T;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = plainNumbers(v[i] as unknown);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return (out ?? v) as T;
  }
  if (ArrayBuffer.isView(v)) return v;
  let out: Record<string, unknown> | undefined;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = plainNumbers(o[k]);
    if (x !== o[k]) (out ??= { ...o })[k] = x;
  }
  return (out ?? v) as T;
}
