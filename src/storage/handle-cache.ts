/**
 * Open file handles by key, least recently used first, at most `max` of them. File-system
 * adapters keep append handles open across flushes (one `open` per stream, not per batch)
 * without running out of descriptors.
 */
export class HandleCache<H> {
  private readonly handles = new Map<string, H>(); // insertion order = LRU order

  constructor(private readonly max: number) {}

  /** The handle of `key`, marked most recently used. */
  get(key: string): H | undefined {
    const h = this.handles.get(key);
    if (h !== undefined) {
      this.handles.delete(key);
      this.handles.set(key, h);
    }
    return h;
  }

  /** Adds a handle; returns the handles evicted to stay within `max` (the caller closes them). */
  add(key: string, h: H): [string, H][] {
    this.handles.set(key, h);
    const evicted: [string, H][] = [];
    for (const [k, v] of this.handles) {
      if (this.handles.size <= this.max || k === key) break;
      this.handles.delete(k);
      evicted.push([k, v]);
    }
    return evicted;
  }

  /** Removes and returns the handle of `key`. */
  take(key: string): H | undefined {
    const h = this.handles.get(key);
    this.handles.delete(key);
    return h;
  }

  /** Keys with an open handle, oldest first. */
  keys(): string[] {
    return [...this.handles.keys()];
  }
}
