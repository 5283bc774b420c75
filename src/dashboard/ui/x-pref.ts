/**
 * The x axis each project was last viewed with, kept in localStorage: a link that names `x=`
 * wins, else the project's remembered choice, else `auto` (step → epoch → index).
 */
import type { Route } from "./route.ts";

const KEY = "ml-dash-x:";

/** `owner/project` of the page: the path's first two parts, else the first checked run's. */
export function projectOf(route: Route): string {
  const path = route.path || (route.q.get("runs") ?? "").split(",")[0] || "";
  return path.split("/").slice(0, 2).join("/");
}

/** The remembered x axis of a project, if any. */
export function savedX(project: string): string | null {
  try {
    return project ? localStorage.getItem(KEY + project) : null;
  } catch {
    return null; // storage unavailable (private mode): nothing remembered
  }
}

/** Remembers (or with `auto` forgets) a project's x axis. */
export function saveX(project: string, x: string): void {
  if (!project) return;
  try {
    if (x === "auto") localStorage.removeItem(KEY + project);
    else localStorage.setItem(KEY + project, x);
  } catch {
    // storage unavailable: the choice lasts as long as the URL keeps it
  }
}
