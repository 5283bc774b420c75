/**
 * URL state: the path is the tree location (`/owner/project/folder/run`), the query holds the
 * view (tab, x axis, smoothing, log, zoom, checked runs, log filters). Links push history;
 * view tweaks replace it, so back/forward walk places, not slider positions.
 */
import { useEffect, useState } from "preact/hooks";

/** The current location. */
export interface Route {
  /** Tree path without leading/trailing slashes (`""` at the root). */
  path: string;
  q: URLSearchParams;
}

const listeners = new Set<() => void>();

function read(): Route {
  const path = decodeURIComponent(location.pathname).replace(/^\/+|\/+$/g, "");
  return { path, q: new URLSearchParams(location.search) };
}

function notify(): void {
  for (const l of listeners) l();
}

addEventListener("popstate", notify);

/** Subscribes a component to the URL. */
export function useRoute(): Route {
  const [r, set] = useState(read);
  useEffect(() => {
    const l = (): void => set(read());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return r;
}

/** Goes to a tree path, keeping the given query keys. */
export function go(path: string, keep: readonly string[] = ["runs", "find"]): void {
  const cur = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of keep) {
    const v = cur.get(k);
    if (v) q.set(k, v);
  }
  const url = "/" + path.split("/").filter(Boolean).map(encodeURIComponent).join("/") + (q.size ? `?${q}` : "");
  history.pushState(null, "", url);
  notify();
}

/** Changes query keys (`undefined` removes one). Replaces the history entry unless `push`. */
export function setQuery(patch: Record<string, string | undefined>, push = false): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === "") q.delete(k);
    else q.set(k, v);
  }
  const url = location.pathname + (q.size ? `?${q}` : "");
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  notify();
}

/** Click handler for in-app links: client-side navigation, unless a modifier asks for a new tab. */
export function linkClick(e: MouseEvent, path: string): void {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go(path);
}
