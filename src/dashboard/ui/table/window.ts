/**
 * Which rows of a long runs table are drawn: the ones in view and {@link OVERSCAN} either side.
 * A table of 200 runs spent ~330 ms of the page's thread building, laying out and painting rows
 * nobody could see; a sweep of thousands froze the page. Tables up to {@link WINDOW_FROM} rows
 * are drawn whole (the browser's find-in-page sees every run); the filter box finds the rest.
 */

/** Rows (runs and group headings) from which the table draws only a window of them. */
export const WINDOW_FROM = 100;
/** Rows drawn above and below the ones in view, so a scroll shows drawn rows before the next window comes. */
export const OVERSCAN = 30;
/** Row height assumed until one is measured (a single-line row of the table's CSS). */
export const ROW_PX_GUESS = 29;

/** The drawn rows, `[first, end)`, and the ones of them in view, `[viewFirst, viewEnd)`. */
export interface RowWindow {
  first: number;
  end: number;
  viewFirst: number;
  viewEnd: number;
}

/**
 * The rows to draw when the scroll container shows `[viewTop, viewBottom)` and the table body
 * starts at `bodyTop` (all in the same coordinates), each row `rowPx` high.
 *
 * @example
 * ```ts
 * rowWindow({ count: 1000, rowPx: 30, bodyTop: 200, viewTop: 0, viewBottom: 800 }); // { first: 0, end: 50, viewFirst: 0, viewEnd: 20 }
 * ```
 */
export function rowWindow(o: { count: number; rowPx: number; bodyTop: number; viewTop: number; viewBottom: number }): RowWindow {
  const { count } = o;
  if (count <= WINDOW_FROM) return { first: 0, end: count, viewFirst: 0, viewEnd: count };
  const rowPx = o.rowPx > 0 ? o.rowPx : ROW_PX_GUESS;
  const viewFirst = clamp(Math.floor((o.viewTop - o.bodyTop) / rowPx), 0, count);
  const viewEnd = clamp(Math.ceil((o.viewBottom - o.bodyTop) / rowPx), viewFirst, count);
  return { first: Math.max(0, viewFirst - OVERSCAN), end: Math.min(count, viewEnd + OVERSCAN), viewFirst, viewEnd };
}

/**
 * True when the drawn window `now` must move for `next`: the rows in view come within a third
 * of the overscan of its edge (a scroll inside the overscan redraws nothing).
 */
export function mustMove(now: RowWindow, next: RowWindow, count: number): boolean {
  const margin = OVERSCAN / 3;
  const topOk = now.first === 0 || next.viewFirst - now.first >= margin;
  const bottomOk = now.end === count || now.end - next.viewEnd >= margin;
  return !(topOk && bottomOk && now.first <= next.viewFirst && now.end >= next.viewEnd);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
