/**
 * The runs of a folder as a table for sweeps: the run's status, tags and duration, its
 * parameters and metric summaries (last, min, max) as columns to pick, sort and filter with an
 * expression (`lr < 0.01 and status = COMPLETED`); grouped by a parameter it shows each group's
 * mean with its min–max band; checked runs open the comparison, and the parallel-coordinates
 * and parameter-vs-metric views. The view lives in the URL (`where`, `sort`, `cols`, `group`).
 */
import { Component } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { getJson, runHref } from "../api.ts";
import { Chart, type LineSpec } from "../chart/Chart.tsx";
import { seriesStyle } from "../chart/palette.ts";
import { linkClick, type Route, setQuery } from "../route.ts";
import { allColumns, cell, cellText, type Column, defaultColumns, groupRows, sortRows, type TableRow } from "../table/columns.ts";
import { FilterError, parseFilter } from "../table/filter-expr.ts";
import { Badge } from "./Badge.tsx";
import { setZoom, type ChartSettings } from "./ChartControls.tsx";
import { mustMove, ROW_PX_GUESS, rowWindow, type RowWindow, WINDOW_FROM } from "../table/window.ts";
import { SweepPlots } from "./SweepPlots.tsx";

interface Props {
  path: string;
  route: Route;
  s: ChartSettings;
  checked: string[];
  onCheck: (path: string, on: boolean) => void;
  /** Changes when the run list does (new runs, new writes): the table reloads. `null` while the list is not in. */
  version: string | null;
}

/** The table. */
export function RunsTable({ path, route, s, checked, onCheck, version }: Props) {
  const [rows, setRows] = useState<TableRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState(route.q.get("where") ?? "");
  const asked = useRef<{ path: string; version: string | null } | null>(null);
  useEffect(() => {
    const before = asked.current;
    asked.current = { path, version };
    // The run list came in after the table was asked for: nothing changed that it shows.
    if (before?.path === path && before.version === null) return;
    getJson<{ rows: TableRow[] }>("table", path ? { under: path } : {}).then(
      ({ data }) => (setRows(data.rows), setError(null)),
      (err: Error) => setError(err.message),
    );
  }, [path, version]);

  // The sweep plots (SVG over every row) are drawn after the rows are on screen, not before.
  const [plotsDue, setPlotsDue] = useState(false);
  useEffect(() => void (rows && setPlotsDue(true)), [rows !== null]);

  const cols = useMemo(() => allColumns(rows ?? []), [rows]);
  const where = route.q.get("where") ?? "";
  const find = (route.q.get("find") ?? "").toLowerCase();
  const sortKey = (route.q.get("sort") ?? "").replace(/^-/, "");
  const desc = (route.q.get("sort") ?? "").startsWith("-");
  const group = route.q.get("group") ?? "";
  const picked = route.q.get("cols")?.split(",").filter(Boolean) ?? defaultColumns(rows ?? [], cols);
  const shownCols = picked.map((k) => cols.find((c) => c.key === k)).filter((c): c is Column => !!c);

  let filterError: string | null = null;
  let shown = rows ?? [];
  if (find) shown = shown.filter((r) => r.summary.path.toLowerCase().includes(find));
  try {
    const known = new Set(cols.map((c) => c.key));
    const pred = parseFilter(where, (n) => known.has(n) || known.has(`params.${n}`) || /\.(min|max|last)$/.test(n) && known.has(n.replace(/\.(min|max|last)$/, "")));
    shown = shown.filter((r) => pred((n) => cell(r, n)));
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    filterError = err.message;
  }
  if (sortKey) shown = sortRows(shown, sortKey, desc);
  const groups = group ? groupRows(shown, group) : [["", shown] as [string, TableRow[]]];
  const metricCols = shownCols.filter((c) => c.kind === "metric");
  const metricNames = [...new Set(cols.filter((c) => c.kind === "metric" && !/\.(min|max)$/.test(c.key)).map((c) => c.key))];
  const chartMetric = route.q.get("gm") ?? (metricCols.find((c) => c.key === sortKey) ?? metricCols[0])?.key.replace(/\.(min|max)$/, "");
  const selected = shown.filter((r) => checked.includes(r.summary.path));

  const sortBy = (key: string): void => setQuery({ sort: sortKey === key ? (desc ? undefined : `-${key}`) : key });
  const toggleCol = (key: string, on: boolean): void => setQuery({ cols: (on ? [...picked, key] : picked.filter((k) => k !== key)).join(",") });

  if (error) return <div class="err">Could not load the runs table: {error}</div>;
  if (!rows) return <div class="empty">Loading the runs table…</div>;
  const paramCols = cols.filter((c) => c.kind === "param");
  // A long table draws only the rows in view (table/window.ts): its columns take the width of
  // their longest text over every row, so they keep their width while it scrolls.
  const lines = groups.reduce((n, [name, members]) => n + members.length + (name ? 1 : 0), 0);
  const widths = lines > WINDOW_FROM ? columnChars(shown, shownCols, path) : null;

  return (
    <div data-testid="runs-table">
      <div class="toolbar" role="group" aria-label="Runs table">
        <form
          class="where"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ where: draft.trim() || undefined });
          }}
        >
          <input type="search" aria-label="Filter expression" placeholder="filter: lr < 0.01 and status = COMPLETED" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
          <button type="submit">Apply</button>
        </form>
        <label>
          group by
          <select aria-label="Group by" value={group} onChange={(e) => setQuery({ group: (e.target as HTMLSelectElement).value || undefined })}>
            <option value="">—</option>
            {paramCols.map((c) => (
              <option key={c.key} value={c.key}>{c.label}</option>
            ))}
          </select>
        </label>
        {group && (
          <label>
            chart
            <select aria-label="Group chart metric" value={chartMetric ?? ""} onChange={(e) => setQuery({ gm: (e.target as HTMLSelectElement).value })}>
              {metricNames.map((m) => (
                <option key={m} value={m}>{m}</option>
              ))}
            </select>
          </label>
        )}
        <details class="picker">
          <summary>Columns ({shownCols.length})</summary>
          <div class="picklist" role="group" aria-label="Columns">
            {cols.map((c) => (
              <label key={c.key}>
                <input type="checkbox" checked={picked.includes(c.key)} onChange={(e) => toggleCol(c.key, (e.target as HTMLInputElement).checked)} /> {c.label}
              </label>
            ))}
          </div>
        </details>
        <span class="note" data-testid="table-count">{shown.length} of {rows.length} runs</span>
        {selected.length >= 2 && (
          <button type="button" onClick={() => setQuery({ view: "compare" }, true)}>
            Compare {selected.length} selected
          </button>
        )}
      </div>
      {filterError && <div class="err" data-testid="filter-error">{filterError}</div>}
      <div class="tablewrap">
        <table class="runs" data-testid="run-list" aria-rowcount={widths ? lines + 1 : undefined}>
          <thead>
            <tr>
              <th><span class="sr">compare</span></th>
              {shownCols.map((c) => (
                <th key={c.key} aria-sort={sortKey === c.key ? (desc ? "descending" : "ascending") : undefined} style={widths?.has(c.key) ? { minWidth: `${widths.get(c.key)}ch` } : undefined}>
                  <button type="button" class="sort" onClick={() => sortBy(c.key)} title={`Sort by ${c.label}`}>
                    {c.label}
                    {sortKey === c.key ? (desc ? " ▼" : " ▲") : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <RowsBody groups={groups} cols={shownCols} checked={checked} onCheck={onCheck} path={path} />
        </table>
      </div>
      {group && chartMetric && <GroupChart groups={groups} metric={chartMetric} s={s} />}
      {plotsDue && <SweepPlots rows={selected.length >= 2 ? selected : shown} cols={shownCols} allCols={cols} route={route} fromSelection={selected.length >= 2} />}
    </div>
  );
}

interface BodyProps {
  groups: [string, TableRow[]][];
  cols: Column[];
  checked: string[];
  onCheck: (path: string, on: boolean) => void;
  path: string;
}

interface BodyState {
  /** The rows drawn, for a table longer than {@link WINDOW_FROM} rows. */
  win: RowWindow | null;
  /** A row's height as measured on screen (0 until measured). */
  rowPx: number;
}

/** One line of the table body: a group's heading or a run. */
type Item = { group: string; size: number } | TableRow;

const sameList = <T,>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The element that scrolls the table up and down (the page's main pane), or `null` for the
 * window. The table's own wrapper scrolls sideways only (its overflow-y computes to auto too).
 */
function scrollerOf(el: Element): HTMLElement | null {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const y = getComputedStyle(p).overflowY;
    if ((y === "auto" || y === "scroll") && p.scrollHeight > p.clientHeight + 1) return p;
  }
  return null;
}

/**
 * The table's rows, drawn again only when what they show changed: the page re-renders on every
 * poll and when the tree comes in, and diffing 200 rows each time cost ~50 ms of the page's thread.
 * A long table draws the rows in view and {@link OVERSCAN} either side (see table/window.ts),
 * with spacer rows holding the height of the others, so the scroll bar is the whole table's.
 */
class RowsBody extends Component<BodyProps, BodyState> {
  override state: BodyState = { win: null, rowPx: 0 };
  private body: HTMLTableSectionElement | null = null;
  private scroller: HTMLElement | null = null;
  private listening = false;
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  override shouldComponentUpdate(next: BodyProps, nextState: BodyState): boolean {
    const p = this.props;
    if (nextState.win !== this.state.win || nextState.rowPx !== this.state.rowPx) return true;
    // `onCheck` is made anew by every render of the app; it acts on `checked`, compared here.
    return !(p.path === next.path && sameList(p.cols, next.cols) && sameList(p.checked, next.checked) && p.groups.length === next.groups.length && p.groups.every(([name, rows], i) => name === next.groups[i]?.[0] && sameList(rows, next.groups[i]?.[1] ?? [])));
  }

  override componentDidMount(): void {
    this.follow();
  }

  override componentDidUpdate(): void {
    this.follow();
  }

  override componentWillUnmount(): void {
    this.unlisten();
  }

  private items(): Item[] {
    return this.props.groups.flatMap(([name, members]): Item[] => (name ? [{ group: name, size: members.length }, ...members] : members));
  }

  /**
   * Listens to scrolling while the table is long, and moves the window to what is in view. The
   * first measure waits until the rows are painted: reading a layout in here forced the page's
   * first one inside the render (a quarter of a second of it on this machine's 2 cores).
   */
  private follow(): void {
    if (this.items().length <= WINDOW_FROM || !this.body) return this.unlisten();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.frame = requestAnimationFrame(() => {
      this.timer = setTimeout(() => this.listen(), 0);
    });
  }

  private listen(): void {
    if (!this.body || this.items().length <= WINDOW_FROM) return;
    if (!this.listening) {
      this.listening = true;
      this.scroller = scrollerOf(this.body);
      (this.scroller ?? window).addEventListener("scroll", this.onScroll, { passive: true });
      window.addEventListener("resize", this.onScroll, { passive: true });
    }
    this.place();
  }

  private unlisten(): void {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    if (!this.listening) return;
    this.listening = false;
    (this.scroller ?? window).removeEventListener("scroll", this.onScroll);
    window.removeEventListener("resize", this.onScroll);
  }

  private readonly onScroll = (): void => {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.place());
  };

  /** Measures where the body and its rows are, and moves the window when the rows in view need it. */
  private place(): void {
    const body = this.body;
    if (!body) return;
    const count = this.items().length;
    const drawn = body.querySelectorAll<HTMLElement>(":scope > tr:not(.spacer)");
    const a = drawn[0];
    const b = drawn[drawn.length - 1];
    const measured = a && b && drawn.length > 1 ? (b.getBoundingClientRect().bottom - a.getBoundingClientRect().top) / drawn.length : 0;
    // A changed height only counts from half a pixel: the average over other rows may differ by rounding.
    const rowPx = measured > 0 && Math.abs(measured - this.state.rowPx) >= 0.5 ? measured : this.state.rowPx;
    const view = this.scroller ? this.scroller.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
    const next = rowWindow({ count, rowPx, bodyTop: body.getBoundingClientRect().top, viewTop: Math.max(view.top, 0), viewBottom: Math.min(view.bottom, window.innerHeight) });
    const now = this.state.win ?? this.firstWindow(count);
    const move = mustMove(now, next, count);
    if (move || rowPx !== this.state.rowPx) this.setState({ win: move ? next : now, rowPx });
  }

  /** Before anything is measured: the rows a screen from the top of the table can show. */
  private firstWindow(count: number): RowWindow {
    return rowWindow({ count, rowPx: ROW_PX_GUESS, bodyTop: 0, viewTop: 0, viewBottom: typeof innerHeight === "number" ? innerHeight : 1000 });
  }

  override render() {
    const { cols: shownCols, checked, onCheck, path } = this.props;
    const items = this.items();
    const windowed = items.length > WINDOW_FROM;
    const at = windowed ? (this.state.win ?? this.firstWindow(items.length)) : null;
    // A filter may have shortened the list under the window: clamp it (the next layout moves it).
    const win = at ? { first: Math.min(at.first, items.length), end: Math.min(at.end, items.length) } : { first: 0, end: items.length };
    const rowPx = this.state.rowPx || ROW_PX_GUESS;
    const span = shownCols.length + 1;
    const spacer = (rows: number, key: string) =>
      rows > 0 ? (
        <tr class="spacer" key={key} aria-hidden="true">
          <td colSpan={span} style={{ height: `${rows * rowPx}px` }} />
        </tr>
      ) : null;
    return (
      <tbody ref={(el) => void (this.body = el)}>
        {spacer(win.first, "spacer-top")}
        {items.slice(win.first, win.end).map((r, i) =>
          "group" in r ? (
            <tr class="grouprow" key={`g:${r.group}`} aria-rowindex={windowed ? win.first + i + 2 : undefined}>
              <td colSpan={span}>
                {r.group} <span class="note">({r.size} run{r.size === 1 ? "" : "s"})</span>
              </td>
            </tr>
          ) : (
            <tr key={r.summary.path} data-run={r.summary.path} aria-rowindex={windowed ? win.first + i + 2 : undefined}>
              <td>
                <input type="checkbox" checked={checked.includes(r.summary.path)} aria-label={`Compare ${r.summary.path}`} onChange={(e) => onCheck(r.summary.path, (e.target as HTMLInputElement).checked)} />
              </td>
              {shownCols.map((c) => (
                <td key={c.key} class={c.kind === "run" ? "" : "v"} data-col={c.key}>
                  {c.key === "name" ? (
                    <a href={runHref(r.summary.path)} onClick={(e) => linkClick(e as unknown as MouseEvent, r.summary.path)}>
                      {path ? r.summary.path.slice(path.length + 1) : r.summary.path}
                    </a>
                  ) : c.key === "status" ? (
                    <Badge run={r.summary} />
                  ) : (
                    cellText(r, c.key)
                  )}
                </td>
              ))}
            </tr>
          ),
        )}
        {spacer(items.length - win.end, "spacer-bottom")}
      </tbody>
    );
  }
}

/** Widest text of each column over `rows`, in characters (the status badge's column sizes itself). */
function columnChars(rows: readonly TableRow[], cols: readonly Column[], path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of cols) {
    if (c.key === "status") continue;
    let most = c.label.length + 2; // the heading and its sort arrow
    for (const r of rows) most = Math.max(most, c.key === "name" ? r.summary.path.length - (path ? path.length + 1 : 0) : cellText(r, c.key).length);
    out.set(c.key, Math.min(most, 60));
  }
  return out;
}

/** Each group's mean of `metric` over its runs, with the band from their minimum to their maximum. */
function GroupChart({ groups, metric, s }: { groups: [string, TableRow[]][]; metric: string; s: ChartSettings }) {
  const dot = metric.indexOf(".");
  const [m, f] = dot > 0 ? [metric.slice(0, dot), metric.slice(dot + 1)] : ["None", metric];
  const lines: LineSpec[] = groups.flatMap(([name, members], k) =>
    members.filter((r) => r.metrics[metric]).map((r) => ({ id: `${name}:${r.summary.path}`, run: r.summary.path, metric: m, field: f, label: name, group: name, band: true, ...seriesStyle(k) })),
  );
  return (
    <div class="grid" style="margin-top:14px" data-testid="group-chart">
      <Chart id={`groups#${metric}`} title={`${metric}: mean per group, band = min–max`} lines={lines} xMode={s.xMode} smoothing={s.smoothing} logY={s.logY} zoom={s.zoom} onZoom={setZoom} live={false} />
    </div>
  );
}
