/**
 * Logs: level filter, search, From/To time range (all in the URL), a virtualised list of the
 * last 20,000 matching lines (only the visible rows are in the DOM), metadata on click, and
 * following the tail while the run is live.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, type LogRow } from "../api.ts";
import { usePoll } from "../live.ts";
import { type Route, setQuery } from "../route.ts";

const LEVELS = ["debug", "info", "warn", "error", "fatal"];
const ROW = 24;

interface LogsAnswer {
  total: number;
  matched: number;
  logs: LogRow[];
  counts: Record<string, number>;
}

function localInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(Number.isFinite(Number(iso)) ? Number(iso) : iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

/** The tab. */
export function LogsTab({ run, live, route }: { run: string; live: boolean; route: Route }) {
  const levels = (route.q.get("levels") ?? "").split(",").filter(Boolean);
  const q = route.q.get("q") ?? "";
  const from = route.q.get("from");
  const to = route.q.get("to");
  const [ans, setAns] = useState<LogsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scroll, setScroll] = useState(0);
  const [open, setOpen] = useState<number | null>(null);
  const [follow, setFollow] = useState(live);
  const box = useRef<HTMLDivElement>(null);
  const load = async (): Promise<void> => {
    try {
      const { data, changed } = await getJson<LogsAnswer>("logs", { path: run, levels: levels.join(","), q, from: from ?? undefined, to: to ?? undefined, limit: 20_000, tail: 1 });
      if (changed || !ans) setAns(data);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => void load(), [run, levels.join(","), q, from, to]);
  usePoll(load, 1000, live);
  useEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [ans, follow]);

  const rows = ans?.logs ?? [];
  const height = box.current?.clientHeight ?? 600;
  const first = Math.max(0, Math.floor(scroll / ROW) - 10);
  const last = Math.min(rows.length, Math.ceil((scroll + height) / ROW) + 10);
  const toggle = (l: string): void => {
    const next = levels.includes(l) ? levels.filter((x) => x !== l) : [...levels, l];
    setQuery({ levels: next.join(",") || undefined });
  };
  const setTime = (k: "from" | "to", v: string): void => setQuery({ [k]: v ? new Date(v).toISOString() : undefined });

  return (
    <div>
      <div class="toolbar" role="group" aria-label="Log filters">
        {LEVELS.map((l) => (
          <button type="button" key={l} aria-pressed={levels.includes(l)} onClick={() => toggle(l)}>
            {l} <span class="note">{ans?.counts[l] ?? 0}</span>
          </button>
        ))}
        <input type="search" placeholder="Search messages…" aria-label="Search logs" value={q} onChange={(e) => setQuery({ q: (e.target as HTMLInputElement).value || undefined })} />
        <label>
          from <input type="datetime-local" step="1" aria-label="From time" value={localInput(from)} onChange={(e) => setTime("from", (e.target as HTMLInputElement).value)} />
        </label>
        <label>
          to <input type="datetime-local" step="1" aria-label="To time" value={localInput(to)} onChange={(e) => setTime("to", (e.target as HTMLInputElement).value)} />
        </label>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> follow tail
        </label>
        <button type="button" onClick={() => box.current && (box.current.scrollTop = box.current.scrollHeight)}>jump to bottom</button>
        <span class="note" data-testid="log-count">
          {ans ? `${ans.matched.toLocaleString()} of ${ans.total.toLocaleString()} lines${ans.matched > rows.length ? ` (the last ${rows.length.toLocaleString()} shown)` : ""}` : ""}
        </span>
      </div>
      {error && <div class="err">{error}</div>}
      <div class="logs" ref={box} tabIndex={0} aria-label="Log lines" onScroll={(e) => setScroll((e.target as HTMLElement).scrollTop)}>
        <div style={`height:${rows.length * ROW}px`} />
        {rows.slice(first, last).map((r, k) => {
          const i = first + k;
          return (
            <div class="logrow" key={r.sequenceNumber} style={`top:${i * ROW}px`} data-seq={r.sequenceNumber} onClick={() => setOpen(open === i ? null : i)} title={r.metadata ? JSON.stringify(r.metadata) : r.message}>
              <span class="ts">{r.timestamp.replace("T", " ").replace("Z", "")}</span>
              <span class={`lvl ${r.level}`}>{r.level}</span>
              <span class="msg">{r.message}</span>
              {r.metadata && <span class="meta">{open === i ? JSON.stringify(r.metadata) : "{…}"}</span>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
