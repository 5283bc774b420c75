/**
 * A run's files as the dashboard sees them in a `.dash` tree: the entries of the files
 * metadata (soft-deleted ones hidden) with the storage key of their bytes, plus the loose
 * files a person may have put in the run folder (`README.md`, `.dashrc`, images).
 */
import type { StorageAdapter } from "../../../storage/contract.ts";
import { readJsonDoc } from "../../../layout/json-doc.ts";
import { paths, runKeys } from "../../../layout/paths.ts";
import { contentKey } from "../../../files/names.ts";
import type { FileBody, RunFile } from "../../store/reads.ts";
import { runKeysOf } from "./run-summary.ts";

/** A file of a run and where its bytes are. */
export interface DashFile extends RunFile {
  /** Storage key of the bytes (not sent to the browser). */
  key: string;
}

const TYPES: Record<string, string> = {
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", svg: "image/svg+xml", bmp: "image/bmp",
  mp4: "video/mp4", webm: "video/webm", mov: "video/quicktime", json: "application/json", txt: "text/plain", md: "text/markdown",
  csv: "text/csv", yaml: "application/yaml", yml: "application/yaml", html: "text/html", pdf: "application/pdf",
};

/** A content type from a file name's extension. */
export function typeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot > 0 ? TYPES[name.slice(dot + 1).toLowerCase()] : undefined) ?? "application/octet-stream";
}

/** The run's files: saved ones first (newest first), then loose ones by name. */
export async function listFiles(storage: StorageAdapter, dir: string): Promise<DashFile[]> {
  const out: DashFile[] = [];
  const doc = await readJsonDoc(storage, paths.filesMeta(dir));
  const entries = Array.isArray(doc?.["files"]) ? (doc["files"] as unknown[]) : [];
  for (const e of entries) {
    if (e === null || typeof e !== "object") continue;
    const f = e as Record<string, unknown>;
    if (f["deletedAt"] || typeof f["id"] !== "string" || typeof f["filename"] !== "string") continue;
    const d = typeof f["path"] === "string" ? f["path"] : "/";
    const rel = d.replace(/^\/+|\/+$/g, "");
    out.push({
      id: f["id"],
      dir: d,
      filename: f["filename"],
      relPath: rel ? `${rel}/${f["filename"]}` : f["filename"],
      sizeBytes: typeof f["sizeBytes"] === "number" ? f["sizeBytes"] : 0,
      contentType: typeof f["contentType"] === "string" && f["contentType"] !== "application/octet-stream" ? f["contentType"] : typeOf(f["filename"]),
      checksum: typeof f["checksum"] === "string" ? f["checksum"] : null,
      uploadedAt: typeof f["uploadedAt"] === "string" ? f["uploadedAt"] : null,
      description: typeof f["description"] === "string" ? f["description"] : null,
      tags: Array.isArray(f["tags"]) ? f["tags"].filter((t): t is string => typeof t === "string") : [],
      key: contentKey(paths.filesDir(dir), d, f["id"], f["filename"]),
      source: "saved",
    });
  }
  out.sort((a, b) => (b.uploadedAt ?? "").localeCompare(a.uploadedAt ?? ""));
  const loose = (await runKeysOf(storage, dir)).filter((rel) => !runKeys.isSdkData(rel));
  for (const rel of loose.sort()) {
    const key = paths.inRun(dir, rel);
    const st = await storage.stat(key);
    const slash = rel.lastIndexOf("/");
    const filename = rel.slice(slash + 1);
    out.push({
      id: `loose:${rel}`,
      dir: "/" + (slash > 0 ? rel.slice(0, slash) : ""),
      filename,
      relPath: rel,
      sizeBytes: st?.size ?? 0,
      contentType: typeOf(filename),
      checksum: null,
      uploadedAt: st?.mtimeMs !== undefined ? new Date(st.mtimeMs).toISOString() : null,
      description: null,
      tags: [],
      key,
      source: "loose",
    });
  }
  return out;
}

/** A file as the store interface shows it (without its storage key). */
export function runFile(f: DashFile): RunFile {
  const { key: _key, ...rest } = f;
  return rest;
}

/** The bytes at `key` as a {@link FileBody}, or null when they are missing. */
export async function fileBody(storage: StorageAdapter, key: string): Promise<FileBody | null> {
  const st = await storage.stat(key);
  if (!st) return null;
  return {
    size: st.size,
    modifiedMs: st.mtimeMs,
    stream: async () => (storage.readStream ? await storage.readStream(key) : await storage.read(key)),
    range: async (start, end) => (await storage.readRange(key, start, end)) ?? new Uint8Array(),
  };
}
