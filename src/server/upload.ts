/**
 * The file upload: `POST namespaces/{ns}/nodes` as `multipart/form-data`, exactly as ML-Dash
 * Python's client sends it for a file upload: the text fields `type=FILE`, `projectId`,
 * `experimentId`, `parentId`, `name`, `checksum`, then optionally `description`, `tags`
 * (comma-joined, or a JSON array), `metadata` (JSON), and ours `bindrs`; then the `file` part.
 *
 * The file part is streamed into the experiment's file store while its SHA-256 is computed,
 * and the record is stored only once the checksum matches (400 otherwise, and the bytes are
 * removed). A client that learns the checksum only at the end may send `checksum` after the
 * file part instead; nothing else may follow it.
 */
import type { Context } from "hono";
import { StorageError, ValidationError } from "../errors.ts";
import { fullPath } from "../files/names.ts";
import { isPlainObject, normalizeValue, type PlainObject } from "../model/values.ts";
import { parsePyJson } from "../layout/py-json-parse.ts";
import { badRequest, causeOf, clientGone, HttpError } from "./http-error.ts";
import { boundaryOf, MultipartError, MultipartReader, type MultipartPart } from "./multipart.ts";
import { checkName, fileJson, fileNodeJson, partType, physicalJson } from "./file-json.ts";
import { experimentOf } from "./lookups.ts";
import { notAFolder, segment } from "./routes-nodes.ts";
import type { RunStore } from "./store/index.ts";

const FIELDS = new Set(["type", "projectId", "experimentId", "parentId", "name", "checksum", "description", "tags", "bindrs", "metadata", "uploadedAt"]);
const MAX_FIELD_BYTES = 1024 * 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** Tags or bindrs: `a,b` as Python sends them, or a JSON array of strings. */
function list(raw: string | undefined, field: string): string[] {
  if (raw === undefined) return [];
  const t = raw.trim();
  if (t.startsWith("[")) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      v = undefined;
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw badRequest(`Invalid ${field}: send names joined by commas, or a JSON array of strings`, field);
    return v as string[];
  }
  return t.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function metadataOf(raw: string | undefined): PlainObject | null {
  if (raw === undefined || raw.trim() === "" || raw.trim() === "null") return null;
  let v: unknown;
  try {
    v = parsePyJson(raw);
  } catch (err) {
    throw badRequest(`Invalid metadata: not JSON (${err instanceof Error ? err.message : String(err)})`, "metadata");
  }
  if (!isPlainObject(v)) throw badRequest("Invalid metadata: must be a JSON object", "metadata");
  try {
    return normalizeValue(v, "metadata", "upload") as PlainObject;
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err), "metadata");
  }
}

function checksumOf(raw: string, field = "checksum"): string {
  const t = raw.trim();
  if (!SHA256_HEX.test(t)) throw badRequest(`Invalid checksum ${JSON.stringify(raw.slice(0, 80))}: send the file's SHA-256 as 64 hex digits`, field);
  return t.toLowerCase();
}

/** Maps what went wrong while the body was read onto an answer. */
function asHttp(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const mp = causeOf(err, MultipartError);
  if (mp) return new HttpError(mp.status, `Invalid multipart body: ${mp.message}`, mp.status === 413 ? {} : { field: "file" });
  if (clientGone(err)) return new HttpError(400, "The upload was interrupted: the connection closed before the body ended");
  const inner = causeOf(err, HttpError);
  if (inner) return inner;
  if (err instanceof ValidationError && err.field === "data") return new HttpError(413, err.message.replace("Invalid file data", "File too large"), { field: "file" });
  if (err instanceof ValidationError) return new HttpError(400, err.message, err.field ? { field: err.field } : {});
  return err;
}

/** Handles one upload; resolves to the answer body. */
export async function uploadFile(c: Context, store: RunStore): Promise<Record<string, unknown>> {
  const ns = segment(c.req.param("ns") as string, "namespace");
  const type = c.req.header("content-type") ?? "";
  const boundary = boundaryOf(type);
  if (!boundary) throw badRequest(`Invalid Content-Type ${JSON.stringify(type)}: send multipart/form-data with a boundary`, "content-type");
  const body = c.req.raw.body;
  if (!body) throw badRequest("Empty body: send the file as multipart/form-data", "file");
  const reader = new MultipartReader(body, boundary);
  try {
    return await receive(reader, ns, store, c.req.header("idempotency-key"));
  } catch (err) {
    await reader.cancel(err);
    throw asHttp(err);
  }
}

async function receive(reader: MultipartReader, ns: string, store: RunStore, idempotencyKey: string | undefined): Promise<Record<string, unknown>> {
  const fields = new Map<string, string>();
  let part: MultipartPart | undefined;
  while ((part = await reader.next())) {
    if (part.name === "file") break;
    if (!FIELDS.has(part.name)) throw badRequest(`Unknown field ${JSON.stringify(part.name)} in the upload: expected ${[...FIELDS].join(", ")} and file`, part.name);
    if (fields.has(part.name)) throw badRequest(`The field ${JSON.stringify(part.name)} is sent twice`, part.name);
    fields.set(part.name, await part.text(MAX_FIELD_BYTES));
  }
  if (!part) throw badRequest('The upload has no "file" part: send the content as a part named "file"', "file");

  if (fields.get("type") !== "FILE") throw badRequest(`Invalid type ${JSON.stringify(fields.get("type") ?? null)}: a multipart node must be type=FILE`, "type");
  const experimentId = fields.get("experimentId");
  if (!experimentId) throw badRequest("The upload has no experimentId", "experimentId");
  const e = await experimentOf(store, experimentId, { field: "experimentId" });
  if (!e.path.startsWith(ns + "/")) throw new HttpError(404, `Experiment ${e.id} is not in namespace ${ns}`, { field: "experimentId" });
  const projectId = fields.get("projectId");
  if (projectId !== undefined && projectId !== "" && projectId !== e.projectId) {
    throw badRequest(`projectId ${JSON.stringify(projectId)} is not the project of experiment ${e.id} (${e.projectId})`, "projectId");
  }
  const path = await store.fileFolderPath(e, fields.get("parentId"));
  if (path === undefined) throw notAFolder(fields.get("parentId"), e);
  const name = checkName(fields.get("name") ?? part.filename ?? "", "name");
  const declared = fields.has("checksum") ? checksumOf(fields.get("checksum") as string) : undefined;
  const description = fields.get("description") ?? null;
  const tags = list(fields.get("tags"), "tags");
  const bindrs = list(fields.get("bindrs"), "bindrs");
  const metadata = metadataOf(fields.get("metadata"));
  const uploadedAt = keptTime(fields.get("uploadedAt"), "uploadedAt");

  const verify = async (written: { size: number; checksum: string }): Promise<void> => {
    // What follows the file: only a checksum, for clients that hash while they send.
    let trailing: string | undefined;
    for (let p = await reader.next(); p; p = await reader.next()) {
      if (p.name !== "checksum" || trailing !== undefined) throw badRequest(`Unexpected field ${JSON.stringify(p.name)} after the file part: send the text fields first`, p.name);
      trailing = checksumOf(await p.text(1024));
    }
    if (declared !== undefined && trailing !== undefined && declared !== trailing) throw badRequest("Two different checksums were sent", "checksum");
    const expected = declared ?? trailing;
    if (expected === undefined) throw badRequest("The upload has no checksum: send the file's SHA-256 in the field checksum", "checksum");
    if (expected !== written.checksum) {
      throw badRequest(`Checksum mismatch for ${fullPath(path, name)}: the checksum field says ${expected}, the ${written.size} bytes received hash to ${written.checksum}; the file was not stored`, "checksum");
    }
  };

  let info;
  try {
    info = await store.saveFile(e, {
      path,
      filename: name,
      content: { kind: "stream", stream: part.body },
      contentType: partType(part.contentType, name),
      description,
      tags,
      bindrs,
      metadata,
      verify,
      ...(uploadedAt === undefined ? {} : { uploadedAt }),
    }, { idempotencyKey });
  } catch (err) {
    // writeContent wraps what the body stream threw: unwrap it to the client's mistake when it was one.
    const mapped = asHttp(err);
    if (mapped !== err || !(err instanceof StorageError)) throw mapped;
    throw err;
  }
  return { node: fileNodeJson(e, info, false), physicalFile: physicalJson(info), file: fileJson(e, info) };
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/**
 * A time a copy keeps (`ml-dash upload`'s `uploadedAt` field, `deletedAt` query): an ISO 8601
 * timestamp, kept as written; undefined when absent; 400 naming `field` otherwise.
 */
export function keptTime(raw: string | undefined, field: string): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!ISO_TIME.test(raw) || Number.isNaN(Date.parse(raw))) throw badRequest(`Invalid ${field} ${JSON.stringify(raw.slice(0, 40))}: use an ISO 8601 time such as 2026-01-02T03:04:05.000000Z`, field);
  return raw;
}
