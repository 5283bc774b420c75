/**
 * How much of a measurement a store spent appending: the adapter is wrapped so that each
 * `append`/`appendParts` call records when it started and when its promise settled (an
 * `appendSync` call, when it returned), and
 * `inFlightMs(from, to)` is the wall time in [from, to] with at least one append in flight.
 * A row whose appends fill most of its time is bound by the store, not by the SDK.
 */
import type { StorageAdapter } from "../src/storage/contract.ts";

/** `storage` with its appends timed, and the wall time they were in flight between two instants. */
export function timeAppends(storage: StorageAdapter): { storage: StorageAdapter; inFlightMs(from: number, to: number): number } {
  const spans: Array<[number, number]> = [];
  const timed =
    <A extends unknown[]>(call: (...args: A) => Promise<void>) =>
    (...args: A): Promise<void> => {
      const start = performance.now();
      const settled = (): void => void spans.push([start, performance.now()]);
      return call(...args).finally(settled);
    };
  const append = timed(storage.append.bind(storage));
  const appendParts = storage.appendParts ? timed(storage.appendParts.bind(storage)) : undefined;
  const appendSync = storage.appendSync
    ? (key: string, data: Uint8Array): boolean => {
        const start = performance.now();
        try {
          return (storage.appendSync as NonNullable<StorageAdapter["appendSync"]>).call(storage, key, data);
        } finally {
          spans.push([start, performance.now()]);
        }
      }
    : undefined;
  // A proxy whose other methods run on the adapter itself (a class's private fields need that).
  const wrapped = new Proxy(storage, {
    get(target, key) {
      if (key === "append") return append;
      if (key === "appendParts") return appendParts;
      if (key === "appendSync") return appendSync;
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    storage: wrapped,
    inFlightMs(from, to) {
      // The union of the spans, clipped to [from, to] (appends to one key run in order, but
      // different keys may overlap).
      const inside = spans.map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a);
      inside.sort((x, y) => x[0] - y[0]);
      let total = 0;
      let end = -Infinity;
      for (const [a, b] of inside) {
        if (b <= end) continue;
        total += b - Math.max(a, end);
        end = b;
      }
      return total;
    },
  };
}
