/**
 * `ml-dash ls`: the runs of a root (or of a running `ml-dash serve`) as a table with status,
 * last update and point counts. The CLI parses arguments and prints; this module does the rest.
 */
import { NetworkError, RemoteError } from "../errors.ts";
import type { RunSummary } from "../server/store/index.ts";

/** Options of {@link formatRunsTable}. */
export interface FormatOptions {
  /** Current time, for "5 s ago" (tests). */
  readonly now?: number;
  /** Output JSON lines instead of a table. */
  readonly json?: boolean;
}

function ago(iso: string | null, now: number): string {
  if (!iso) return "—";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** How a status prints: inferred ones in lower case with a `?` (they are guesses). */
export function statusLabel(r: Pick<RunSummary, "status" | "inferred" | "stale">): string {
  if (r.inferred) return r.status === "RUNNING" ? "running?" : "finished?";
  return r.stale ? "RUNNING (stale)" : r.status;
}

/**
 * A plain-text table of runs, one per line, columns aligned.
 *
 * @example
 * ```ts
 * console.log(formatRunsTable(await listRuns(storage)));
 * // RUN                      STATUS     UPDATED   POINTS  METRICS
 * // alice/mnist/run-1        COMPLETED  2m ago    2,000   train:1,000 eval:1,000
 * ```
 */
export function formatRunsTable(runs: readonly RunSummary[], options: FormatOptions = {}): string {
  const now = options.now ?? Date.now();
  if (options.json) return runs.map((r) => JSON.stringify(r)).join("\n");
  if (runs.length === 0) return "No runs found.";
  const rows = [
    ["RUN", "STATUS", "UPDATED", "POINTS", "METRICS"],
    ...runs.map((r) => [
      r.path,
      statusLabel(r),
      ago(r.lastWriteAt, now),
      r.points.toLocaleString("en-US"),
      Object.entries(r.metrics)
        .map(([k, v]) => `${k}:${v.toLocaleString("en-US")}`)
        .join(" "),
    ]),
  ];
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => (row[j] as string).length)));
  return rows.map((row) => row.map((cell, j) => (j === row.length - 1 ? cell : cell.padEnd(widths[j] as number))).join("  ").trimEnd()).join("\n");
}

/**
 * The runs a running `ml-dash serve` (or a server with the dashboard mounted) knows about.
 *
 * @example
 * ```ts
 * console.log(formatRunsTable(await listRunsRemote("http://127.0.0.1:4780")));
 * ```
 */
export async function listRunsRemote(dashUrl: string, options: { token?: string; fetch?: typeof fetch } = {}): Promise<RunSummary[]> {
  const url = dashUrl.replace(/\/+$/, "") + "/dash/api/runs";
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, { headers: options.token ? { Authorization: `Bearer ${options.token}` } : {} });
  } catch (err) {
    throw new NetworkError(`Could not reach ${url}: is ml-dash serve running there?`, { cause: err });
  }
  if (!res.ok) throw new RemoteError(`GET ${url} answered ${res.status}`, res.status, await res.text().catch(() => ""));
  const body = (await res.json()) as { runs?: RunSummary[] };
  return body.runs ?? [];
}
