/**
 * `Promise.all(items.map(fn))` with at most `limit` calls running at once, results in input order.
 * For many small storage reads: enough in flight to overlap their latency, few enough not to
 * queue ahead of every other request's reads.
 */

/**
 * Maps `items` through `fn`, `limit` at a time; rejects with the first error.
 *
 * @example
 * ```ts
 * const docs = await mapLimit(keys, 8, (k) => storage.read(k));
 * ```
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
