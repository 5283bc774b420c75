/**
 * A run's `.dashrc` layout: the header row of last values (`metrics.fields` globs), then the
 * charts in file order — line charts (`yKey`/`yKeys`, `xKey`, labels, `bins`) and image/video
 * grids of the run's files matching a glob.
 */
import { globMatch } from "../../glob.ts";
import type { DashRc, LineChart, MediaChart } from "../../dashrc.ts";
import type { RunDetail } from "../api.ts";
import { Chart } from "../chart/Chart.tsx";
import { AXIS_FIELDS, fieldTitle, resolveKey, resolveX } from "../keys.ts";
import { type ChartSettings, setZoom } from "./ChartControls.tsx";
import { runT0 } from "../run-t0.ts";
import { MediaGrid } from "./MediaGrid.tsx";

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return v === undefined ? "—" : JSON.stringify(v);
}

/** The layout. */
export function DashrcLayout({ detail, rc, s, live }: { detail: RunDetail; rc: DashRc; s: ChartSettings; live: boolean }) {
  const run = detail.summary.path;
  const t0 = runT0(detail);
  const header = detail.metrics.flatMap((m) =>
    Object.entries(m.last ?? {})
      .filter(([f]) => !AXIS_FIELDS.has(f))
      .map(([f, v]) => ({ key: fieldTitle(m.name, f), v }))
      .filter(({ key }) => rc.metrics.fields.some((g) => globMatch(g, key))),
  );
  return (
    <div>
      {header.length > 0 && (
        <div class="hdrmetrics" data-testid="header-metrics">
          {header.map((h) => (
            <div key={h.key}>
              <span>{h.key}</span>
              {fmt(h.v)}
            </div>
          ))}
        </div>
      )}
      <div class="grid">
        {rc.charts.map((c, k) =>
          c.ctype === "line" ? (
            <LineFromRc key={k} k={k} c={c} run={run} detail={detail} s={s} live={live} t0={t0} />
          ) : (
            <MediaGrid key={k} run={run} chart={c as MediaChart} live={live} />
          ),
        )}
      </div>
    </div>
  );
}

function LineFromRc({ k, c, run, detail, s, live, t0 }: { k: number; c: LineChart; run: string; detail: RunDetail; s: ChartSettings; live: boolean; t0: number | undefined }) {
  const keys = c.yKeys ?? (c.yKey ? [c.yKey] : (c.series ?? []).map((x) => x.yKey ?? ""));
  const lines = keys.filter(Boolean).map((key) => {
    const { metric, field } = resolveKey(key, detail.metrics);
    return { id: key, run, metric, field, label: key, t0 };
  });
  const first = lines[0];
  // The page's x-axis choice wins over the file's once the user picks one.
  const xMode = s.xMode !== "auto" ? s.xMode : resolveX(c.xKey, first?.metric ?? "");
  return (
    <Chart
      id={`${run}#rc${k}`}
      title={c.title ?? keys.join(", ")}
      lines={lines}
      xMode={xMode}
      smoothing={s.smoothing}
      logY={s.logY}
      zoom={s.zoom}
      onZoom={setZoom}
      live={live}
      bins={c.bins}
      xLabel={c.xLabel}
      yLabel={c.yLabel}
    />
  );
}
