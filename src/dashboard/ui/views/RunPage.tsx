/**
 * One run: its header (status, times, tags) and tabs — charts (or its `.dashrc` layout),
 * parameters, logs, files, tracks, README. While it runs, the overview is polled every 2 s.
 */
import { useEffect, useState } from "preact/hooks";
import { getJson, prefetchJson, type RunDetail, type RunSummary } from "../api.ts";
import { usePoll } from "../live.ts";
import { type Route, setQuery } from "../route.ts";
import { ago, Badge } from "./Badge.tsx";
import { ChartsTab } from "./ChartsTab.tsx";
import { FilesTab } from "./FilesTab.tsx";
import { LogsTab } from "./LogsTab.tsx";
import { ParamsTab } from "./ParamsTab.tsx";
import { TracksTab } from "./TracksTab.tsx";

const TABS = ["charts", "params", "logs", "files", "tracks", "readme"] as const;

/** The run page. */
export function RunPage({ path, summary, route, onNotRun }: { path: string; summary: RunSummary | undefined; route: Route; onNotRun?: (path: string) => void }) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cur = detail?.summary ?? summary;
  const live = cur?.status === "RUNNING" && !cur.stale;
  const load = async (): Promise<void> => {
    try {
      const { data, changed } = await getJson<RunDetail | null>("run", { path, optional: 1 });
      if (data && (changed || !detail)) setDetail(data);
      // Not a run: a folder opened by deep link. Its runs table is asked for now (RunsTable's
      // request for the same URL takes this answer), and the app shows the folder.
      if (!data) {
        prefetchJson("table", { under: path });
        onNotRun?.(path);
      }
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => void load(), [path]);
  usePoll(load, 2000, live);

  const s = detail?.summary ?? summary;
  // Not a run (a folder opened by deep link): the app shows the folder instead.
  if (!s) return <div class={error ? "empty err" : "empty"}>{error ? `Could not load ${path}: ${error}` : "Loading…"}</div>;
  const tabs = TABS.filter((t) => t !== "readme" || detail?.readme);
  const tab = (tabs as readonly string[]).includes(route.q.get("tab") ?? "") ? (route.q.get("tab") as string) : "charts";
  const count = (t: string): string => (t === "logs" ? ` (${s.logs})` : t === "files" ? ` (${s.files})` : t === "tracks" ? ` (${s.tracks})` : "");

  return (
    <section aria-label={`Run ${s.path}`}>
      <h2 style="margin:0;display:flex;gap:10px;align-items:center">
        {s.name} <Badge run={s} />
      </h2>
      <div class="kv">
        <span>project <b>{s.project}</b></span>
        {s.folder && <span>folder <b>{s.folder}</b></span>}
        <span>created <b>{s.createdAt ? new Date(s.createdAt).toLocaleString() : "—"}</b></span>
        <span>last write <b data-testid="last-write">{ago(s.lastWriteAt)}</b></span>
        <span>points <b data-testid="points">{s.points.toLocaleString()}</b></span>
        {s.tags.length > 0 && <span>tags <b>{s.tags.join(", ")}</b></span>}
      </div>
      {s.description && <div class="note">{s.description}</div>}
      {error && <div class="err">{error}</div>}
      <div class="tabs" role="tablist" aria-label="Run views">
        {tabs.map((t) => (
          <button type="button" role="tab" key={t} aria-selected={tab === t} onClick={() => setQuery({ tab: t === "charts" ? undefined : t }, true)}>
            {t === "readme" ? "README" : t[0]?.toUpperCase() + t.slice(1)}
            {count(t)}
          </button>
        ))}
      </div>
      {!detail ? (
        <div class="empty">Loading…</div>
      ) : tab === "params" ? (
        <ParamsTab params={detail.params} />
      ) : tab === "logs" ? (
        <LogsTab run={s.path} live={live} route={route} />
      ) : tab === "files" ? (
        <FilesTab run={s.path} live={live} />
      ) : tab === "tracks" ? (
        <TracksTab run={s.path} tracks={detail.tracks} />
      ) : tab === "readme" ? (
        <div class="readme">{detail.readme}</div>
      ) : (
        <ChartsTab detail={detail} live={live} route={route} />
      )}
    </section>
  );
}
