/**
 * A {@link Reader} whose implementation is loaded on the first read. Reads are async anyway,
 * and a page that only logs never needs the code that reads runs back.
 */
import type { Reader } from "../model/backend.ts";
import { loadOnce } from "../internal/load-once.ts";

/** Forwards every read to the reader `load` makes, calling `load` once (again after a failure). */
export function deferredReader(load: () => Promise<Reader>): Reader {
  const reader = loadOnce(load);
  return {
    readMetric: async (name, startIndex, limit) => (await reader()).readMetric(name, startIndex, limit),
    metricStats: async (name) => (await reader()).metricStats(name),
    listMetrics: async () => (await reader()).listMetrics(),
    readTrack: async (topic, options) => (await reader()).readTrack(topic, options),
    readLogs: async (startSequence, limit) => (await reader()).readLogs(startSequence, limit),
  };
}
