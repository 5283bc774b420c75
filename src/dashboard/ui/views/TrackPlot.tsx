/**
 * A track's numeric columns over time (the entries the page already holds, up to 10,000
 * sampled by the server): pick the columns to draw; the x axis is the entry time.
 */
import uPlot from "uplot";
import { useEffect, useRef, useState } from "preact/hooks";
import { fmtNum, fmtX } from "../chart/format.ts";
import { seriesStyle } from "../chart/palette.ts";
import { cssVar, useTheme } from "../theme.ts";

/** Columns of `entries` holding numbers (the time aside). */
export function numericColumns(entries: readonly Record<string, unknown>[]): string[] {
  const cols = new Set<string>();
  for (const e of entries) for (const [k, v] of Object.entries(e)) if (k !== "timestamp" && typeof v === "number") cols.add(k);
  return [...cols];
}

/** How a track time reads: epoch seconds or milliseconds as a date, else a number. */
export function fmtTrackTime(t: number | null | undefined): string {
  if (t === null || t === undefined) return "—";
  if (t > 1e12) return fmtX("_ts", t / 1000);
  if (t > 1e9) return fmtX("_ts", t);
  return fmtNum(t, 6);
}

/** The plot. */
export function TrackPlot({ topic, entries }: { topic: string; entries: { timestamp: number; [k: string]: unknown }[] }) {
  const theme = useTheme();
  const cols = numericColumns(entries);
  const [picked, setPicked] = useState<string[]>(cols.slice(0, 3));
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || picked.length === 0) return;
    const sorted = [...entries].sort((a, b) => a.timestamp - b.timestamp);
    const data = [sorted.map((e) => e.timestamp), ...picked.map((c) => sorted.map((e) => (typeof e[c] === "number" ? (e[c] as number) : null)))];
    const axis = cssVar("--axis");
    const grid = cssVar("--grid");
    const epoch = (sorted[0]?.timestamp ?? 0) > 1e9;
    const u = new uPlot(
      {
        width: el.clientWidth,
        height: 200,
        scales: { x: { time: epoch } },
        series: [{ label: "time" }, ...picked.map((c, k) => ({ label: c, stroke: seriesStyle(k).color, width: 1.5, points: { show: sorted.length < 60 } }))],
        axes: [
          { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid }, label: "time", labelSize: 16, size: 34, labelGap: 0, labelFont: "12px system-ui, sans-serif" },
          { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid }, size: 56 },
        ],
        legend: { show: true, live: true },
      },
      data as uPlot.AlignedData,
      el,
    );
    return () => u.destroy();
  }, [entries, picked.join(","), theme]);
  if (cols.length === 0) return null;
  return (
    <div class="card" data-testid="track-plot" style="margin:10px 0">
      <h3>
        <span class="t">{topic} over time</span>
      </h3>
      <div class="toolbar" role="group" aria-label={`Columns of ${topic} to plot`}>
        {cols.map((c) => (
          <label key={c}>
            <input type="checkbox" checked={picked.includes(c)} onChange={(e) => setPicked((e.target as HTMLInputElement).checked ? [...picked, c] : picked.filter((x) => x !== c))} /> {c}
          </label>
        ))}
      </div>
      <div ref={box} class="chart" style={{ minHeight: "200px" }} />
    </div>
  );
}
