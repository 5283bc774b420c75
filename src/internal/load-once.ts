/**
 * Code (or a resource) made on first use: `load` runs once, every caller shares its promise,
 * and a failed load (a chunk that did not arrive, a store that could not be made) is tried
 * again by the next call instead of failing forever.
 */

/** `load`, called at most once at a time and once for good. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      const p = load();
      loading = p;
      p.catch(() => {
        if (loading === p) loading = undefined;
      });
    }
    return loading;
  };
}
