/**
 * Turns the series a chart holds into uPlot's aligned columns: x values joined across series
 * (missing = `undefined`, which uPlot bridges; NaN/Infinity = `null`, which it draws as a gap),
 * relative time, log-scale filtering, and group means for compare lines over several runs.
 */
import uPlot from "uplot";
import { seriesStyle } from "./palette.ts";
import type { SeriesClient } from "./series-client.ts";

/** One line of a chart. Lines sharing a `group` are drawn as their mean. */
export interface LineSpec {
  id: string;
  run: string;
  metric: string;
  field: string;
  label: string;
  color?: string | undefined;
  dash?: number[] | undefined;
  group?: string | undefined;
  /** With `group`: also draw the band from the members' minimum to their maximum. */
  band?: boolean | undefined;
  /** Run start (seconds), for relative time. */
  t0?: number | undefined;
}

/** The x key the server is asked for. */
export function serverX(xMode: string): string {
  return xMode === "relative" ? "_ts" : xMode;
}

/** Aligned data of a chart. */
export interface ChartData {
  x: number[];
  cols: (number | null | undefined)[][];
  labels: string[];
  styles: { color: string; dash: number[] }[];
  xName: string;
  /** Points hidden because the log scale cannot show them. */
  dropped: number;
  /** Min–max bands of grouped lines: the line's index in `cols` and the band's edges. */
  bands: { line: number; lo: (number | null | undefined)[]; hi: (number | null | undefined)[] }[];
}

/** Builds the aligned columns. */
export function buildData(lines: readonly LineSpec[], clients: ReadonlyMap<string, SeriesClient>, xMode: string, logY: boolean): ChartData {
  let dropped = 0;
  const tables: uPlot.AlignedData[] = [];
  for (const l of lines) {
    const c = clients.get(l.id);
    const t0 = xMode === "relative" ? (l.t0 ?? 0) : 0;
    const x = c ? (t0 ? c.x.map((v) => v - t0) : c.x) : [];
    let y: (number | null | undefined)[] = c ? c.y : [];
    if (logY) {
      y = y.map((v) => {
        if (typeof v === "number" && v <= 0) {
          dropped++;
          return undefined;
        }
        return v;
      });
    }
    tables.push([x, y] as uPlot.AlignedData);
  }
  const xName = clients.values().next().value?.meta?.xKey ?? (xMode === "relative" ? "relative" : xMode);
  const joined = tables.length === 0 ? [[]] : tables.length === 1 ? sortByX(tables[0] as uPlot.AlignedData) : (uPlot.join(tables) as unknown as (number | null | undefined)[][]);
  const x = joined[0] as number[];
  const cols: (number | null | undefined)[][] = [];
  const labels: string[] = [];
  const styles: { color: string; dash: number[] }[] = [];
  const groups = new Map<string, number[]>();
  lines.forEach((l, k) => {
    const key = l.group ?? `#${l.id}`;
    let g = groups.get(key);
    if (!g) {
      groups.set(key, (g = []));
      const auto = seriesStyle(groups.size - 1);
      labels.push(l.group ?? l.label);
      styles.push({ color: l.color ?? auto.color, dash: l.dash ?? auto.dash });
    }
    g.push(k + 1);
  });
  const bands: ChartData["bands"] = [];
  for (const members of groups.values()) {
    if (members.length === 1) cols.push(joined[members[0] as number] as (number | null | undefined)[]);
    else {
      const at = (r: number): (number | null | undefined)[] => members.map((m) => (joined[m] as (number | null | undefined)[])[r]);
      cols.push(x.map((_, r) => mean(at(r))));
      if (lines[(members[0] as number) - 1]?.band) {
        const nums = (r: number): number[] => at(r).filter((v): v is number => typeof v === "number");
        bands.push({ line: cols.length - 1, lo: x.map((_, r) => (nums(r).length ? Math.min(...nums(r)) : undefined)), hi: x.map((_, r) => (nums(r).length ? Math.max(...nums(r)) : undefined)) });
      }
    }
  }
  return { x, cols, labels, styles, xName, dropped, bands };
}

function mean(vs: (number | null | undefined)[]): number | null | undefined {
  let s = 0;
  let n = 0;
  let gap = false;
  for (const v of vs) {
    if (typeof v === "number") {
      s += v;
      n++;
    } else if (v === null) gap = true;
  }
  return n > 0 ? s / n : gap ? null : undefined;
}

function sortByX(t: uPlot.AlignedData): (number | null | undefined)[][] {
  const xs = t[0] as number[];
  const ys = t[1] as (number | null | undefined)[];
  let asc = true;
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) < (xs[i - 1] as number)) asc = false;
  if (asc) return [xs, ys];
  const order = xs.map((_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  return [order.map((i) => xs[i] as number), order.map((i) => ys[i])];
}
