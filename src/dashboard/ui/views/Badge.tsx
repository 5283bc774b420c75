/** A run's status badge: solid when recorded, hollow (dashed) when inferred from write times. */
import type { RunSummary } from "../api.ts";

/** The badge text. */
export function statusText(r: Pick<RunSummary, "status" | "inferred" | "stale">): string {
  if (r.inferred) return r.status === "RUNNING" ? "running?" : "finished?";
  return r.stale ? "running (stale)" : r.status.toLowerCase();
}

/** The badge. */
export function Badge({ run }: { run: Pick<RunSummary, "status" | "inferred" | "stale"> }) {
  const cls = `badge ${run.status}${run.inferred ? " inferred" : ""}${run.stale ? " stale" : ""}${run.status === "RUNNING" && !run.stale ? " pulse" : ""}`;
  const title = run.inferred ? "No status recorded (written by ML-Dash Python?): guessed from the last write time" : `Status recorded by the run: ${run.status}`;
  return (
    <span class={cls} title={title} data-status={run.status} data-inferred={run.inferred ? "1" : "0"}>
      {statusText(run)}
    </span>
  );
}

/** "12 s ago" from an ISO time. */
export function ago(iso: string | null | undefined): string {
  if (!iso) return "—";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
