/**
 * What a queued record costs the byte-bounded buffer (`maxQueueBytes`), estimated cheaply at
 * the call: the buffer drops the oldest records by this count, so every domain estimates alike.
 */
import type { PlainValue } from "../model/values.ts";

/** A cheap estimate of the memory a normalised value holds. */
export function estimateBytes(v: PlainValue): number {
  if (typeof v === "number" || typeof v === "boolean" || v === null) return 8;
  if (typeof v === "string") return 16 + v.length * 2;
  if (typeof v === "bigint") return 32;
  let n = 32;
  if (Array.isArray(v)) for (const x of v) n += estimateBytes(x);
  else for (const k in v) n += 16 + k.length * 2 + estimateBytes(v[k] as PlainValue);
  return n;
}
