/**
 * `window.__dash`: what tests (and curious people) can read from the page — each chart's data as
 * drawn and its series' server answers, and the poll counter.
 */
import { pollStats } from "./live.ts";

/** A chart as registered. */
export interface ChartDebug {
  title: string;
  [k: string]: unknown;
}

const charts = new Map<string, ChartDebug>();

/** The object exposed as `window.__dash`. */
export const dashDebug = {
  get charts(): (ChartDebug & { id: string })[] {
    return [...charts].map(([id, c]) => ({ id, ...c }));
  },
  get polls(): number {
    return pollStats.polls;
  },
};
(globalThis as { __dash?: unknown }).__dash = dashDebug;

/** Registers (or with `null` removes) a chart's debug view. */
export function registerChart(id: string, c: ChartDebug | null): void {
  if (c) charts.set(id, c);
  else charts.delete(id);
}
