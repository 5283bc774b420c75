/**
 * Defaults for runtimes with no environment and no main script: browser pages and workers.
 * A page has `location`; a dedicated worker has `location` (its script URL) and may have a
 * `name` (`new Worker(url, { name })`). Node, Bun and Cloudflare Workers have neither, and
 * Deno has `location` only with `--location`.
 */

/** The globals these defaults read (a parameter so tests can pass their own). */
export interface WebGlobals {
  location?: { href?: unknown; pathname?: unknown };
  name?: unknown;
  importScripts?: unknown;
}

/** The page's or worker script's URL, the default `RUN.entry` where there is no main module. */
export function webEntry(g: WebGlobals = globalThis as WebGlobals): string | undefined {
  const href = g.location?.href;
  return typeof href === "string" && href !== "" ? href : undefined;
}

/**
 * The default `RUN.user` where there is no `USER`: a named dedicated worker's `name`, else the
 * last segment of the page's path without its extension (`/lab/train.html` → `train`;
 * `/` → `index`).
 */
export function webUser(g: WebGlobals = globalThis as WebGlobals): string | undefined {
  if (typeof g.importScripts === "function" && typeof g.name === "string" && g.name !== "") return g.name;
  const path = g.location?.pathname;
  if (typeof path !== "string") return undefined;
  const last = decodeURIComponent(path).split("/").filter((s) => s !== "").pop() ?? "";
  const stem = last.replace(/\.[^.]*$/, "");
  return stem === "" ? "index" : stem;
}
