/**
 * Comparing checked runs: one chart per `metric.field` that at least two of them have, one line
 * per run; and their parameters side by side, optionally only the keys that differ.
 */
import { useEffect, useState } from "preact/hooks";
import { getJson, type RunDetail, type RunSummary } from "../api.ts";
import { Chart } from "../chart/Chart.tsx";
import { seriesStyle } from "../chart/palette.ts";
import { AXIS_FIELDS, fieldTitle } from "../keys.ts";
import type { Route } from "../route.ts";
import { chartSettings, ChartControls, setZoom } from "./ChartControls.tsx";
import { runT0 } from "../run-t0.ts";
import { valueText } from "./ParamsTab.tsx";

/** Keys whose values are not all equal across the runs (a missing key counts as different). */
export function differingKeys(params: readonly Record<string, unknown>[]): Set<string> {
  const keys = new Set(params.flatMap((p) => Object.keys(p)));
  const out = new Set<string>();
  for (const k of keys) {
    const vals = params.map((p) => (k in p ? valueText(p[k]) : "\u0000missing"));
    if (vals.some((v) => v !== vals[0])) out.add(k);
  }
  return out;
}

/** The comparison. */
export function Compare({ runs, route }: { runs: RunSummary[]; route: Route }) {
  const s = chartSettings(route);
  const [details, setDetails] = useState<RunDetail[]>([]);
  const [diffOnly, setDiffOnly] = useState(true);
  const key = runs.map((r) => r.path).join(",");
  useEffect(() => {
    void Promise.all(runs.map((r) => getJson<RunDetail>("run", { path: r.path }).then((x) => x.data))).then(setDetails);
  }, [key]);
  const live = runs.some((r) => r.status === "RUNNING");
  const count = new Map<string, number>();
  for (const d of details) for (const m of d.metrics) for (const f of m.fields) if (!AXIS_FIELDS.has(f)) count.set(`${m.name}\u0000${f}`, (count.get(`${m.name}\u0000${f}`) ?? 0) + 1);
  const shared = [...count].filter(([, n]) => n >= 2).map(([k]) => k.split("\u0000") as [string, string]);
  const shown = s.filter ? shared.filter(([m, f]) => fieldTitle(m, f).toLowerCase().includes(s.filter.toLowerCase())) : shared;
  const diff = differingKeys(details.map((d) => d.params));
  const keys = [...new Set(details.flatMap((d) => Object.keys(d.params)))].sort().filter((k) => !diffOnly || diff.has(k));

  return (
    <section aria-label="Compare runs">
      <h2 style="margin:0 0 8px">Comparing {runs.length} runs</h2>
      <ChartControls s={s} />
      {details.length === runs.length && shown.length === 0 && <div class="empty">These runs share no metric.</div>}
      <div class="grid">
        {shown.map(([m, f]) => (
          <Chart
            key={`${m}.${f}`}
            id={`compare#${fieldTitle(m, f)}`}
            title={fieldTitle(m, f)}
            lines={details
              .filter((d) => d.metrics.some((x) => x.name === m && x.fields.includes(f)))
              .map((d) => ({ id: d.summary.path, run: d.summary.path, metric: m, field: f, label: d.summary.path, t0: runT0(d), ...seriesStyle(runs.findIndex((r) => r.path === d.summary.path)) }))}
            xMode={s.xMode}
            smoothing={s.smoothing}
            logY={s.logY}
            zoom={s.zoom}
            onZoom={setZoom}
            live={live}
          />
        ))}
      </div>
      <h3 style="margin-top:20px">
        Parameters{" "}
        <label class="note">
          <input type="checkbox" checked={diffOnly} onChange={(e) => setDiffOnly((e.target as HTMLInputElement).checked)} /> differences only ({diff.size})
        </label>
      </h3>
      <table data-testid="params-diff">
        <thead>
          <tr>
            <th>key</th>
            {details.map((d) => (
              <th key={d.summary.path}>{d.summary.path}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k} class={diff.has(k) ? "diff" : ""} data-key={k}>
              <td>{k}</td>
              {details.map((d) => (
                <td class="v" key={d.summary.path}>{k in d.params ? valueText(d.params[k]) : "—"}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
