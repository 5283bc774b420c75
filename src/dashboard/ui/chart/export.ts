/**
 * Export of one chart: PNG (the plot canvas with the title and a legend drawn above it, on the
 * theme's background) and CSV (the points the chart holds — raw when zoomed in enough, else the
 * downsampled ones, which the file says).
 */
import type uPlot from "uplot";
import { cssVar } from "../theme.ts";

/** Starts a download of `blob` as `name`. */
export function download(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** A file name from a chart title. */
export function fileName(title: string, ext: string): string {
  return (title.replace(/[^\w.-]+/g, "_").replace(/^_+|_+$/g, "") || "chart") + "." + ext;
}

/** The chart as a PNG: title, legend (colour swatch + label per visible line), plot. */
export function chartPng(u: uPlot, title: string, legend: readonly { label: string; color: string }[]): Promise<Blob> {
  const src = u.ctx.canvas;
  const dpr = devicePixelRatio || 1;
  const pad = Math.round(8 * dpr);
  const lineH = Math.round(18 * dpr);
  const out = document.createElement("canvas");
  out.width = src.width + 2 * pad;
  out.height = src.height + 2 * pad + 2 * lineH;
  const g = out.getContext("2d") as CanvasRenderingContext2D;
  g.fillStyle = cssVar("--bg") || "#fff";
  g.fillRect(0, 0, out.width, out.height);
  g.fillStyle = cssVar("--fg") || "#000";
  g.font = `600 ${Math.round(13 * dpr)}px system-ui, sans-serif`;
  g.textBaseline = "middle";
  g.fillText(title, pad, pad + lineH / 2);
  g.font = `${Math.round(12 * dpr)}px system-ui, sans-serif`;
  let x = pad;
  for (const l of legend) {
    g.fillStyle = l.color;
    g.fillRect(x, pad + lineH + lineH / 2 - 2 * dpr, 14 * dpr, 4 * dpr);
    x += 18 * dpr;
    g.fillStyle = cssVar("--fg") || "#000";
    g.fillText(l.label, x, pad + lineH + lineH / 2);
    x += g.measureText(l.label).width + 14 * dpr;
  }
  g.drawImage(src, pad, pad + 2 * lineH);
  return new Promise((ok, fail) => out.toBlob((b) => (b ? ok(b) : fail(new Error("PNG encoding failed"))), "image/png"));
}

function cell(v: number | null | undefined): string {
  return v === null || v === undefined ? "" : String(v);
}

/** CSV text: header row, then one row per x of the aligned data. */
export function chartCsv(xName: string, names: readonly string[], data: readonly (ArrayLike<number | null | undefined>)[], note?: string): string {
  const lines = [[xName, ...names].map(quote).join(",")];
  const xs = data[0] as ArrayLike<number>;
  for (let r = 0; r < xs.length; r++) {
    const row = [cell(xs[r])];
    for (let s = 1; s < data.length; s++) row.push(cell((data[s] as ArrayLike<number | null | undefined>)[r]));
    lines.push(row.join(","));
  }
  return (note ? `# ${note}\n` : "") + lines.join("\n") + "\n";
}

function quote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
