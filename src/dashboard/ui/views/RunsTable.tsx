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
        <table class="runs" data-testid="run-list">
          <thead>
            <tr>
              <th><span class="sr">compare</span></th>
              {shownCols.map((c) => (
                <th key={c.key} aria-sort={sortKey === c.key ? (desc ? "descending" : "ascending") : undefined}>
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

const sameList = <T,>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The table's rows, drawn again only when what they show changed: the page re-renders on every
 * poll and when the tree comes in, and diffing 200 rows each time cost ~50 ms of the page's thread.
 */
class RowsBody extends Component<BodyProps> {
  override shouldComponentUpdate(next: BodyProps): boolean {
    const p = this.props;
    // `onCheck` is made anew by every render of the app; it acts on `checked`, compared here.
    return !(p.path === next.path && sameList(p.cols, next.cols) && sameList(p.checked, next.checked) && p.groups.length === next.groups.length && p.groups.every(([name, rows], i) => name === next.groups[i]?.[0] && sameList(rows, next.groups[i]?.[1] ?? [])));
  }

  override render() {
    const { groups, cols: shownCols, checked, onCheck, path } = this.props;
    return (
      <tbody>
        {groups.map(([name, members]) => [
          name ? (
            <tr class="grouprow" key={`g:${name}`}>
              <td colSpan={shownCols.length + 1}>
                {name} <span class="note">({members.length} run{members.length === 1 ? "" : "s"})</span>
              </td>
            </tr>
          ) : null,
          ...members.map((r) => (
            <tr key={r.summary.path} data-run={r.summary.path}>
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
          )),
        ])}
      </tbody>
    );
  }
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
