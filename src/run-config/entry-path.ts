/**
 * From `RUN.entry` (a path, a `file:` URL such as `import.meta.url`, or a page/worker URL) to
 * `pathStem`, the entry's path below the project root without its extension
 * (`scripts/train`), the way ML-Dash Python's `RUN.__post_init__` computes it. Paths use `/`;
 * Windows paths are turned into `C:/…` first. Pure string work: the file-system checks are
 * the runtime's (`RuntimeHooks.findProjectRoot`).
 */
import { joinPath } from "../internal/join-path.ts";

/** Files whose folder is a project root: JavaScript's and Python's (ML-Dash Python looks for the last four). */
export const PROJECT_ROOT_MARKERS: readonly string[] = [
  "package.json",
  "deno.json",
  "deno.jsonc",
  "pyproject.toml",
  "requirements.txt",
  "setup.py",
  "setup.cfg",
];

/** A resolved entry: an absolute file path, or the path part of a page or worker URL. */
export interface EntryLocation {
  readonly path: string;
  /** `file` for a file-system path, `url` for the path of an http(s) URL (it has no file system to search). */
  readonly kind: "file" | "url";
}

const DRIVE = /^[A-Za-z]:(?:[\\/]|$)/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** Collapses `.`, `..` and repeated `/` (Python's `os.path.abspath` normalisation). */
export function normalizePath(path: string): string {
  const p = DRIVE.test(path) || path.startsWith("\\\\") ? path.replace(/\\/g, "/") : path;
  const drive = DRIVE.test(p) ? p.slice(0, 2) : "";
  const body = p.slice(drive.length);
  const absolute = body.startsWith("/");
  const out: string[] = [];
  for (const seg of body.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (seg !== ".." || !absolute) out.push(seg);
  }
  const joined = out.join("/");
  return drive + (absolute ? "/" + joined : joined || ".");
}

/** The parent folder of an absolute path (`/` and `C:/` are their own parents). */
export function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return path;
  const head = path.slice(0, i);
  if (head === "" || /^[A-Za-z]:$/.test(head)) return head + "/";
  return head;
}

const isAbsolute = (p: string): boolean => p.startsWith("/") || DRIVE.test(p);

/**
 * Resolves an entry to an absolute path. A relative path is taken from `cwd` (when the runtime
 * has one); a `file:` URL becomes its path; any other URL keeps only its path.
 */
export function resolveEntry(entry: string | URL, cwd: string | undefined): EntryLocation {
  const text = typeof entry === "string" ? entry : entry.href;
  if (/^file:/i.test(text)) {
    const path = decodeURIComponent(new URL(text).pathname);
    return { path: /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path, kind: "file" };
  }
  if (SCHEME.test(text)) return { path: decodeURIComponent(new URL(text).pathname), kind: "url" };
  const absolute = isAbsolute(text) || cwd === undefined ? text : joinPath(normalizePath(cwd), text);
  return { path: normalizePath(absolute), kind: "file" };
}

/**
 * The folder at or above `entryPath` that holds one of {@link PROJECT_ROOT_MARKERS}. `stat`
 * says what a path is (`undefined` when it does not exist). A file entry starts the search at
 * its folder, a folder entry at itself, as Python's `find_project_root` does.
 */
export function searchProjectRoot(entryPath: string, stat: (path: string) => "file" | "dir" | undefined): string | undefined {
  let dir = stat(entryPath) === "file" ? parentDir(entryPath) : entryPath;
  for (;;) {
    if (PROJECT_ROOT_MARKERS.some((m) => stat(joinPath(dir, m)) !== undefined)) return dir;
    const up = parentDir(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Python's `os.path.splitext(p)[0]`: drops the last extension of the last segment (not a leading dot). */
export function stripExtension(path: string): string {
  const slash = path.lastIndexOf("/");
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf(".");
  if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return path;
  return path.slice(0, slash + 1 + dot);
}

/**
 * `pathStem`: the entry's path below `root`, without its extension. An entry outside the root
 * falls back to Python's rule (drop as many leading segments as the root has).
 *
 * @example pathStem("/home/a/proj/scripts/train.ts", "/home/a/proj") === "scripts/train"
 */
export function pathStem(entryPath: string, root: string): string {
  const r = root.length > 1 && root.endsWith("/") && !/^[A-Za-z]:\/$/.test(root) ? root.slice(0, -1) : root;
  let rel: string;
  if (r === "/" || /^[A-Za-z]:\/$/.test(r)) rel = entryPath.startsWith(r) ? entryPath.slice(r.length) : entryPath;
  else if (entryPath === r) rel = "";
  else if (entryPath.startsWith(r + "/")) rel = entryPath.slice(r.length + 1);
  else rel = entryPath.split("/").slice(r.split("/").length).join("/");
  return stripExtension(rel.replace(/^\/+/, ""));
}
