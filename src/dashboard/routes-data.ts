/**
 * `GET /dash/api/logs`, `/files`, `/file`, `/track`, `/track-at` and `/dashrc`: a run's logs
 * (filtered), files (listed, downloaded with Range), tracks (floor-matched by time) and layouts.
 */
import { Hono } from "hono";
import type { StoredLog, TrackRecord } from "../model/backend.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { paths } from "../layout/paths.ts";
import type { DashContext } from "./context.ts";
import { parseDashRc } from "./dashrc.ts";
import { findFrame, listFiles, type DashFile, type FileRow } from "./files.ts";
import { etagJson, hash, keyParam, nameParam, need, num, runParam } from "./http.ts";

const decoder = new TextDecoder();
const LEVELS = ["debug", "info", "warn", "error", "fatal"];

/** A file as the browser sees it. */
function publicFile(f: DashFile): FileRow {
  const { key: _key, ...rest } = f;
  return { ...rest, url: "" };
}

/** Parses a time bound: epoch milliseconds or an ISO date. */
function timeParam(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new ValidationError(`Query parameter "${name}" must be a time (ms or ISO date), got ${JSON.stringify(v)}`, { field: name });
  return n;
}

/** Routes for logs, files, tracks and `.dashrc` files. */
export function dataRoutes(ctx: DashContext): Hono {
  const app = new Hono();

  app.get("/logs", async (c) => {
    const dir = await runParam(c, ctx.storage);
    const state = await ctx.logs.get(paths.logs(dir));
    const all = state?.records ?? [];
    const levels = (c.req.query("levels") ?? "").split(",").filter(Boolean).map((l) => (l === "warning" ? "warn" : l));
    const bad = levels.find((l) => !LEVELS.includes(l));
    if (bad) throw new ValidationError(`Unknown log level "${bad}" (debug, info, warn, error, fatal)`, { field: "levels" });
    const q = (c.req.query("q") ?? "").toLowerCase();
    const from = timeParam(c.req.query("from"), "from");
    const to = timeParam(c.req.query("to"), "to");
    const since = num(c, "since");
    const offset = Math.max(0, num(c, "offset") ?? 0);
    const limit = Math.min(20_000, Math.max(1, num(c, "limit") ?? 1000));
    const tag = hash(`${state?.bytes ?? 0}|${new URL(c.req.url).search}`);
    return etagJson(c, tag, () => {
      const counts: Record<string, number> = {};
      const matched: StoredLog[] = [];
      for (const r of all) {
        counts[r.level] = (counts[r.level] ?? 0) + 1;
        if (since !== undefined && r.sequenceNumber < since) continue;
        if (levels.length > 0 && !levels.includes(r.level === "warning" ? "warn" : r.level)) continue;
        if (from !== undefined || to !== undefined) {
          const t = Date.parse(r.timestamp);
          if ((from !== undefined && t < from) || (to !== undefined && t > to)) continue;
        }
        if (q && !r.message.toLowerCase().includes(q) && !(r.metadata && JSON.stringify(r.metadata).toLowerCase().includes(q))) continue;
        matched.push(r);
      }
      const last = all[all.length - 1];
      return {
        total: all.length,
        matched: matched.length,
        offset,
        // `tail=1`: the last `limit` matches (a long run's newest lines), else from `offset`.
        logs: c.req.query("tail") === "1" ? matched.slice(Math.max(0, matched.length - limit)) : matched.slice(offset, offset + limit),
        counts,
        nextSequence: last ? last.sequenceNumber + 1 : 0,
        first: all[0]?.timestamp ?? null,
        last: last?.timestamp ?? null,
      };
    });
  });

  app.get("/files", async (c) => {
    const dir = await runParam(c, ctx.storage);
    const files = await listFiles(ctx.storage, dir);
    return c.json({ files: files.map((f) => ({ ...publicFile(f), url: fileUrl(dir, f.id) })) });
  });

  app.get("/file", async (c) => {
    const dir = await runParam(c, ctx.storage);
    const id = need(c, "id");
    const file = (await listFiles(ctx.storage, dir)).find((f) => f.id === id);
    if (!file) throw new NotFoundError(`Run "${dir}" has no file with id "${id}"`);
    return sendFile(c.req.raw, ctx, file, c.req.query("download") === "1");
  });

  app.get("/track", async (c) => {
    const dir = await runParam(c, ctx.storage);
    const topic = nameParam(c, "topic");
    const state = await ctx.tracks.get(paths.trackData(dir, topic));
    if (!state) throw new NotFoundError(`Run "${dir}" has no track "${topic}"`);
    const limit = Math.min(100_000, Math.max(1, num(c, "limit") ?? 10_000));
    const all = state.records;
    const stride = Math.max(1, Math.ceil(all.length / limit));
    const entries = stride === 1 ? all : all.filter((_, i) => i % stride === 0 || i === all.length - 1);
    const columns = new Set<string>();
    for (const e of all) for (const k of Object.keys(e)) if (k !== "timestamp") columns.add(k);
    return etagJson(c, hash(`${state.bytes}|${limit}`), () => ({
      topic,
      total: all.length,
      sampled: stride > 1,
      first: all[0]?.timestamp ?? null,
      last: all[all.length - 1]?.timestamp ?? null,
      columns: [...columns].sort(),
      entries,
    }));
  });

  app.get("/track-at", async (c) => {
    const dir = await runParam(c, ctx.storage);
    const topic = nameParam(c, "topic");
    const t = num(c, "t");
    if (t === undefined) throw new ValidationError('Query parameter "t" is required', { field: "t" });
    const state = await ctx.tracks.get(paths.trackData(dir, topic));
    if (!state) throw new NotFoundError(`Run "${dir}" has no track "${topic}"`);
    const at = floorIndex(state.records, t);
    if (at < 0) throw new NotFoundError(`Track "${topic}" has no entry at or before t=${t} (it starts at ${state.records[0]?.timestamp ?? "—"})`);
    const ts = (state.records[at] as TrackRecord).timestamp;
    // Entries sharing a timestamp are one entry (as the SDK merges them).
    let lo = at;
    while (lo > 0 && (state.records[lo - 1] as TrackRecord).timestamp === ts) lo--;
    const entry: TrackRecord = Object.assign({}, ...state.records.slice(lo, at + 1));
    let frame: { id: string; url: string; contentType: string; filename: string } | null = null;
    for (const v of Object.values(entry)) {
      if (typeof v !== "string") continue;
      const f = findFrame(await listFiles(ctx.storage, dir), v);
      if (f) {
        frame = { id: f.id, url: fileUrl(dir, f.id), contentType: f.contentType, filename: f.relPath };
        break;
      }
    }
    return c.json({ topic, t, index: at, entry, frame, total: state.records.length });
  });

  app.get("/dashrc", async (c) => {
    const dir = keyParam(c, "path");
    const bytes = await ctx.storage.read(`${dir}/.dashrc`);
    if (!bytes && c.req.query("optional") === "1") return c.json(null);
    if (!bytes) throw new NotFoundError(`No .dashrc in "${dir}"`);
    const kind = (await ctx.storage.stat(`${dir}/experiment.json`)) ? "experiment" : "compare";
    const yaml = decoder.decode(bytes);
    return c.json({ path: dir, kind, yaml, ...parseDashRc(yaml, kind) });
  });

  return app;
}

/** The URL the UI uses for a file's bytes. */
export function fileUrl(dir: string, id: string): string {
  return `/dash/api/file?path=${encodeURIComponent(dir)}&id=${encodeURIComponent(id)}`;
}

/** Index of the last entry with `timestamp <= t` (entries sorted), or -1. */
export function floorIndex(entries: readonly TrackRecord[], t: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as TrackRecord).timestamp <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** The file's bytes, honouring `Range` (video seeking) and `If-None-Match`. */
async function sendFile(req: Request, ctx: DashContext, file: DashFile, download: boolean): Promise<Response> {
  const st = await ctx.storage.stat(file.key);
  if (!st) throw new NotFoundError(`The bytes of "${file.relPath}" are missing from the store`);
  const etag = `"${file.checksum ?? hash(`${st.size}-${st.mtimeMs ?? 0}`)}"`;
  const headers: Record<string, string> = {
    "Content-Type": file.contentType,
    ETag: etag,
    "Accept-Ranges": "bytes",
    "Cache-Control": "no-cache",
    "Content-Disposition": `${download ? "attachment" : "inline"}; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    // A user file is shown, never run: no scripts from an uploaded HTML or SVG.
    "Content-Security-Policy": "default-src 'none'; img-src data:; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
  };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.get("range") ?? "");
  if (range && (range[1] || range[2])) {
    let start = range[1] ? Number(range[1]) : Math.max(0, st.size - Number(range[2]));
    let end = range[1] && range[2] ? Number(range[2]) + 1 : st.size;
    end = Math.min(end, st.size);
    if (start >= st.size || start >= end) return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${st.size}` } });
    start = Math.max(0, start);
    const bytes = (await ctx.storage.readRange(file.key, start, end)) ?? new Uint8Array();
    return new Response(bytes as BodyInit, { status: 206, headers: { ...headers, "Content-Range": `bytes ${start}-${end - 1}/${st.size}`, "Content-Length": String(bytes.length) } });
  }
  const body = ctx.storage.readStream ? await ctx.storage.readStream(file.key) : await ctx.storage.read(file.key);
  if (!body) throw new NotFoundError(`The bytes of "${file.relPath}" are missing from the store`);
  return new Response(body as BodyInit, { status: 200, headers: { ...headers, "Content-Length": String(st.size) } });
}
