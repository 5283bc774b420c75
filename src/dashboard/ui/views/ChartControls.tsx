/**
 * Chart settings kept in the URL (so a link reproduces the view): x axis, smoothing, log scale
 * and the zoomed window, shared by every chart on the page.
 */
import { fmtX } from "../chart/format.ts";
import { type Route, setQuery } from "../route.ts";
import { projectOf, savedX, saveX } from "../x-pref.ts";

/** Settings read from the URL. */
export interface ChartSettings {
  /** `auto` (step → epoch → index), `index`, `step`, `epoch`, `_ts`, `relative`, or `default` (ML-Dash's: time first). */
  xMode: string;
  /** `owner/project` whose x axis choice is remembered. */
  project: string;
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
  const project = projectOf(route);
  return {
    xMode: q.get("x") ?? savedX(project) ?? "auto",
    project,
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
  ["auto", "auto (step, epoch or index)"],
  ["index", "index"],
  ["step", "step"],
  ["epoch", "epoch"],
  ["_ts", "wall time"],
  ["relative", "relative time"],
];

/** The zoomed window in the axis' units (`default` resolves to time when the values are epoch seconds). */
function zoomText(s: ChartSettings): string {
  const [a, b] = s.zoom ?? [0, 0];
  const kind = s.xMode === "default" && a > 1e9 ? "_ts" : s.xMode;
  return `${kind === "auto" || kind === "default" ? "" : kind === "_ts" ? "" : kind === "relative" ? "" : kind + " "}${fmtX(kind, a)} – ${fmtX(kind, b)}`;
}

/** Switches the x axis and remembers it for the project. */
function pickX(project: string, x: string): void {
  saveX(project, x);
  setQuery({ x: x === "auto" ? undefined : x, xmin: undefined, xmax: undefined });
}

/** The toolbar. */
export function ChartControls({ s }: { s: ChartSettings }) {
  return (
    <div class="toolbar" role="group" aria-label="Chart settings">
      <label>
        x axis
        <select aria-label="X axis" value={s.xMode} onChange={(e) => pickX(s.project, (e.target as HTMLSelectElement).value)}>
          {(X_MODES.some(([v]) => v === s.xMode) ? X_MODES : [...X_MODES, [s.xMode, s.xMode === "default" ? "time, else step (ML-Dash)" : s.xMode] as [string, string]]).map(([v, l]) => (
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
        <button type="button" onClick={() => setZoom(null)} data-testid="reset-zoom">
          reset zoom ({zoomText(s)})
        </button>
      )}
      <input type="search" placeholder="Filter charts…" aria-label="Filter charts" value={s.filter} onInput={(e) => setQuery({ filter: (e.target as HTMLInputElement).value })} />
    </div>
  );
}
