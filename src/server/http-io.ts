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
      const why = err instanceof Error ? err.message : String(err);
      if (/__proto__/.test(why)) throw new HttpError(400, `Invalid msgpack body: a map has the key "__proto__", which cannot be stored (JavaScript takes it for an object's prototype); rename it`);
      throw new HttpError(400, `Invalid msgpack body: ${why}`);
    }
  }
  const base = type.split(";")[0]?.trim().toLowerCase() ?? "";
  if (base !== "" && base !== "application/json" && !base.endsWith("+json") && base !== "text/plain") {
    throw new HttpError(415, `Unsupported Content-Type ${JSON.stringify(type)}: send application/json${options.msgpack ? " or application/msgpack" : ""}`);
  }
  const text = await c.req.text();
  if (text.trim() === "") throw new HttpError(400, "Empty body: send a JSON document");
  let body: unknown;
  try {
    body = parsePyJson(text, true); // stored as sent: `1.0` stays a float, big integers keep every digit
  } catch (err) {
    throw new HttpError(400, `Invalid JSON body: ${err instanceof Error ? err.message : String(err)}`);
  }
  const at = protoKeyPath(body);
  if (at !== undefined) {
    throw new HttpError(400, `Invalid body: the key "__proto__" at "${at}" cannot be stored (JavaScript takes it for an object's prototype); rename it`, { field: at });
  }
  return body;
}

/**
 * Where a parsed JSON body has a `__proto__` key (dot path), or undefined. Refused for every
 * route at once, before any handler copies the body: assigned to an object, that key replaces
 * its prototype, merging its values into the parent. (msgpack's decoder refuses it itself.)
 */
function protoKeyPath(body: unknown): string | undefined {
  const stack: [unknown, string][] = [[body, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (v === null || typeof v !== "object") continue;
    const keys = Object.keys(v);
    for (const k of keys) {
      const at = path === "" ? k : `${path}.${k}`;
      if (k === "__proto__") return at;
      stack.push([(v as Record<string, unknown>)[k], at]);
    }
  }
  return undefined;
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
