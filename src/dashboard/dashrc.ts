/**
 * `.dashrc` layouts as ML-Dash defines them: a YAML file in a run
 * folder lays out that run's charts (`line`, `image`, `video`); one in any other folder lays out
 * the folder's compare view (`line` charts with `series`). Parsed on the server (the `yaml`
 * library gives line/column positions), validated, and sent to the UI as JSON.
 */
import { LineCounter, parseDocument } from "yaml";
import { MAX_PATTERN_LENGTH } from "./glob.ts";

/** A line chart. Exactly one of `yKey`, `yKeys`, `series`. */
export interface LineChart {
  ctype: "line";
  title?: string;
  xKey?: string;
  yKey?: string;
  yKeys?: string[];
  series?: SeriesSpec[];
  xLabel?: string;
  yLabel?: string;
  bins?: number;
  xFormat?: string | null;
  yFormat?: string | null;
  xTicks?: number;
  yTicks?: number;
}

/** One line of a compare chart. */
export interface SeriesSpec {
  prefix?: string;
  experimentIds?: string[];
  experimentId?: string;
  label?: string;
  color?: string;
  dash?: string;
  xKey?: string;
  yKey?: string;
}

/** An image or video grid. */
export interface MediaChart {
  ctype: "image" | "video";
  title?: string;
  glob: string;
  nCols: number;
  nRows: number;
  limit: number;
  sort: "name" | "date" | "size";
}

/** A validated `.dashrc`. */
export interface DashRc {
  metrics: { fields: string[] };
  charts: (LineChart | MediaChart)[];
}

/** A problem, with its position in the file when known. */
export interface DashRcIssue {
  message: string;
  line?: number;
  col?: number;
  /** Where in the document (`charts[2].yKey`). */
  path?: string;
}

/** The result of {@link parseDashRc}. */
export interface DashRcResult {
  parsed: DashRc | null;
  errors: DashRcIssue[];
  warnings: DashRcIssue[];
}

const IMAGE_GLOB = "**/*.{png,jpg,jpeg,gif,webp}";
const VIDEO_GLOB = "**/*.{mp4,webm,mov}";

/**
 * Parses and validates a `.dashrc`. `kind` is `experiment` for a run folder's file and `compare`
 * for any other folder's (which ignores `metrics` and media charts, with a warning).
 *
 * @example
 * ```ts
 * const { parsed, errors } = parseDashRc("charts:\n  - yKeys: [train.loss, eval.loss]\n", "experiment");
 * ```
 */
export function parseDashRc(text: string, kind: "experiment" | "compare"): DashRcResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const errors: DashRcIssue[] = [];
  const warnings: DashRcIssue[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    errors.push({ message: e.message.split("\n")[0] as string, ...(pos ? { line: pos.line, col: pos.col } : {}) });
  }
  if (errors.length > 0) return { parsed: null, errors, warnings };
  const at = (path: (string | number)[], message: string, list = errors): void => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const pos = node?.range ? lc.linePos(node.range[0]) : undefined;
    list.push({ message, path: pathText(path), ...(pos ? { line: pos.line, col: pos.col } : {}) });
  };
  const root: unknown = doc.toJS() ?? {};
  if (!isObj(root)) {
    at([], "a .dashrc must be a mapping with a `charts` list");
    return { parsed: null, errors, warnings };
  }
  const out: DashRc = { metrics: { fields: ["*"] }, charts: [] };
  const metrics = root["metrics"];
  if (metrics !== undefined) {
    const fields = isObj(metrics) ? metrics["fields"] : undefined;
    if (kind === "compare") at(["metrics"], "`metrics` applies to a run's .dashrc only; ignored here", warnings);
    else if (!Array.isArray(fields) || !fields.every((f) => typeof f === "string")) at(["metrics", "fields"], "`metrics.fields` must be a list of glob patterns");
    else if (fields.some((f) => f.length > MAX_PATTERN_LENGTH)) at(["metrics", "fields"], `a glob of \`metrics.fields\` is over ${MAX_PATTERN_LENGTH} characters`);
    else out.metrics.fields = fields;
  }
  const charts = root["charts"] ?? [];
  if (!Array.isArray(charts)) {
    at(["charts"], "`charts` must be a list");
    return { parsed: null, errors, warnings };
  }
  charts.forEach((c: unknown, i) => {
    const chart = validateChart(c, kind, (p, m, w) => at(["charts", i, ...p], m, w ? warnings : errors));
    if (chart) out.charts.push(chart);
  });
  return { parsed: errors.length === 0 ? out : null, errors, warnings };
}

type Report = (path: string[], message: string, warning?: boolean) => void;

function validateChart(c: unknown, kind: "experiment" | "compare", report: Report): LineChart | MediaChart | undefined {
  if (!isObj(c)) return report([], "a chart must be a mapping"), undefined;
  const ctype = c["ctype"] ?? "line";
  if (ctype === "image" || ctype === "video") {
    if (kind === "compare") return report(["ctype"], `${ctype} charts apply to a run's .dashrc only; ignored here`, true), undefined;
    const nCols = posInt(c["nCols"], 3, "nCols", report);
    const nRows = posInt(c["nRows"], 2, "nRows", report);
    const sort = c["sort"] ?? "date";
    if (sort !== "name" && sort !== "date" && sort !== "size") report(["sort"], "`sort` must be name, date or size");
    const glob = c["glob"] ?? (ctype === "image" ? IMAGE_GLOB : VIDEO_GLOB);
    if (typeof glob !== "string") report(["glob"], "`glob` must be a string");
    else if (glob.length > MAX_PATTERN_LENGTH) report(["glob"], `\`glob\` is ${glob.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`);
    return {
      ctype,
      ...(typeof c["title"] === "string" ? { title: c["title"] } : {}),
      glob: String(glob),
      nCols,
      nRows,
      limit: posInt(c["limit"], nCols * nRows, "limit", report),
      sort: sort as MediaChart["sort"],
    };
  }
  if (ctype !== "line") return report(["ctype"], `unknown ctype ${JSON.stringify(ctype)} (line, image or video)`), undefined;
  const ys = ["yKey", "yKeys", "series"].filter((k) => c[k] !== undefined);
  if (ys.length !== 1) return report([], ys.length === 0 ? "a line chart needs one of yKey, yKeys or series" : `give only one of ${ys.join(" and ")}`), undefined;
  if (c["series"] !== undefined && kind === "experiment") report(["series"], "`series` applies to a folder (compare) .dashrc; drawn as given", true);
  if (c["yKey"] !== undefined && typeof c["yKey"] !== "string") report(["yKey"], "`yKey` must be a string");
  if (c["yKeys"] !== undefined && !(Array.isArray(c["yKeys"]) && c["yKeys"].every((k) => typeof k === "string"))) report(["yKeys"], "`yKeys` must be a list of strings");
  if (c["series"] !== undefined && !(Array.isArray(c["series"]) && c["series"].every(isObj))) report(["series"], "`series` must be a list of mappings");
  for (const k of ["title", "xKey", "xLabel", "yLabel"]) if (c[k] !== undefined && typeof c[k] !== "string") report([k], `\`${k}\` must be a string`);
  const chart: LineChart = { ctype: "line" };
  for (const k of ["title", "xKey", "xLabel", "yLabel", "yKey", "xFormat", "yFormat"] as const) if (typeof c[k] === "string") chart[k] = c[k] as string;
  if (Array.isArray(c["yKeys"])) chart.yKeys = c["yKeys"].map(String);
  if (Array.isArray(c["series"])) chart.series = c["series"].filter(isObj) as SeriesSpec[];
  for (const k of ["bins", "xTicks", "yTicks"] as const) if (c[k] !== undefined) chart[k] = posInt(c[k], 0, k, report);
  return chart;
}

function posInt(v: unknown, dflt: number, name: string, report: Report): number {
  if (v === undefined) return dflt;
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  report([name], `\`${name}\` must be a positive integer`);
  return dflt;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function pathText(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
