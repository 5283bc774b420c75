/**
 * Chart settings kept in the URL (so a link reproduces the view): x axis, smoothing, log scale
 * and the zoomed window, shared by every chart on the page.
 */
import { type Route, setQuery } from "../route.ts";

/** Settings read from the URL. */
export interface ChartSettings {
  xMode: string;
  smoothing: number;
  logY: boolean;
  zoom: [number, number] | null;
  filter: string;
}

/** Reads the settings. */
export function chartSettings(route: Route): ChartSettings {
  const q = route.q;
  const xmin = Number(q.get("xmin"));
  const xmax = Number(q.get("xmax"));
  return {
    xMode: q.get("x") ?? "default",
    smoothing: Math.min(0.99, Math.max(0, Number(q.get("smooth") ?? 0) || 0)),
    logY: q.get("log") === "1",
    zoom: q.has("xmin") && q.has("xmax") && Number.isFinite(xmin) && Number.isFinite(xmax) && xmax > xmin ? [xmin, xmax] : null,
    filter: q.get("filter") ?? "",
  };
}

/** Sets or clears the zoomed window. */
export function setZoom(z: [number, number] | null): void {
  setQuery(z ? { xmin: String(+z[0].toPrecision(12)), xmax: String(+z[1].toPrecision(12)) } : { xmin: undefined, xmax: undefined }, true);
}

const X_MODES: [string, string][] = [
  ["default", "default"],
  ["index", "index"],
  ["step", "step"],
  ["epoch", "epoch"],
  ["_ts", "wall time"],
  ["relative", "relative time"],
];

/** The toolbar. */
export function ChartControls({ s }: { s: ChartSettings }) {
  return (
    <div class="toolbar" role="group" aria-label="Chart settings">
      <label>
        x axis
        <select aria-label="X axis" value={s.xMode} onChange={(e) => setQuery({ x: (e.target as HTMLSelectElement).value === "default" ? undefined : (e.target as HTMLSelectElement).value, xmin: undefined, xmax: undefined })}>
          {X_MODES.map(([v, l]) => (
            <option key={v} value={v}>{l}</option>
          ))}
        </select>
      </label>
      <label>
        smoothing
        <input type="range" min="0" max="0.99" step="0.01" aria-label="Smoothing" value={s.smoothing} onInput={(e) => setQuery({ smooth: (e.target as HTMLInputElement).value === "0" ? undefined : (e.target as HTMLInputElement).value })} />
        <span style="width:2.5em">{s.smoothing.toFixed(2)}</span>
      </label>
      <button type="button" aria-pressed={s.logY} onClick={() => setQuery({ log: s.logY ? undefined : "1" })}>
        log y
      </button>
      {s.zoom && (
        <button type="button" onClick={() => setZoom(null)}>
          reset zoom ({s.zoom.map((v) => +v.toPrecision(4)).join(" – ")})
        </button>
      )}
      <input type="search" placeholder="Filter charts…" aria-label="Filter charts" value={s.filter} onInput={(e) => setQuery({ filter: (e.target as HTMLInputElement).value })} />
    </div>
  );
}
