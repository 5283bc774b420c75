/**
 * A {@link Reader} whose implementation is loaded on the first read. Reads are async anyway,
 * and a page that only logs never needs the code that reads runs back.
 */
import type { Reader } from "../backend.ts";

/** Forwards every read to the reader `load` makes, calling `load` once (again after a failure). */
export function deferredReader(load: () => Promise<Reader>): Reader {
  let loading: Promise<Reader> | undefined;
  const reader = (): Promise<Reader> => {
    if (!loading) {
      const p = load();
      loading = p;
      p.catch(() => {
        if (loading === p) loading = undefined;
      });
    }
    return loading;
  };
  return {
    readMetric: async (name, startIndex, limit) => (await reader()).readMetric(name, startIndex, limit),
    metricStats: async (name) => (await reader()).metricStats(name),
    listMetrics: async () => (await reader()).listMetrics(),
    readTrack: async (topic, options) => (await reader()).readTrack(topic, options),
    readLogs: async (startSequence, limit) => (await reader()).readLogs(startSequence, limit),
  };
}
