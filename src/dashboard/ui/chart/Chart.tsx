/**
 * A line chart of one or more series (uPlot): downsampled on the server to about one bucket per
 * pixel, refetched at full resolution inside a drag-zoomed window, polled incrementally while
 * live, smoothed and log-scaled on the client, exportable as PNG and CSV. Axes carry titles; the
 * legend names each line once and shows its value under the cursor; a chart can be enlarged.
 */
import uPlot from "uplot";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { usePoll } from "../live.ts";
import { cssVar, useTheme } from "../theme.ts";
import { registerChart } from "../debug.ts";
import { chartCsv, chartPng, download, fileName } from "./export.ts";
import { smoothEma } from "./smooth.ts";
import { SeriesClient } from "./series-client.ts";
import { buildData, type LineSpec, serverX } from "./chart-data.ts";
import { fmtDuration, fmtNum, fmtX, xTitle } from "./format.ts";

export type { LineSpec } from "./chart-data.ts";

/** Props of {@link Chart}. */
export interface ChartProps {
  id: string;
  title: string;
  lines: LineSpec[];
  /** `default`, `index`, `step`, `epoch`, `_ts` (wall time), `relative` (seconds since the run began) or a field. */
  xMode: string;
  smoothing: number;
  logY: boolean;
  zoom: [number, number] | null;
  onZoom: (z: [number, number] | null) => void;
  live: boolean;
  bins?: number | undefined;
  xLabel?: string | undefined;
  yLabel?: string | undefined;
  height?: number;
}

/** One chart card. */
export function Chart(p: ChartProps) {
  const theme = useTheme();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef("");
  const clients = useRef(new Map<string, SeriesClient>());
  const [ver, setVer] = useState(0);
  const [width, setWidth] = useState(0);
  const [big, setBig] = useState(false);
  const legend = useRef<HTMLDivElement>(null);
  const height = big ? 480 : (p.height ?? 220);
  // About one bucket per pixel, as a power of two so a scrollbar or a resize rarely refetches.
  const bins = p.bins ?? Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(1, width))));
  const linesKey = JSON.stringify(p.lines.map((l) => [l.id, l.run, l.metric, l.field, l.t0]));
  const zoomKey = p.zoom ? p.zoom.join(",") : "";
  const onZoom = useRef(p.onZoom);
  onZoom.current = p.onZoom;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = (): void => setWidth(Math.round(el.clientWidth / 10) * 10);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A layout effect: the series requests leave before the page is painted, not a frame later.
  useLayoutEffect(() => {
    if (width === 0) return;
    const map = new Map<string, SeriesClient>();
    for (const l of p.lines) {
      const rel = p.xMode === "relative" ? (l.t0 ?? 0) : 0;
      map.set(l.id, new SeriesClient({ run: l.run, metric: l.metric, field: l.field, x: serverX(p.xMode), bins, xmin: p.zoom ? p.zoom[0] + rel : undefined, xmax: p.zoom ? p.zoom[1] + rel : undefined }));
    }
    clients.current = map;
    let alive = true;
    void Promise.all([...map.values()].map((c) => c.update())).then(() => alive && setVer((v) => v + 1));
    return () => void (alive = false);
  }, [linesKey, p.xMode, bins, zoomKey, width === 0]);

  usePoll(
    async () => {
      const changed = await Promise.all([...clients.current.values()].map((c) => c.update()));
      if (changed.some(Boolean)) setVer((v) => v + 1);
    },
    1000,
    p.live && !p.zoom,
  );

  const built = buildData(p.lines, clients.current, p.xMode, p.logY);
  const smooth = p.smoothing > 0;
  const data: (number | null | undefined)[][] = [built.x];
  for (const col of built.cols) {
    data.push(col);
    if (smooth) data.push(smoothEma(col, p.smoothing));
  }
  // Band edges go last, so the lines keep their places (the legend reads them by position).
  for (const b of built.bands) data.push(b.hi, b.lo);

  // `auto` and `default` are resolved by the server (step → epoch → index; ML-Dash's puts time first): draw what it chose.
  const xKind = p.xMode === "default" || p.xMode === "auto" ? ([...clients.current.values()][0]?.meta?.xKey ?? p.xMode) : p.xMode;
  const fields = [...new Set(p.lines.map((l) => l.field))];
  const xAxisTitle = p.xLabel ?? xTitle(xKind);
  const yAxisTitle = p.yLabel ?? (fields.length === 1 ? (fields[0] as string) : p.title);

  useEffect(() => {
    const el = box.current;
    if (!el || width === 0) return;
    const key = JSON.stringify([theme, p.logY, xKind, smooth, built.labels, built.styles, built.bands.map((b) => b.line), xAxisTitle, yAxisTitle]);
    if (!plot.current || shape.current !== key) {
      plot.current?.destroy();
      shape.current = key;
      const axis = cssVar("--axis");
      const grid = cssVar("--grid");
      const series: uPlot.Series[] = [{ label: xKind === "_ts" ? "time" : xKind }];
      built.labels.forEach((label, k) => {
        const { color, dash } = built.styles[k] as { color: string; dash: number[] };
        series.push({ label: smooth ? `${label} (raw)` : label, stroke: smooth ? color + "40" : color, width: 1.25, dash, spanGaps: false, points: { show: false } });
        if (smooth) series.push({ label, stroke: color, width: 1.5, dash, spanGaps: false, points: { show: false } });
      });
      const bands: uPlot.Band[] = [];
      built.bands.forEach((b) => {
        const color = (built.styles[b.line] as { color: string }).color;
        series.push({ label: `${built.labels[b.line]} max`, stroke: "transparent", width: 0, points: { show: false } });
        series.push({ label: `${built.labels[b.line]} min`, stroke: "transparent", width: 0, points: { show: false } });
        bands.push({ series: [series.length - 2, series.length - 1], fill: color + "33" });
      });
      const u = new uPlot(
        {
          width: el.clientWidth,
          height,
          series,
          bands,
          scales: { x: { time: xKind === "_ts" }, y: { distr: p.logY ? 3 : 1 } },
          axes: [
            { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid }, size: 34, label: xAxisTitle, labelSize: 16, labelGap: 0, labelFont: "12px system-ui, sans-serif", ...(xKind === "relative" ? { values: (_u: uPlot, v: number[]) => v.map(fmtDuration) } : {}) },
            { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid }, size: 56, label: yAxisTitle, labelSize: 18, labelFont: "12px system-ui, sans-serif" },
          ],
          cursor: { drag: { x: true, y: false, setScale: false }, sync: { key: `ml-dash-${xKind}` } },
          legend: { show: false },
          hooks: {
            setCursor: [(u: uPlot) => showCursor(legend.current, u, xKind, smooth)],
            setSelect: [
              (u: uPlot) => {
                if (u.select.width > 3) {
                  const a = u.posToVal(u.select.left, "x");
                  const b = u.posToVal(u.select.left + u.select.width, "x");
                  onZoom.current([a, b]);
                }
                u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              },
            ],
          },
        },
        data as uPlot.AlignedData,
        el,
      );
      u.over.addEventListener("dblclick", () => onZoom.current(null));
      u.over.setAttribute("aria-label", `${p.title}: drag to zoom, double-click to reset`);
      plot.current = u;
    } else {
      plot.current.setSize({ width: el.clientWidth, height });
      plot.current.setData(data as uPlot.AlignedData);
    }
    // Keep the zoomed window as the view even where the data stops short of its edges.
    if (p.zoom) plot.current.setScale("x", { min: p.zoom[0], max: p.zoom[1] });
  });

  useEffect(() => () => plot.current?.destroy(), []);

  const metas = [...clients.current.values()].map((c) => c.meta);
  const nonFinite = metas.reduce((a, m) => a + (m?.nonFinite ?? 0), 0);
  const total = metas.reduce((a, m) => a + (m ? m.window[1] - m.window[0] : 0), 0);
  const drawn = built.x.length;
  const errors = [...clients.current.values()].map((c) => c.error).filter(Boolean);
  const downsampled = metas.some((m) => m?.downsampled);

  useEffect(() => registerChart(p.id, { title: p.title, lines: p.lines, clients: clients.current, data, plot: plot.current, ver }));
  useEffect(() => () => registerChart(p.id, null), [p.id]);

  const png = async (): Promise<void> => {
    if (plot.current) download(await chartPng(plot.current, p.title, built.labels.map((label, k) => ({ label, color: (built.styles[k] as { color: string }).color }))), fileName(p.title, "png"));
  };
  const csv = (): void => {
    const names: string[] = [];
    for (const l of built.labels) {
      names.push(l);
      if (smooth) names.push(`${l}.smoothed`);
    }
    download(new Blob([chartCsv(p.xMode === "relative" ? "relative_s" : built.xName, names, data)], { type: "text/csv" }), fileName(p.title, "csv"));
  };

  return (
    <div class={`card${big ? " big" : ""}`} data-chart={p.id}>
      <h3>
        <span class="t" title={p.title}>{p.title}</span>
        {p.zoom && (
          <button type="button" onClick={() => p.onZoom(null)} aria-label={`Reset zoom of ${p.title}`}>
            reset zoom
          </button>
        )}
        <button type="button" onClick={() => setBig(!big)} aria-pressed={big} aria-label={big ? `Shrink ${p.title}` : `Enlarge ${p.title}`} title={big ? "Shrink" : "Enlarge"}>
          {big ? "⤡" : "⤢"}
        </button>
        <button type="button" onClick={png} aria-label={`Download ${p.title} as PNG`}>PNG</button>
        <button type="button" onClick={csv} aria-label={`Download ${p.title} as CSV`}>CSV</button>
      </h3>
      <div class="chart" ref={box} style={{ minHeight: `${height}px` }} />
      <div class="legend" ref={legend} data-testid="legend">
        <span class="at" />
        {built.labels.map((label, k) => (
          <span class="item" key={label}>
            <i class="chip" style={{ background: (built.styles[k] as { color: string }).color }} />
            <span class="name" title={label}>{label}</span>
            <b class="val" />
          </span>
        ))}
      </div>
      <div class="note">
        {downsampled ? `downsampled ${total.toLocaleString()} → ${drawn.toLocaleString()} points` : `${drawn.toLocaleString()} points`}
        {nonFinite > 0 && (
          <span class="warnnote" data-testid="nonfinite">
            {" "}· {nonFinite} non-finite value{nonFinite === 1 ? "" : "s"} (gaps)
          </span>
        )}
        {built.dropped > 0 && <span class="warnnote"> · {built.dropped} non-positive points hidden (log scale)</span>}
        {errors.length > 0 && <span class="err"> · {errors[0]}</span>}
      </div>
    </div>
  );
}

/** Writes the values under the cursor into the legend (outside Preact: a mouse move re-renders nothing). */
function showCursor(legend: HTMLDivElement | null, u: uPlot, xKind: string, smooth: boolean): void {
  if (!legend) return;
  const idx = u.cursor.idx;
  const at = legend.querySelector(".at");
  const vals = legend.querySelectorAll(".val");
  const x = idx === null || idx === undefined ? undefined : (u.data[0][idx] as number | undefined);
  if (at) at.textContent = x === undefined ? "" : `${xTitle(xKind) || "x"} ${fmtX(xKind, x)}`;
  vals.forEach((el, k) => {
    const col = u.data[smooth ? 2 + 2 * k : 1 + k];
    const v = x === undefined || !col ? undefined : col[idx as number];
    el.textContent = x === undefined ? "" : v === undefined ? " —" : ` ${fmtNum(v)}`;
  });
}
