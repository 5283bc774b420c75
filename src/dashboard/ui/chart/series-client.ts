/**
 * One series as the browser keeps it: the points received so far plus the cursor for the next
 * incremental request. A poll sends `since`/`bw`; the server answers 304 (nothing new) or the
 * buckets from `from` on, which replace the tail kept here.
 */
import { getJson, type SeriesResponse } from "../api.ts";

/** What identifies a series request. */
export interface SeriesKey {
  run: string;
  metric: string;
  field: string;
  /** Server x key: `default`, `index`, `step`, `epoch`, `_ts`, or any field. */
  x: string;
  bins: number;
  xmin?: number | undefined;
  xmax?: number | undefined;
}

/** Received points and what the server said about them. */
export class SeriesClient {
  i: number[] = [];
  x: number[] = [];
  y: (number | null)[] = [];
  meta: Omit<SeriesResponse, "i" | "x" | "y" | "fields"> | undefined;
  error: string | undefined;

  constructor(readonly key: SeriesKey) {}

  /** Fetches what is new; true when the points changed. */
  async update(): Promise<boolean> {
    const k = this.key;
    const incremental = this.meta !== undefined && k.xmin === undefined && k.xmax === undefined;
    try {
      const { data, changed } = await getJson<SeriesResponse>("series", {
        path: k.run,
        metric: k.metric,
        y: k.field,
        x: k.x,
        bins: k.bins,
        xmin: k.xmin,
        xmax: k.xmax,
        since: incremental ? this.meta?.nextIndex : undefined,
        bw: incremental ? this.meta?.bucketWidth : undefined,
      });
      this.error = undefined;
      if (!changed && this.meta) return false;
      if (data.reset) {
        this.i = data.i;
        this.x = data.x;
        this.y = data.y;
      } else {
        let keep = this.i.length;
        while (keep > 0 && (this.i[keep - 1] as number) >= data.from) keep--;
        this.i = this.i.slice(0, keep).concat(data.i);
        this.x = this.x.slice(0, keep).concat(data.x);
        this.y = this.y.slice(0, keep).concat(data.y);
      }
      const { i: _i, x: _x, y: _y, fields: _f, ...meta } = data;
      this.meta = meta;
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return true;
    }
  }
}
