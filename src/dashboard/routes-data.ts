/**
 * `GET /dash/api/logs`, `/files`, `/file`, `/track`, `/track-at` and `/dashrc`: a run's logs
 * (filtered), files (listed, downloaded with Range), tracks (floor-matched by time) and layouts.
 */
import { Hono } from "hono";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { FileBody, RunFile, RunStore } from "../server/store/index.ts";
import { parseDashRc } from "./dashrc.ts";
import { findFrame } from "./frames.ts";
import { etagJson, hash, keyParam, nameParam, need, num, runParam } from "./http.ts";

const LEVELS = ["debug", "info", "warn", "error", "fatal"];

/** Parses a time bound: epoch milliseconds or an ISO date. */
function timeParam(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new ValidationError(`Query parameter "${name}" must be a time (ms or ISO date), got ${JSON.stringify(v)}`, { field: name });
  return n;
}

/** Routes for logs, files, tracks and `.dashrc` files. */
export function dataRoutes(store: RunStore): Hono {
  const app = new Hono();

  app.get("/logs", async (c) => {
    const run = await runParam(c, store);
    const levels = (c.req.query("levels") ?? "").split(",").filter(Boolean).map((l) => (l === "warning" ? "warn" : l));
    const bad = levels.find((l) => !LEVELS.includes(l));
    if (bad) throw new ValidationError(`Unknown log level "${bad}" (debug, info, warn, error, fatal)`, { field: "levels" });
    const q = c.req.query("q") ?? "";
    const from = timeParam(c.req.query("from"), "from");
    const to = timeParam(c.req.query("to"), "to");
    const since = num(c, "since");
    const offset = Math.max(0, num(c, "offset") ?? 0);
    const limit = Math.min(20_000, Math.max(1, num(c, "limit") ?? 1000));
    const page = await store.logs(run, {
      fromSequence: since,
      // Lines written as "warning" (by other writers) count as "warn".
      levels: levels.length > 0 ? levels.flatMap((l) => (l === "warn" ? ["warn", "warning"] : [l])) : undefined,
      search: q,
      searchMetadata: true,
      from,
      to,
      offset,
      limit,
      tail: c.req.query("tail") === "1",
    });
    return etagJson(c, hash(`${page.revision}|${new URL(c.req.url).search}`), () => ({
      total: page.total,
      matched: page.matched,
      offset,
      logs: page.logs,
      counts: page.counts,
      nextSequence: page.nextSequence,
      first: page.first,
      last: page.last,
    }));
  });

  app.get("/files", async (c) => {
    const run = await runParam(c, store);
    const files = await store.runFiles(run);
    return c.json({ files: files.map((f) => ({ ...f, url: fileUrl(run.path, f.id) })) });
  });

  app.get("/file", async (c) => {
    const run = await runParam(c, store);
    const id = need(c, "id");
    const opened = await store.openRunFile(run, id);
    if (!opened) throw new NotFoundError(`Run "${run.path}" has no file with id "${id}"`);
    return sendFile(c.req.raw, opened.file, opened.body, c.req.query("download") === "1");
  });

  app.get("/track", async (c) => {
    const run = await runParam(c, store);
    const topic = nameParam(c, "topic");
    const track = await store.track(run, topic);
    if (!track) throw new NotFoundError(`Run "${run.path}" has no track "${topic}"`);
    const limit = Math.min(100_000, Math.max(1, num(c, "limit") ?? 10_000));
    return etagJson(c, hash(`${track.revision}|${limit}`), async () => {
      const s = await track.sample(limit);
      return { topic, total: s.total, sampled: s.sampled, first: s.first, last: s.last, columns: s.columns, entries: s.entries };
    });
  });

  app.get("/track-at", async (c) => {
    const run = await runParam(c, store);
    const topic = nameParam(c, "topic");
    const t = num(c, "t");
    if (t === undefined) throw new ValidationError('Query parameter "t" is required', { field: "t" });
    const track = await store.track(run, topic);
    if (!track) throw new NotFoundError(`Run "${run.path}" has no track "${topic}"`);
    const at = await track.at(t);
    if (at.index < 0 || !at.entry) throw new NotFoundError(`Track "${topic}" has no entry at or before t=${t} (it starts at ${at.first ?? "—"})`);
    let frame: { id: string; url: string; contentType: string; filename: string } | null = null;
    for (const v of Object.values(at.entry)) {
      if (typeof v !== "string") continue;
      const f = findFrame(await store.runFiles(run), v);
      if (f) {
        frame = { id: f.id, url: fileUrl(run.path, f.id), contentType: f.contentType, filename: f.relPath };
        break;
      }
    }
    return c.json({ topic, t, index: at.index, entry: at.entry, frame, total: at.total });
  });

  app.get("/dashrc", async (c) => {
    const dir = keyParam(c, "path");
    const yaml = await store.dashrc(dir);
    if (yaml === null && c.req.query("optional") === "1") return c.json(null);
    if (yaml === null) throw new NotFoundError(`No .dashrc in "${dir}"`);
    const kind = (await store.run(dir)) ? "experiment" : "compare";
    return c.json({ path: dir, kind, yaml, ...parseDashRc(yaml, kind) });
  });

  return app;
}

/** The URL the UI uses for a file's bytes. */
export function fileUrl(dir: string, id: string): string {
  return `/dash/api/file?path=${encodeURIComponent(dir)}&id=${encodeURIComponent(id)}`;
}

/** The file's bytes, honouring `Range` (video seeking) and `If-None-Match`. */
async function sendFile(req: Request, file: RunFile, body: FileBody | null, download: boolean): Promise<Response> {
  if (!body) throw new NotFoundError(`The bytes of "${file.relPath}" are missing from the store`);
  const size = body.size;
  const etag = `"${file.checksum ?? hash(`${size}-${body.modifiedMs ?? 0}`)}"`;
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
    let start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    let end = range[1] && range[2] ? Number(range[2]) + 1 : size;
    end = Math.min(end, size);
    if (start >= size || start >= end) return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${size}` } });
    start = Math.max(0, start);
    const bytes = await body.range(start, end);
    return new Response(bytes as BodyInit, { status: 206, headers: { ...headers, "Content-Range": `bytes ${start}-${end - 1}/${size}`, "Content-Length": String(bytes.length) } });
  }
  const content = await body.stream();
  if (!content) throw new NotFoundError(`The bytes of "${file.relPath}" are missing from the store`);
  return new Response(content as BodyInit, { status: 200, headers: { ...headers, "Content-Length": String(size) } });
}
