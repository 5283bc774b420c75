/**
 * Files as servers describe them, turned into the record the local store keeps
 * ({@link FileInfo}), and the small helpers of reading and hashing file content for uploads.
 */
import { StorageError } from "../../errors.ts";
import { readBounded } from "../../files/bounded-stream.ts";
import { incrementalSha256, sha256Hex, toHex, type Sha256 } from "../../files/sha256.ts";
import type { FileInfo } from "../../files/types.ts";
import type { PlainObject } from "../../model/values.ts";

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** `v` if it is an object, else `{}`. */
export function obj(v: unknown): Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}

/** A string (or a number as a string), else null. */
export function str(v: unknown): string | null {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** A record from what a server says about a file: a flat record, or a node with `physicalFile` (Python's client flattens the node this way). */
export function toFileInfo(raw: unknown, fallback: { experimentId: string; path?: string; filename?: string; bindrs?: readonly string[] }): FileInfo {
  const r = obj(raw);
  const node = r["node"] !== undefined ? obj(r["node"]) : r;
  const phys = obj(r["physicalFile"] ?? node["physicalFile"]);
  const meta = node["metadata"];
  return {
    id: str(node["id"]) ?? "",
    experimentId: str(node["experimentId"]) ?? fallback.experimentId,
    path: str(node["path"]) ?? fallback.path ?? "/",
    filename: str(node["filename"]) ?? str(phys["filename"]) ?? str(node["name"]) ?? fallback.filename ?? "",
    description: str(node["description"]),
    tags: strings(node["tags"]),
    bindrs: Array.isArray(node["bindrs"]) ? strings(node["bindrs"]) : [...(fallback.bindrs ?? [])],
    contentType: str(node["contentType"]) ?? str(phys["contentType"]) ?? "application/octet-stream",
    sizeBytes: Number(node["sizeBytes"] ?? phys["sizeBytes"] ?? 0), // some servers send it as a string
    checksum: str(node["checksum"]) ?? str(phys["checksum"]) ?? "",
    metadata: meta !== null && typeof meta === "object" && !Array.isArray(meta) ? (meta as PlainObject) : null,
    uploadedAt: str(node["uploadedAt"]) ?? str(node["createdAt"]) ?? "",
    updatedAt: str(node["updatedAt"]) ?? "",
    deletedAt: str(node["deletedAt"]),
  };
}

/** A random idempotency key. */
export function randomKey(): string {
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/** SHA-256 and size of a stream (refused past `max`). */
export async function hashStream(stream: ReadableStream<Uint8Array>, sha256: (() => Sha256) | undefined, max: number): Promise<{ checksum: string; size: number }> {
  const h = await incrementalSha256(sha256);
  const size = await readBounded(stream, max, (c) => h.update(c));
  return { checksum: toHex(h.digest()), size };
}

/** Reads a download fully and checks its SHA-256 against the record. */
export async function readVerified(res: Response, file: FileInfo): Promise<Uint8Array> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const sum = await sha256Hex(bytes);
  if (file.checksum && sum !== file.checksum) {
    throw new StorageError(`Checksum verification failed for file ${file.id} (${file.filename}): the server's record says ${file.checksum}, the bytes received hash to ${sum}`, {
      code: "CHECKSUM",
    });
  }
  return bytes;
}
