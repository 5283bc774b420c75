/**
 * TensorBoard's smoothing: an exponential moving average, debiased by the number of finite
 * points seen so far (so the curve does not start at zero), skipping NaN/±Infinity/gaps, and
 * leaving a constant series as it is.
 */

/** Smoothed copy of `ys` with weight `w` in [0, 1). `null`/`undefined` stay as they are. */
export function smoothEma(ys: readonly (number | null | undefined)[], w: number): (number | null | undefined)[] {
  if (w <= 0) return ys.slice();
  let first: number | undefined;
  let constant = true;
  for (const y of ys) {
    if (typeof y !== "number" || !Number.isFinite(y)) continue;
    if (first === undefined) first = y;
    else if (y !== first) {
      constant = false;
      break;
    }
  }
  if (constant) return ys.slice();
  let last = 0;
  let n = 0;
  return ys.map((y) => {
    if (typeof y !== "number" || !Number.isFinite(y)) return y;
    last = last * w + (1 - w) * y;
    n++;
    return last / (1 - Math.pow(w, n));
  });
}
