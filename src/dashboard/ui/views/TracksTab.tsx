/**
 * Tracks: each topic with its columns, entry count and time range; a time scrubber (slider,
 * ←/→ one entry, play/pause) shows the entry in effect at that time — the last one at or before
 * it, as `findByTime` floor-matches — and the frame image it names. Numbers read formatted; the
 * numeric columns plot over time.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, type TrackMeta } from "../api.ts";
import { fmtNum } from "../chart/format.ts";
import { fmtTrackTime, TrackPlot } from "./TrackPlot.tsx";

interface TrackAnswer {
  topic: string;
  total: number;
  first: number | null;
  last: number | null;
  columns: string[];
  entries: { timestamp: number; [k: string]: unknown }[];
}

interface AtAnswer {
  index: number;
  entry: Record<string, unknown>;
  frame: { url: string; filename: string } | null;
}

/** Index of the last entry with timestamp ≤ t, or -1. */
export function floorAt(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= t) (ans = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return ans;
}

function Scrubber({ run, topic }: { run: string; topic: string }) {
  const [track, setTrack] = useState<TrackAnswer | null>(null);
  const [t, setT] = useState<number | null>(null);
  const [at, setAt] = useState<AtAnswer | null>(null);
  const [playing, setPlaying] = useState(false);
  const seq = useRef(0);
  useEffect(() => {
    void getJson<TrackAnswer>("track", { path: run, topic }).then(({ data }) => {
      setTrack(data);
      setT(data.first);
    });
  }, [run, topic]);
  useEffect(() => {
    if (t === null) return;
    const my = ++seq.current;
    getJson<AtAnswer>("track-at", { path: run, topic, t }).then(
      ({ data }) => my === seq.current && setAt(data),
      () => my === seq.current && setAt(null),
    );
  }, [t]);
  const times = track?.entries.map((e) => e.timestamp) ?? [];
  // The time shown, read by the play timer (a state updater may run late or twice under load).
  const tNow = useRef(t);
  tNow.current = t;
  // The entry on screen: playback moves on only once the current one is shown (no skipped frames on a slow link).
  const shownAt = useRef<unknown>(undefined);
  shownAt.current = at?.entry["timestamp"];
  useEffect(() => {
    if (!playing || !track) return;
    const id = setInterval(() => {
      const i = floorAt(times, tNow.current ?? -Infinity);
      if (i >= 0 && shownAt.current !== times[i]) return;
      if (i + 1 >= times.length) {
        setPlaying(false);
        return;
      }
      tNow.current = times[i + 1] as number;
      setT(tNow.current);
    }, 250);
    return () => clearInterval(id);
  }, [playing, track]);
  if (!track) return <div class="empty">Loading…</div>;
  if (track.first === null || track.last === null) return <div class="empty">This track has no entries.</div>;
  const stepEntry = (d: number): void => {
    const i = floorAt(times, t ?? track.first ?? 0);
    const j = Math.min(times.length - 1, Math.max(0, i + d));
    setT(times[j] as number);
  };
  const span = track.last - track.first;
  return (
    <div data-testid="scrubber">
      <div class="scrub">
        <button type="button" onClick={() => setPlaying(!playing)} aria-label={playing ? "Pause" : "Play"}>
          {playing ? "❚❚" : "▶"}
        </button>
        <input
          type="range"
          aria-label={`Time in ${topic}`}
          min={track.first}
          max={track.last}
          step={span > 0 ? span / 1000 : 1}
          value={t ?? track.first}
          onInput={(e) => setT(Number((e.target as HTMLInputElement).value))}
          onKeyDown={(e) => {
            if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
              e.preventDefault();
              stepEntry(e.key === "ArrowRight" ? 1 : -1);
            }
          }}
        />
        <span class="note" data-testid="scrub-time">
          t = {fmtTrackTime(t)}
        </span>
      </div>
      <div class="split">
        <table data-testid="track-entry">
          <tbody>
            {at ? (
              Object.entries(at.entry).map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td class="v">{k === "timestamp" ? fmtTrackTime(v as number) : typeof v === "number" ? fmtNum(v, 6) : JSON.stringify(v)}</td>
                </tr>
              ))
            ) : (
              <tr>
                <td class="note">No entry at or before this time.</td>
              </tr>
            )}
          </tbody>
        </table>
        <div class="frame">{at?.frame && <img src={at.frame.url} alt={at.frame.filename} data-testid="frame" />}</div>
      </div>
      <TrackPlot topic={topic} entries={track.entries} />
    </div>
  );
}

/** The tab. */
export function TracksTab({ run, tracks }: { run: string; tracks: TrackMeta[] }) {
  const [sel, setSel] = useState<string | null>(tracks[0]?.topic ?? null);
  if (tracks.length === 0) return <div class="empty">No tracks.</div>;
  return (
    <div>
      <table>
        <thead>
          <tr>
            <th>topic</th>
            <th>columns</th>
            <th>entries</th>
            <th>time range</th>
          </tr>
        </thead>
        <tbody>
          {tracks.map((tr) => (
            <tr key={tr.topic} class={`click${tr.topic === sel ? " sel" : ""}`} onClick={() => setSel(tr.topic)}>
              <td>
                <button type="button" style="border:0;background:none;padding:0;color:var(--accent)" onClick={() => setSel(tr.topic)}>
                  {tr.topic}
                </button>
              </td>
              <td class="v">{(tr.columns ?? []).join(", ")}</td>
              <td>{tr.totalEntries !== undefined ? fmtNum(tr.totalEntries) : "?"}</td>
              <td class="v">
                {fmtTrackTime(tr.firstTimestamp)} … {fmtTrackTime(tr.lastTimestamp)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sel && <Scrubber key={sel} run={run} topic={sel} />}
    </div>
  );
}
