/**
 * A folder (or project, owner, the root): its runs as a sweep table (RunsTable.tsx), and — when the
 * folder holds a `.dashrc` — the compare view it defines (line charts of `series` picked by
 * path prefix or run id, with their labels, colours and dashes; several runs make a mean line).
 */
import { useEffect, useState } from "preact/hooks";
import type { DashRcResult, LineChart } from "../../dashrc.ts";
import { getJson, type RunSummary } from "../api.ts";
import { Chart, type LineSpec } from "../chart/Chart.tsx";
import { parseDash } from "../chart/palette.ts";
import { resolveX } from "../keys.ts";
import { linkClick, useRoute } from "../route.ts";
import { chartSettings, ChartControls, setZoom } from "./ChartControls.tsx";
import { RunsTable } from "./RunsTable.tsx";

interface Props {
  path: string;
  /** Every run of the root; `null` until the tree is in (the runs table does not need it). */
  runs: RunSummary[] | null;
  checked: string[];
  onCheck: (path: string, on: boolean) => void;
  onOpen: (path: string) => void;
}

/** The runs a compare series names: by exact ids (run paths here) or by path prefix. */
export function seriesRuns(spec: { prefix?: string; experimentIds?: string[]; experimentId?: string }, runs: readonly RunSummary[]): RunSummary[] {
  const ids = spec.experimentIds ?? (spec.experimentId ? [spec.experimentId] : undefined);
  if (ids) return runs.filter((r) => ids.includes(r.path));
  const p = (spec.prefix ?? "").replace(/^\/+|\/+$/g, "");
  return runs.filter((r) => r.path === p || r.path.startsWith(p + "/") || (p !== "" && r.path.startsWith(p)));
}

function splitKey(key: string): { metric: string; field: string } {
  const dot = key.indexOf(".");
  return dot > 0 ? { metric: key.slice(0, dot), field: key.slice(dot + 1) } : { metric: "None", field: key };
}

/** The page. */
export function FolderPage({ path, runs, checked, onCheck }: Props) {
  const route = useRoute();
  const s = chartSettings(route);
  const under = runs && (path ? runs.filter((r) => r.path.startsWith(path + "/")) : runs);
  const [rc, setRc] = useState<(DashRcResult & { yaml: string }) | null>(null);
  useEffect(() => {
    setRc(null);
    if (path) getJson<(DashRcResult & { yaml: string }) | null>("dashrc", { path, optional: 1 }).then(({ data }) => setRc(data), () => setRc(null));
  }, [path]);
  const live = under?.some((r) => r.status === "RUNNING") ?? false;
  const lineCharts = (rc?.parsed?.charts ?? []).filter((c): c is LineChart => c.ctype === "line");

  return (
    <section aria-label={`Folder ${path || "(root)"}`}>
      <h2 style="margin:0 0 8px">{path || "All runs"}</h2>
      {rc && rc.errors.length > 0 && <div class="err">.dashrc: {rc.errors.map((e) => `${e.line ? `line ${e.line}:${e.col} ` : ""}${e.message}`).join("; ")}</div>}
      {rc?.warnings.map((w) => (
        <div class="warnnote" key={w.message}>.dashrc {w.path ?? ""}: {w.message}</div>
      ))}
      {lineCharts.length > 0 && (
        <div style="margin-bottom:16px" data-testid="compare-view">
          <h3>Compare view (.dashrc)</h3>
          <ChartControls s={s} />
          <div class="grid">
            {lineCharts.map((c, k) => {
              const lines: LineSpec[] = [];
              (c.series ?? [{ prefix: path, ...(c.yKey ? { yKey: c.yKey } : {}) }]).forEach((spec, j) => {
                const members = seriesRuns(spec, runs ?? []);
                const { metric, field } = splitKey(spec.yKey ?? c.yKey ?? c.yKeys?.[0] ?? "");
                const label = spec.label ?? (spec.prefix || spec.experimentId || `series ${j + 1}`);
                for (const r of members) {
                  lines.push({ id: `${j}:${r.path}`, run: r.path, metric, field, label: members.length > 1 ? label : (spec.label ?? r.path), color: spec.color, dash: parseDash(spec.dash), group: members.length > 1 ? label : undefined });
                }
              });
              return (
                <Chart key={k} id={`${path}#cmp${k}`} title={c.title ?? c.yKey ?? `chart ${k + 1}`} lines={lines} xMode={s.xMode !== "auto" ? s.xMode : resolveX(c.xKey, "")} smoothing={s.smoothing} logY={s.logY} zoom={s.zoom} onZoom={setZoom} live={live} bins={c.bins} xLabel={c.xLabel} yLabel={c.yLabel} />
              );
            })}
          </div>
        </div>
      )}
      {under?.length === 0 ? (
        <div class="empty" data-testid="nothing-here">
          {path ? (
            <>
              Nothing at <code>{path}</code>: no run or folder has this path. Pick a run in the tree on the left, or see{" "}
              <a href="/" onClick={(e) => linkClick(e as unknown as MouseEvent, "")}>all runs</a>.
            </>
          ) : (
            "No runs here."
          )}
        </div>
      ) : (
        <RunsTable path={path} route={route} s={s} checked={checked} onCheck={onCheck} version={under && under.map((r) => `${r.path}|${r.status}|${r.lastWriteAt}`).join(",")} />
      )}
      {checked.length === 1 && <div class="note">Check one more run to compare.</div>}
    </section>
  );
}
