/**
 * The runs table's columns: the run's own (name, status, tags, duration, created), one per
 * parameter, and three per `metric.field` (`train.loss` is the last value, `train.loss.min` and
 * `train.loss.max`); looking values up by column name (the filter language uses the same
 * names), the default choice of columns, sorting, and grouping by a parameter.
 */
import type { TableRow } from "../../routes-table.ts";
import { fmtDuration, fmtNum } from "../chart/format.ts";

export type { TableRow, MetricStat } from "../../routes-table.ts";

/** A column. */
export interface Column {
  key: string;
  kind: "run" | "param" | "metric";
  /** Header text. */
  label: string;
}

const RUN_COLUMNS: Column[] = [
  { key: "name", kind: "run", label: "run" },
  { key: "status", kind: "run", label: "status" },
  { key: "tags", kind: "run", label: "tags" },
  { key: "duration", kind: "run", label: "duration" },
  { key: "created", kind: "run", label: "created" },
];
const RUN_KEYS = new Set(RUN_COLUMNS.map((c) => c.key));

/** Seconds from creation to the last write, when both are known. */
export function duration(r: TableRow): number | undefined {
  const a = r.summary.createdAt ? Date.parse(r.summary.createdAt) : NaN;
  const b = r.summary.lastWriteAt ? Date.parse(r.summary.lastWriteAt) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(0, (b - a) / 1000) : undefined;
}

/** Every column the rows have. */
export function allColumns(rows: readonly TableRow[]): Column[] {
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
  return [
    ...RUN_COLUMNS,
    ...params.map((k) => ({ key: RUN_KEYS.has(k) ? `params.${k}` : k, kind: "param" as const, label: k })),
    ...metrics.flatMap((m) => [
      { key: m, kind: "metric" as const, label: `${m} (last)` },
      { key: `${m}.min`, kind: "metric" as const, label: `${m} (min)` },
      { key: `${m}.max`, kind: "metric" as const, label: `${m} (max)` },
    ]),
  ];
}

/** The value of column `key` in a row (`undefined` when the row has none). */
export function cell(r: TableRow, key: string): unknown {
  switch (key) {
    case "name":
      return r.summary.path;
    case "status":
      return r.summary.status;
    case "tags":
      return r.summary.tags;
    case "duration":
      return duration(r);
    case "created":
      return r.summary.createdAt ?? undefined;
  }
  const p = key.startsWith("params.") && !(key in r.params) ? key.slice(7) : key;
  if (p in r.params) return r.params[p];
  const m = r.metrics[key];
  if (m) return m.last ?? undefined;
  const stat = /^(.*)\.(min|max|last)$/.exec(key);
  if (stat) return r.metrics[stat[1] as string]?.[stat[2] as "min" | "max" | "last"] ?? undefined;
  return undefined;
}

/** Display text of a cell. */
export function cellText(r: TableRow, key: string): string {
  const v = cell(r, key);
  if (v === undefined || v === null) return "—";
  if (key === "duration") return fmtDuration(v as number);
  if (key === "created") return new Date(v as string).toLocaleString();
  if (typeof v === "number") return fmtNum(v);
  if (Array.isArray(v)) return v.join(", ");
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The columns shown before any choice: the run's own, parameters that differ (up to 8), up to 6 last metric values. */
export function defaultColumns(rows: readonly TableRow[], cols: readonly Column[]): string[] {
  const differs = (k: string): boolean => new Set(rows.map((r) => JSON.stringify(cell(r, k) ?? null))).size > 1;
  const params = cols.filter((c) => c.kind === "param" && (rows.length < 2 || differs(c.key))).slice(0, 8);
  const metrics = cols.filter((c) => c.kind === "metric" && !/\.(min|max)$/.test(c.key) && rows.some((r) => r.metrics[c.key])).slice(0, 6);
  return ["name", "status", "tags", "duration", ...params.map((c) => c.key), ...metrics.map((c) => c.key)];
}

/** Orders rows by a column (numbers numerically, missing values last whatever the direction). */
export function sortRows(rows: readonly TableRow[], key: string, desc: boolean): TableRow[] {
  const dir = desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = cell(a, key);
    const y = cell(b, key);
    if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1;
    if (y === undefined || y === null) return -1;
    if (typeof x === "number" && typeof y === "number") return (x - y) * dir;
    return String(Array.isArray(x) ? x.join(",") : x).localeCompare(String(Array.isArray(y) ? y.join(",") : y), undefined, { numeric: true }) * dir;
  });
}

/** Rows by the value of a parameter (the text of the value is the group's name), in value order. */
export function groupRows(rows: readonly TableRow[], key: string): [string, TableRow[]][] {
  const groups = new Map<string, TableRow[]>();
  for (const r of sortRows(rows, key, false)) {
    const name = `${key} = ${cellText(r, key)}`;
    groups.set(name, [...(groups.get(name) ?? []), r]);
  }
  return [...groups];
}
