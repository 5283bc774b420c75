/**
 * `statistics.mean` and `statistics.stdev` as Python computes them, bit for bit: the sums are
 * exact (every double is an integer times a power of two, summed as BigInts), the mean is the
 * exact quotient rounded once, and the standard deviation is the correctly rounded square root
 * of the exact sample variance (Python's `_float_sqrt_of_frac`). Only for finite values: a NaN
 * or ±Infinity makes the caller use plain float arithmetic, whose answer is NaN/±Infinity too.
 */

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** `x = m * 2^e` with an integer `m` (x finite). */
function parts(x: number): [bigint, number] {
  f64[0] = x;
  const bits = u64[0] as bigint;
  const exp = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  if (exp !== 0) m |= 1n << 52n;
  return [bits >> 63n ? -m : m, (exp === 0 ? 1 : exp) - 1075];
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** `n / d` rounded to the nearest double (ties to even), `d > 0`. */
export function ratioToNumber(n: bigint, d: bigint): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  if (neg) n = -n;
  // A quotient of 55-56 bits, its last bit sticky (round to odd): one rounding to 53 bits is then exact.
  const shift = 55 - (bitLength(n) - bitLength(d));
  const num = shift >= 0 ? n << BigInt(shift) : n;
  const den = shift >= 0 ? d : d << BigInt(-shift);
  let q = num / den;
  if (num % den !== 0n) q |= 1n;
  const half = Math.trunc(-shift / 2);
  const v = Number(q) * 2 ** half * 2 ** (-shift - half);
  return neg ? -v : v;
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Python's `_float_sqrt_of_frac(n, m)`: sqrt(n/m) correctly rounded. */
function sqrtOfFrac(n: bigint, m: bigint): number {
  const rto = (a: bigint, b: bigint): bigint => {
    const r = isqrt(a / b);
    return r * r * b !== a ? r | 1n : r;
  };
  const q = Math.floor((bitLength(n) - bitLength(m) - 109) / 2);
  if (q >= 0) return ratioToNumber(rto(n, m << BigInt(2 * q)) << BigInt(q), 1n);
  return ratioToNumber(rto(n << BigInt(-2 * q), m), 1n << BigInt(-q));
}

/** Exact sums of finite values over a common power of two: `Σx = sx·2^e`, `Σx² = sxx·2^2e`. */
function sums(values: readonly number[]): { sx: bigint; sxx: bigint; e: number } {
  const ps = values.map(parts);
  let e = Infinity;
  for (const [m, pe] of ps) if (m !== 0n && pe < e) e = pe;
  if (e === Infinity) e = 0;
  let sx = 0n;
  let sxx = 0n;
  for (const [m, pe] of ps) {
    const a = m << BigInt(pe - e);
    sx += a;
    sxx += a * a;
  }
  return { sx, sxx, e };
}

/** `statistics.mean(values)` (finite values, at least one). */
export function exactMean(values: readonly number[]): number {
  const { sx, e } = sums(values);
  const n = BigInt(values.length);
  return e >= 0 ? ratioToNumber(sx << BigInt(e), n) : ratioToNumber(sx, n << BigInt(-e));
}

/** `statistics.stdev(values)` (finite values, at least two). */
export function exactStdev(values: readonly number[]): number {
  const { sx, sxx, e } = sums(values);
  const n = BigInt(values.length);
  // Sample variance = (n·Σx² − (Σx)²) / (n·(n−1)), exactly.
  let num = n * sxx - sx * sx;
  let den = n * (n - 1n);
  if (e >= 0) num <<= BigInt(2 * e);
  else den <<= BigInt(-2 * e);
  return sqrtOfFrac(num, den);
}
