/**
 * Views of a sweep's runs (the checked ones, else every run the table shows): parallel
 * coordinates over the table's parameter and metric columns, one line per run; and a scatter of
 * one parameter against one metric (a log axis when the values span two decades, as learning
 * rates do). Drawn as SVG; a run's name shows on hover, a click opens it.
 */
import { go, type Route, setQuery } from "../route.ts";
import { fmtNum } from "../chart/format.ts";
import { seriesStyle } from "../chart/palette.ts";
import { cell, type Column, type TableRow } from "../table/columns.ts";

interface Props {
  rows: TableRow[];
  cols: Column[];
  allCols: Column[];
  route: Route;
  fromSelection: boolean;
}

const W = 900;
const H = 320;
const PAD = { l: 70, r: 80, t: 34, b: 40 };
/** Values keep clear of the frame: position p in 0..1 is drawn at 4%..96%. */
const inset = (p: number): number => 0.04 + p * 0.92;

/** An axis over a column's values: numeric (log when they span two decades and are positive) or categories. */
interface Axis {
  key: string;
  label: string;
  /** Position 0..1 of a row's value, or null when it has none. */
  pos: (r: TableRow) => number | null;
  ticks: [number, string][];
}

function axisOf(rows: readonly TableRow[], key: string, label: string): Axis | null {
  const vals = rows.map((r) => cell(r, key)).filter((v) => v !== undefined && v !== null);
  if (vals.length === 0) return null;
  if (vals.every((v) => typeof v === "number")) {
    const nums = vals as number[];
    let lo = Math.min(...nums);
    let hi = Math.max(...nums);
    const log = lo > 0 && hi / lo >= 100;
    const f = (v: number): number => (log ? Math.log10(v) : v);
    if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
    const [a, b] = [f(lo), f(hi)];
    const pos = (r: TableRow): number | null => {
      const v = cell(r, key);
      return typeof v === "number" && (!log || v > 0) ? (f(v) - a) / (b - a) : null;
    };
    return { key, label: log ? `${label} (log)` : label, pos, ticks: [[0, fmtNum(lo)], [1, fmtNum(hi)]] };
  }
  const cats = [...new Set(vals.map((v) => (typeof v === "string" ? v : JSON.stringify(v))))].sort();
  const pos = (r: TableRow): number | null => {
    const v = cell(r, key);
    if (v === undefined || v === null) return null;
    const k = cats.indexOf(typeof v === "string" ? v : JSON.stringify(v));
    return cats.length === 1 ? 0.5 : k / (cats.length - 1);
  };
  return { key, label, pos, ticks: cats.map((c, k) => [cats.length === 1 ? 0.5 : k / (cats.length - 1), c]) };
}

/** The two views and their switch. */
export function SweepPlots({ rows, cols, allCols, route, fromSelection }: Props) {
  const view = route.q.get("plot") ?? "";
  const params = allCols.filter((c) => c.kind === "param");
  const metrics = allCols.filter((c) => c.kind === "metric");
  const sx = route.q.get("sx") ?? cols.find((c) => c.kind === "param")?.key ?? params[0]?.key ?? "";
  const sy = route.q.get("sy") ?? cols.find((c) => c.kind === "metric")?.key ?? metrics[0]?.key ?? "";
  const label = (k: string): string => allCols.find((c) => c.key === k)?.label ?? k;
  return (
    <div class="sweep" data-testid="sweep-plots">
      <div class="toolbar">
        <button type="button" aria-pressed={view === "parallel"} onClick={() => setQuery({ plot: view === "parallel" ? undefined : "parallel" })}>
          Parallel coordinates
        </button>
        <button type="button" aria-pressed={view === "scatter"} onClick={() => setQuery({ plot: view === "scatter" ? undefined : "scatter" })}>
          Parameter vs metric
        </button>
        {view && <span class="note">{rows.length} {fromSelection ? "checked" : "shown"} runs{fromSelection ? "" : " (check runs to plot only those)"}</span>}
        {view === "scatter" && (
          <>
            <label>
              x
              <select aria-label="Scatter x" value={sx} onChange={(e) => setQuery({ sx: (e.target as HTMLSelectElement).value })}>
                {[...params, ...metrics].map((c) => (
                  <option key={c.key} value={c.key}>{c.label}</option>
                ))}
              </select>
            </label>
            <label>
              y
              <select aria-label="Scatter y" value={sy} onChange={(e) => setQuery({ sy: (e.target as HTMLSelectElement).value })}>
                {[...metrics, ...params].map((c) => (
                  <option key={c.key} value={c.key}>{c.label}</option>
                ))}
              </select>
            </label>
          </>
        )}
      </div>
      {view === "parallel" && <Parallel rows={rows} cols={cols.filter((c) => c.kind !== "run")} />}
      {view === "scatter" && <Scatter rows={rows} x={axisOf(rows, sx, label(sx))} y={axisOf(rows, sy, label(sy))} />}
    </div>
  );
}

function Parallel({ rows, cols }: { rows: TableRow[]; cols: Column[] }) {
  const axes = cols.map((c) => axisOf(rows, c.key, c.label)).filter((a): a is Axis => a !== null);
  if (axes.length < 2) return <div class="empty">Pick at least two parameter or metric columns with values (Columns menu) to draw parallel coordinates.</div>;
  const ax = (k: number): number => PAD.l + ((W - PAD.l - PAD.r) * k) / (axes.length - 1);
  const ay = (p: number): number => H - PAD.b - inset(p) * (H - PAD.t - PAD.b);
  return (
    <svg class="plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Parallel coordinates" data-testid="parallel">
      {rows.map((r, i) => {
        const pts = axes.map((a, k) => [ax(k), a.pos(r)] as const).filter(([, p]) => p !== null).map(([x, p]) => `${x},${ay(p as number)}`);
        return (
          <polyline key={r.summary.path} class="pline" points={pts.join(" ")} fill="none" stroke={seriesStyle(i).color} stroke-width="1.5" onClick={() => go(r.summary.path)}>
            <title>{r.summary.path}</title>
          </polyline>
        );
      })}
      {axes.map((a, k) => (
        <g key={a.key}>
          <line x1={ax(k)} x2={ax(k)} y1={H - PAD.b} y2={PAD.t} class="paxis" />
          <text x={ax(k)} y={PAD.t - 12} text-anchor="middle" class="plabel">{a.label.length > 22 ? a.label.slice(0, 21) + "…" : a.label}</text>
          {a.ticks.map(([p, t]) => (
            <text key={t} x={ax(k) + 4} y={ay(p) + 4} class="ptick">{t}</text>
          ))}
        </g>
      ))}
    </svg>
  );
}

function Scatter({ rows, x, y }: { rows: TableRow[]; x: Axis | null; y: Axis | null }) {
  if (!x || !y) return <div class="empty">The chosen columns have no values in these runs: pick others above.</div>;
  const px = (p: number): number => PAD.l + inset(p) * (W - PAD.l - PAD.r);
  const py = (p: number): number => H - PAD.b - inset(p) * (H - PAD.t - PAD.b);
  return (
    <svg class="plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${y.label} against ${x.label}`} data-testid="scatter">
      <line x1={PAD.l} x2={W - PAD.r} y1={H - PAD.b} y2={H - PAD.b} class="paxis" />
      <line x1={PAD.l} x2={PAD.l} y1={H - PAD.b} y2={PAD.t} class="paxis" />
      {x.ticks.map(([p, t]) => (
        <text key={`x${t}`} x={px(p)} y={H - PAD.b + 16} text-anchor="middle" class="ptick">{t}</text>
      ))}
      {y.ticks.map(([p, t]) => (
        <text key={`y${t}`} x={PAD.l - 6} y={py(p) + 4} text-anchor="end" class="ptick">{t}</text>
      ))}
      <text x={px(0.5)} y={H - 6} text-anchor="middle" class="plabel">{x.label}</text>
      <text x={14} y={py(0.5)} text-anchor="middle" class="plabel" transform={`rotate(-90 14 ${py(0.5)})`}>{y.label}</text>
      {rows.map((r, i) => {
        const a = x.pos(r);
        const b = y.pos(r);
        if (a === null || b === null) return null;
        return (
          <circle key={r.summary.path} class="pdot" cx={px(a)} cy={py(b)} r="6" fill={seriesStyle(i).color} onClick={() => go(r.summary.path)}>
            <title>{`${r.summary.path}\n${x.label}: ${String(cell(r, x.key))}\n${y.label}: ${fmtNum(cell(r, y.key) as number)}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
