/**
 * Logical file locations: a folder path (`/models`, `/` for the top) and a file name, and the
 * checks that keep every name inside its folder. Python stores the folder as `"/" + dir`
 * (Python's `files/<path>/<id>/<name>` layout); we also refuse what Python would let escape the `files/` tree.
 */
import { ValidationError } from "../errors.ts";
import { FILES_RESERVED_NAMES } from "../layout/files-reserved.ts";
import { segmentProblem as nameProblem, shown } from "../model/names.ts";

/** Names the `files/` folder itself uses; a folder or file of that name would collide with them. */
const RESERVED = FILES_RESERVED_NAMES;

/** Why one path segment cannot be used, or `undefined` when it can. */
function segmentProblem(seg: string): string | undefined {
  if (seg.includes("\u0000")) return "contains a NUL character";
  const p = nameProblem(seg);
  if (p) return p;
  if (RESERVED.has(seg)) return `uses the reserved name ${seg}`;
  return undefined;
}

function fail(field: string, value: unknown, problem: string): never {
  throw new ValidationError(`Invalid file ${field} ${typeof value === "string" ? shown(value) : JSON.stringify(value)}: it ${problem}`, { field });
}

/**
 * Normalises a builder folder (`"models"`, `"/models/"`, `"a/b"`) to Python's logical path:
 * `"/" + segments.join("/")`, or `"/"` for none. A leading `/` is allowed here (it is how
 * Python writes folders); `..`, backslashes and control characters are not.
 */
export function normalizeDir(dir: string | undefined, field = "dir"): string {
  if (dir === undefined) return "/";
  if (typeof dir !== "string") fail(field, dir, `must be a string, got ${typeof dir}`);
  const trimmed = dir.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return "/";
  for (const seg of trimmed.split("/")) {
    const p = segmentProblem(seg);
    if (p) fail(field, dir, p);
  }
  return "/" + trimmed;
}

/** Checks a file name: non-empty, one segment, nothing that escapes its folder. */
export function checkFilename(name: unknown, field = "to"): string {
  if (typeof name !== "string") fail(field, name, `must be a string, got ${typeof name}`);
  if (name === "") fail(field, name, "is empty; give a file name like \"model.bin\"");
  if (name.includes("/")) fail(field, name, "contains a /");
  const p = segmentProblem(name);
  if (p) fail(field, name, p);
  return name;
}

/**
 * Splits a relative target (`"model.bin"`, `"sub/dir/model.bin"`) and joins its folder part to
 * `dir`. Absolute targets, `..`, backslashes, NUL and empty names are {@link ValidationError}s.
 *
 * @example resolveTarget("/models", "ckpt/last.bin") // { path: "/models/ckpt", filename: "last.bin" }
 */
export function resolveTarget(dir: string, to: unknown, field = "to"): { path: string; filename: string } {
  if (typeof to !== "string") fail(field, to, `must be a string like "model.bin", got ${to === undefined ? "nothing" : typeof to}`);
  if (to === "") fail(field, to, 'is empty; give a file name like "model.bin"');
  if (to.startsWith("/")) fail(field, to, "is an absolute path; give a path relative to the folder");
  if (/^[A-Za-z]:/.test(to)) fail(field, to, "is an absolute (drive) path; give a path relative to the folder");
  const segs = to.split("/");
  for (const seg of segs) {
    const p = segmentProblem(seg);
    if (p) fail(field, to, p);
  }
  const filename = segs.pop() as string;
  return { path: segs.length === 0 ? dir : joinDir(dir, segs.join("/")), filename };
}

/** `"/a"` + `"b/c"` → `"/a/b/c"`; `"/"` + `"b"` → `"/b"`. */
export function joinDir(dir: string, rel: string): string {
  return dir === "/" ? "/" + rel : dir + "/" + rel;
}

/** The path relative to the `files/` root: `"models/model.bin"`, or the bare name at `/`. */
export function fullPath(path: string, filename: string): string {
  const dir = path.replace(/^\/+|\/+$/g, "");
  return dir === "" ? filename : dir + "/" + filename;
}

/** The storage key of a file's content, as Python lays it out: `files/<path>/<id>/<filename>`. */
export function contentKey(filesDir: string, path: string, id: string, filename: string): string {
  const dir = path.replace(/^\/+|\/+$/g, "");
  return dir === "" ? `${filesDir}/${id}/${filename}` : `${filesDir}/${dir}/${id}/${filename}`;
}

/** The folder holding one file's content (removed when the file is overwritten). */
export function contentDir(filesDir: string, path: string, id: string): string {
  const dir = path.replace(/^\/+|\/+$/g, "");
  return dir === "" ? `${filesDir}/${id}` : `${filesDir}/${dir}/${id}`;
}

/** True when `path` is `dir` or inside it (segment-wise: `/images` does not contain `/images2`). */
export function inDir(path: string, dir: string): boolean {
  if (dir === "/") return true;
  return path === dir || path.startsWith(dir + "/");
}

/** The last segment of a `/`- or `\`-separated local path. */
export function baseName(localPath: string): string {
  const parts = localPath.split(/[\\/]/).filter((p) => p !== "");
  return parts[parts.length - 1] ?? "";
}
