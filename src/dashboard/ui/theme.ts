/**
 * Light/dark theme: the saved choice, else the system preference (set before first paint by
 * index.html). Charts read their colours from CSS variables and are rebuilt on a change.
 */
import { useEffect, useState } from "preact/hooks";

const KEY = "ml-dash-theme";
const listeners = new Set<(t: "light" | "dark") => void>();

/** The current theme. */
export function theme(): "light" | "dark" {
  return document.documentElement.dataset["theme"] === "dark" ? "dark" : "light";
}

/** Switches and remembers the theme. */
export function setTheme(t: "light" | "dark"): void {
  document.documentElement.dataset["theme"] = t;
  try {
    localStorage.setItem(KEY, t);
  } catch {
    // storage may be unavailable (private mode); the choice then lasts for this page
  }
  for (const l of listeners) l(t);
}

/** Re-renders on a theme change. */
export function useTheme(): "light" | "dark" {
  const [t, set] = useState(theme());
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return t;
}

/** A CSS variable's value (chart colours). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
