/**
 * Request helpers of the dashboard API: query parsing that names the bad parameter, run paths
 * checked segment by segment (no path can escape the root), and ETag/304 answers.
 */
import { exactJson } from "../protocol/exact-codec.ts";
import type { Context } from "hono";
import { NotFoundError, ValidationError } from "../errors.ts";
import { assertValidKey } from "../storage/contract.ts";
import type { ExperimentRef, RunStore } from "../server/store/index.ts";

/** A required query parameter. */
export function need(c: Context, name: string): string {
  const v = c.req.query(name);
  if (v === undefined || v === "") throw new ValidationError(`Query parameter "${name}" is required`, { field: name });
  return v;
}

/** An optional numeric query parameter (absent or empty → undefined). */
export function num(c: Context, name: string): number | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ValidationError(`Query parameter "${name}" must be a number, got ${JSON.stringify(v)}`, { field: name });
  return n;
}

/** A relative storage path from the query, checked so it cannot leave the root. */
export function keyParam(c: Context, name: string): string {
  const raw = need(c, name).replace(/^\/+|\/+$/g, "");
  try {
    assertValidKey(raw);
  } catch (err) {
    throw new ValidationError(`Query parameter "${name}" is not a valid path: ${(err as Error).message}`, { field: name, cause: err });
  }
  return raw;
}

/** The run named by `?path=` (`owner/project/.../name`); 404 when there is none. */
export async function runParam(c: Context, store: RunStore): Promise<ExperimentRef> {
  const dir = keyParam(c, "path");
  const run = await store.run(dir);
  if (!run) throw new NotFoundError(`No run at "${dir}" (no experiment.json there)`);
  return run;
}

/** A metric or track name (one path segment or a few): validated as a key part. */
export function nameParam(c: Context, name: string): string {
  const v = need(c, name);
  try {
    assertValidKey(v);
  } catch (err) {
    throw new ValidationError(`Query parameter "${name}" is not a valid name`, { field: name, cause: err });
  }
  return v;
}

/** FNV-1a of a string, as 8 hex digits (ETag material, not security). */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * JSON text of an answer. Values past 2^53 (a `bigint` param read exactly) keep every digit
 * (JSON.stringify cannot write a bigint); everything else is JSON.stringify's, which is faster.
 */
export function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return exactJson(v);
  }
}

/** Answers 304 when the client holds `tag`, else the JSON `make()` builds, tagged. */
export async function etagJson(c: Context, tag: string, make: () => Promise<unknown> | unknown): Promise<Response> {
  const etag = `"${tag}"`;
  const headers = { ETag: etag, "Cache-Control": "no-cache" };
  const inm = c.req.header("if-none-match");
  if (inm && inm.split(/\s*,\s*/).some((t) => t.replace(/^W\//, "") === etag)) return c.body(null, 304, headers);
  const body = await make();
  return c.body(jsonText(body), 200, { ...headers, "Content-Type": "application/json; charset=UTF-8" });
}
