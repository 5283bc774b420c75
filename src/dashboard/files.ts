/**
 * A run's files as the dashboard sees them: the entries of `files/.files_metadata.json`
 * (soft-deleted ones hidden) with the storage key of their bytes, plus the loose
 * files a person may have put in the run folder (`README.md`, `.dashrc`, images).
 */
import type { StorageAdapter } from "../storage/contract.ts";
import { readJsonDoc } from "./runs.ts";

/** A file of a run. */
export interface DashFile {
  id: string;
  /** Logical folder, as saved (`/images`). */
  dir: string;
  filename: string;
  /** `dir/filename` without the leading `/` (what `.dashrc` globs match). */
  relPath: string;
  sizeBytes: number;
  contentType: string;
  checksum: string | null;
  uploadedAt: string | null;
  description: string | null;
  tags: string[];
  /** Storage key of the bytes (not sent to the browser). */
  key: string;
  /** `saved` = through `exp.files`; `loose` = a file lying in the run folder. */
  source: "saved" | "loose";
}

/** A row of `GET /dash/api/files`: a file as the browser sees it (no storage key). */
export type FileRow = Omit<DashFile, "key"> & { url: string };

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

/** Folders of a run that hold SDK data, not user files. */
const DATA_DIRS = ["metrics/", "logs/", "tracks/", "files/"];
const DATA_FILES = new Set(["experiment.json", "parameters.json"]);

/** The run's files: saved ones first (newest first), then loose ones by name. */
export async function listFiles(storage: StorageAdapter, dir: string): Promise<DashFile[]> {
  const out: DashFile[] = [];
  const doc = await readJsonDoc(storage, `${dir}/files/.files_metadata.json`);
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
      key: rel ? `${dir}/files/${rel}/${f["id"]}/${f["filename"]}` : `${dir}/files/${f["id"]}/${f["filename"]}`,
      source: "saved",
    });
  }
  out.sort((a, b) => (b.uploadedAt ?? "").localeCompare(a.uploadedAt ?? ""));
  const loose = (await storage.list(dir))
    .map((k) => k.slice(dir.length + 1))
    .filter((rel) => !DATA_FILES.has(rel) && !DATA_DIRS.some((p) => rel.startsWith(p)) && !rel.split("/").some((s) => s.endsWith(".lock")));
  for (const rel of loose.sort()) {
    const st = await storage.stat(`${dir}/${rel}`);
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
      key: `${dir}/${rel}`,
      source: "loose",
    });
  }
  return out;
}

/** Finds the file a track's `frame` value names: an exact relative path, a path suffix, or a file name. */
export function findFrame(files: readonly DashFile[], ref: string): DashFile | undefined {
  const r = ref.replace(/^\/+/, "");
  return files.find((f) => f.relPath === r) ?? files.find((f) => f.relPath.endsWith("/" + r)) ?? files.find((f) => f.filename === r);
}
