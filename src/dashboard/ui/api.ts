/**
 * The UI's calls to `/dash/api`: JSON with an ETag cache per URL, so a poll that finds nothing
 * new costs a 304 and no re-render.
 */
import type { MetricInfo, RunFile, RunSummary, SeriesResponse } from "../../server/store/index.ts";
import type { DashRcResult } from "../dashrc.ts";

/** A row of `GET /dash/api/files`: a file and the URL of its bytes. */
export type FileRow = RunFile & { url: string };

export type { RunSummary, SeriesResponse, MetricInfo };

/** `GET /dash/api/run`. */
export interface RunDetail {
  summary: RunSummary;
  experiment: Record<string, unknown>;
  params: Record<string, unknown>;
  paramsVersion: number;
  metrics: MetricInfo[];
  tracks: TrackMeta[];
  dashrc: (DashRcResult & { yaml: string }) | null;
  readme: string | null;
}

/** A track's `metadata.json` plus its folder name. */
export interface TrackMeta {
  topic: string;
  dir: string;
  columns?: string[];
  totalEntries?: number;
  firstTimestamp?: number | null;
  lastTimestamp?: number | null;
}

/** A stored log line. */
export interface LogRow {
  sequenceNumber: number;
  timestamp: string;
  level: string;
  message: string;
  metadata?: Record<string, unknown>;
}

const cache = new Map<string, { etag: string; body: unknown }>();

/** The API error's message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Requests under way, by URL: a second caller of the same URL shares the first one's answer. */
const inflight = new Map<string, Promise<{ data: unknown; changed: boolean }>>();

/**
 * GETs JSON; `changed` is false when the server answered 304 for the cached copy. A request for
 * a URL already being fetched waits for that one (a page can ask for what it will need early).
 */
export function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<{ data: T; changed: boolean }> {
  const url = apiUrl(path, params);
  let running = inflight.get(url);
  if (!running) {
    running = fetchJson(url).finally(() => inflight.delete(url));
    inflight.set(url, running);
  }
  return running as Promise<{ data: T; changed: boolean }>;
}

/** Responses started before anything asked for them (index.html, {@link prefetchJson}), by URL. */
type Early = Record<string, Promise<Response> | undefined>;
const started = (): Early => ((globalThis as { __dashEarly?: Early }).__dashEarly ??= {});
/** How long a response fetched ahead stays good to use (a page that does not ask soon asks afresh). */
const EARLY_MS = 10_000;
// What index.html fetched ahead is for the first view: dropped if that view did not take it.
setTimeout(() => {
  const all = started();
  for (const url of Object.keys(all)) delete all[url];
}, EARLY_MS);

/** The response fetched ahead for `url`, taken once. */
function early(url: string): Promise<Response> | undefined {
  const all = started();
  const res = all[url];
  delete all[url];
  return res;
}

/** Starts fetching what {@link getJson} will soon be asked for; the first `getJson` of it takes the answer. */
export function prefetchJson(path: string, params: Record<string, string | number | undefined> = {}): void {
  const url = apiUrl(path, params);
  const all = started();
  if (all[url] || inflight.has(url) || cache.has(url)) return;
  const res = (all[url] = fetch(url));
  res.catch(() => undefined); // a failure is reported to the one who takes it
  setTimeout(() => all[url] && delete all[url], EARLY_MS);
}

function apiUrl(path: string, params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") qs.set(k, String(v));
  return `/dash/api/${path}${qs.size ? `?${qs}` : ""}`;
}

async function fetchJson(url: string): Promise<{ data: unknown; changed: boolean }> {
  const hit = cache.get(url);
  const res = (!hit && (await early(url)?.catch(() => undefined))) || (await fetch(url, { headers: hit ? { "If-None-Match": hit.etag } : {} }));
  if (res.status === 304 && hit) return { data: hit.body, changed: false };
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(body.error ?? `${res.status} ${res.statusText}`, res.status);
  const etag = res.headers.get("etag");
  if (etag) {
    cache.set(url, { etag, body });
    if (cache.size > 500) cache.delete(cache.keys().next().value as string);
  }
  return { data: body, changed: true };
}

/** URL of a run page. */
export function runHref(path: string): string {
  return "/" + path.split("/").map(encodeURIComponent).join("/");
}
