/**
 * Reading request bodies (JSON or msgpack, by `Content-Type`) and answering in the format the
 * client asked for (`Accept: application/msgpack` keeps NaN and ±Infinity; JSON turns them
 * into `null`).
 */
import { exactCodec, exactEncoder, exactJson } from "../protocol/exact-codec.ts";
import { decode } from "@msgpack/msgpack";
import type { Context } from "hono";
import { parsePyJson } from "../layout/py-json-parse.ts";
import { MSGPACK } from "../protocol/wire.ts";
import { HttpError } from "./http-error.ts";

const MSGPACK_TYPES = ["application/msgpack", "application/x-msgpack", "application/vnd.msgpack"];
const packer = exactEncoder();

/** Whether a content type is msgpack. */
export function isMsgpack(contentType: string): boolean {
  const t = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return MSGPACK_TYPES.includes(t);
}

/**
 * The parsed body. `msgpack: false` answers 415 to msgpack (endpoints that take JSON only, or a
 * server configured like the hosted API). JSON may carry Python's bare NaN / Infinity tokens.
 */
export async function readBody(c: Context, options: { msgpack: boolean }): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (isMsgpack(type)) {
    if (!options.msgpack) throw new HttpError(415, `This endpoint takes application/json, not ${type}`);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new HttpError(400, "Empty body: send a msgpack document");
    try {
      return decode(bytes, { extensionCodec: exactCodec }); // exact numbers kept as sent
    } catch (err) {
      throw new HttpError(400, `Invalid msgpack body: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const base = type.split(";")[0]?.trim().toLowerCase() ?? "";
  if (base !== "" && base !== "application/json" && !base.endsWith("+json") && base !== "text/plain") {
    throw new HttpError(415, `Unsupported Content-Type ${JSON.stringify(type)}: send application/json${options.msgpack ? " or application/msgpack" : ""}`);
  }
  const text = await c.req.text();
  if (text.trim() === "") throw new HttpError(400, "Empty body: send a JSON document");
  try {
    return parsePyJson(text, true); // stored as sent: `1.0` stays a float, big integers keep every digit
  } catch (err) {
    throw new HttpError(400, `Invalid JSON body: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The header of a JSON answer that says how NaN and ±Infinity are written in it (`null`). */
export const NON_FINITE_HEADER = "x-ml-dash-non-finite";

/**
 * Answers `body` as msgpack when the client accepts it, else as JSON. JSON cannot hold NaN or
 * ±Infinity: a JSON answer writes them as `null` and says so in its {@link NON_FINITE_HEADER}
 * header (`null`); msgpack keeps them (float64).
 */
export function reply(c: Context, body: unknown, status = 200): Response {
  const accept = c.req.header("accept") ?? "";
  if (accept.includes(MSGPACK) || accept.includes("application/x-msgpack")) {
    return new Response(packer.encode(body) as BodyInit, { status, headers: { "content-type": MSGPACK } });
  }
  return new Response(exactJson(body), { status, headers: { "content-type": "application/json; charset=utf-8", [NON_FINITE_HEADER]: "null" } });
}

/** An integer query parameter (400 naming it when malformed). */
export function intQuery(c: Context, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `Invalid query parameter "${name}": expected an integer ≥ 0, got ${JSON.stringify(raw)}`, { field: name });
  return Math.min(n, max);
}

/** A number query parameter, or undefined. */
export function numQuery(c: Context, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new HttpError(400, `Invalid query parameter "${name}": expected a number, got ${JSON.stringify(raw)}`, { field: name });
  return n;
}
