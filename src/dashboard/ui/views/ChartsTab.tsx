/**
 * A run's charts: the run's `.dashrc` layout when it has a valid one, else one chart per
 * `metric.field` (axis fields aside) in a section per metric that folds away (kept in the URL's
 * `fold`), all sharing the toolbar's settings.
 */
import type { RunDetail } from "../api.ts";
import { Chart } from "../chart/Chart.tsx";
import { AXIS_FIELDS, fieldTitle } from "../keys.ts";
import { type Route, setQuery } from "../route.ts";
import { runT0 } from "../run-t0.ts";
import { chartSettings, ChartControls, setZoom } from "./ChartControls.tsx";
import { DashrcLayout } from "./DashrcLayout.tsx";
import { ImagePanel } from "./ImagePanel.tsx";

/** The charts tab. */
export function ChartsTab({ detail, live, route }: { detail: RunDetail; live: boolean; route: Route }) {
  const s = chartSettings(route);
  const run = detail.summary.path;
  const t0 = runT0(detail);
  const rc = detail.dashrc;
  if (rc?.parsed && route.q.get("layout") !== "default") {
    return (
      <div>
        <ChartControls s={s} />
        <div class="note">
          Layout from <code>.dashrc</code> ·{" "}
          <button type="button" onClick={() => setQuery({ layout: "default" })}>
            show every metric instead
          </button>
        </div>
        {rc.warnings.map((w) => (
          <div class="warnnote" key={w.message}>.dashrc{w.line ? `:${w.line}:${w.col}` : ""} {w.message}</div>
        ))}
        <DashrcLayout detail={detail} rc={rc.parsed} s={s} live={live} />
      </div>
    );
  }
  const charts = detail.metrics.flatMap((m) => m.fields.filter((f) => !AXIS_FIELDS.has(f)).map((f) => ({ m: m.name, f, title: fieldTitle(m.name, f) })));
  const shown = s.filter ? charts.filter((c) => c.title.toLowerCase().includes(s.filter.toLowerCase())) : charts;
  const byMetric = new Map<string, typeof shown>();
  for (const c of shown) byMetric.set(c.m, [...(byMetric.get(c.m) ?? []), c]);
  const groups = [...byMetric];
  const folded = (route.q.get("fold") ?? "").split(",").filter(Boolean);
  return (
    <div>
      <ChartControls s={s} />
      {rc && rc.errors.length > 0 && (
        <div class="err" data-testid="dashrc-errors">
          .dashrc has errors, showing every metric: {rc.errors.map((e) => `${e.line ? `line ${e.line}:${e.col} ` : ""}${e.path ? e.path + ": " : ""}${e.message}`).join("; ")}
        </div>
      )}
      {shown.length === 0 && (
        <div class="empty" data-testid="no-charts">
          {charts.length === 0 ? (
            <>
              This run has no metrics yet. Log some with <code>exp.metrics("train").log({"{ loss: 0.5, step: 1 }"})</code>; while the run is live they appear here within seconds.
            </>
          ) : (
            "No chart matches the filter: clear the filter box to see every chart."
          )}
        </div>
      )}
      {detail.summary.files > 0 && (
        <div class="grid" style="margin-bottom:14px">
          <ImagePanel run={run} live={live} />
        </div>
      )}
      {groups.map(([metric, list]) => {
        const open = !folded.includes(metric);
        const name = metric === "None" ? "(unnamed metric)" : metric;
        return (
          <section class="group" key={metric} data-group={metric}>
            <h3 class="grouphead">
              <button type="button" class="twist" aria-expanded={open} onClick={() => setQuery({ fold: (open ? [...folded, metric] : folded.filter((f) => f !== metric)).join(",") || undefined })}>
                {open ? "▾" : "▸"} {name}
              </button>
              <span class="note">{list.length} chart{list.length === 1 ? "" : "s"}</span>
            </h3>
            {open && (
              <div class="grid">
                {list.map((c) => (
                  <Chart
                    key={c.title}
                    id={`${run}#${c.title}`}
                    title={c.title}
                    lines={[{ id: c.title, run, metric: c.m, field: c.f, label: c.title, t0 }]}
                    xMode={s.xMode}
                    smoothing={s.smoothing}
                    logY={s.logY}
                    zoom={s.zoom}
                    onZoom={setZoom}
                    live={live}
                  />
                ))}
              </div>
            )}
          </section>
        );
      })}
    </div>
  );
}
