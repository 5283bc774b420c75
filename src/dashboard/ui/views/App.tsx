/**
 * The page: a top bar (breadcrumbs, compare, live state, theme), the run tree on the left, and
 * the place the URL names on the right — a run, a folder, or the comparison of checked runs.
 */
import { useEffect, useState } from "preact/hooks";
import { getJson, type RunSummary, runHref } from "../api.ts";
import { usePoll } from "../live.ts";
import { go, linkClick, setQuery, useRoute } from "../route.ts";
import { setTheme, useTheme } from "../theme.ts";
import { Compare } from "./Compare.tsx";
import { FirstRun, LoadError } from "./Empty.tsx";
import { FolderPage } from "./FolderPage.tsx";
import { RunPage } from "./RunPage.tsx";
import { Tree } from "./Tree.tsx";

/** The app. */
export function App() {
  const route = useRoute();
  const theme = useTheme();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [root, setRoot] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState(false);
  // A deep link the run probe found to be no run: its folder page opens before the tree is in
  // (the tree lists the whole root; the folder's table only the folder).
  const [folderAt, setFolderAt] = useState<string | null>(null);
  // A stale RUNNING run (its writer died) is not live: no fast polling for it.
  const anyRunning = runs?.some((r) => r.status === "RUNNING" && !r.stale) ?? false;

  const load = async (): Promise<void> => {
    try {
      const { data, changed } = await getJson<{ runs: RunSummary[]; root?: string | null }>("runs");
      if (changed || runs === null) setRuns(data.runs);
      setRoot(data.root ?? null);
      setError(null);
    } catch (err) {
      setError(err as Error);
    }
  };
  useEffect(() => void load(), []);
  usePoll(load, anyRunning ? 2000 : 10_000, true);

  const checked = (route.q.get("runs") ?? "").split(",").filter(Boolean);
  const onCheck = (path: string, on: boolean): void => {
    const next = on ? [...new Set([...checked, path])] : checked.filter((p) => p !== path);
    setQuery({ runs: next.join(",") || undefined, ...(next.length < 2 && route.q.get("view") === "compare" ? { view: undefined } : {}) });
  };
  const run = runs?.find((r) => r.path === route.path);
  const parts = route.path ? route.path.split("/") : [];
  const comparing = route.q.get("view") === "compare" && checked.length >= 2;

  return (
    <div class={`app${collapsed ? " collapsed" : ""}`}>
      <header class="top">
        <button type="button" aria-label={collapsed ? "Show the run tree" : "Hide the run tree"} aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)}>
          ☰
        </button>
        <a class="brand" href="/" onClick={(e) => linkClick(e as unknown as MouseEvent, "")}>ml-dash</a>
        <nav class="crumbs" aria-label="Breadcrumb" data-testid="breadcrumb">
          {parts.map((p, i) => {
            const path = parts.slice(0, i + 1).join("/");
            return (
              <span key={path}>
                /<a href={runHref(path)} onClick={(e) => linkClick(e as unknown as MouseEvent, path)}>{p}</a>
              </span>
            );
          })}
        </nav>
        {checked.length >= 2 && (
          <button type="button" class={comparing ? "on" : ""} aria-pressed={comparing} onClick={() => setQuery({ view: comparing ? undefined : "compare" }, true)}>
            Compare {checked.length} runs
          </button>
        )}
        {checked.length > 0 && (
          <button type="button" onClick={() => setQuery({ runs: undefined, view: undefined })} aria-label="Uncheck all runs">
            clear
          </button>
        )}
        <span class="note" data-testid="live">{anyRunning ? "● live" : ""}</span>
        <button type="button" aria-label="Toggle dark mode" aria-pressed={theme === "dark"} onClick={() => setTheme(theme === "dark" ? "light" : "dark")}>
          {theme === "dark" ? "☀" : "☾"}
        </button>
      </header>
      <aside class="side">{runs && <Tree runs={runs} current={route.path} checked={checked} onCheck={onCheck} />}</aside>
      <main class="main">
        {error && runs && <div class="err">Could not refresh the runs: {error.message}</div>}
        {error && !runs ? (
          // Without the run list there is nothing to wait for: say why, not "Loading…".
          <LoadError error={error} />
        ) : runs && runs.length === 0 && !route.path ? (
          <FirstRun root={root} />
        ) : comparing && runs ? (
          <Compare runs={checked.map((p) => runs.find((r) => r.path === p)).filter((r): r is RunSummary => !!r)} route={route} />
        ) : route.path && (run || (!runs && folderAt !== route.path)) ? (
          // A deep link opens the run without waiting for the whole tree (or finds it is a folder).
          <RunPage key={route.path} path={route.path} summary={run} route={route} onNotRun={setFolderAt} />
        ) : runs || folderAt === route.path ? (
          <FolderPage path={route.path} runs={runs} checked={checked} onCheck={onCheck} onOpen={(p) => go(p)} />
        ) : (
          <div class="empty">Loading…</div>
        )}
      </main>
    </div>
  );
}
