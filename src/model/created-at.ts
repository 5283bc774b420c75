/**
 * When records were first stored, kept when they are copied to another store (`ml-dash upload`,
 * hybrid catch-up): metric lines carry a `createdAt` (Python ISO, one per write), and a copy that
 * stamped its own time would make `stats().firstDataAt` the upload time. A batch carries them
 * run-length encoded: `[count, iso]` pairs covering its records in order.
 */

/** `[count, iso]` pairs: the first `count` records were created at `iso`, the next pair continues. */
export type CreatedRuns = readonly (readonly [number, string])[];

/** Run-length encodes one time per record; undefined when any record has none. */
export function createdRuns(times: readonly unknown[]): CreatedRuns | undefined {
  const out: [number, string][] = [];
  for (const t of times) {
    if (typeof t !== "string") return undefined;
    const last = out[out.length - 1];
    if (last && last[1] === t) last[0]++;
    else out.push([1, t]);
  }
  return out.length > 0 ? out : undefined;
}

/** Records `[skip, skip + n)` of `runs`. */
export function sliceRuns(runs: CreatedRuns | undefined, skip: number, n: number): CreatedRuns | undefined {
  if (!runs) return undefined;
  const out: [number, string][] = [];
  let at = 0;
  for (const [count, iso] of runs) {
    const lo = Math.max(at, skip);
    const hi = Math.min(at + count, skip + n);
    if (hi > lo) out.push([hi - lo, iso]);
    at += count;
    if (at >= skip + n) break;
  }
  return out;
}

/** Total records covered by `runs`. */
export function runsLength(runs: CreatedRuns): number {
  let n = 0;
  for (const [count] of runs) n += count;
  return n;
}
