/**
 * Shared pieces of the dashboard's Playwright tests: the fixture root, screenshots (into
 * .test-out/screenshots, and into docs/screenshots when DASH_SCREENSHOTS=docs), a live writer
 * process, and waiting for a chart to hold data.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "@playwright/test";

export const REPO = resolve(import.meta.dirname, "../../..");
export const ROOT = join(REPO, ".test-out/dash-root");
const SHOTS = [join(REPO, ".test-out/screenshots"), ...(process.env.DASH_SCREENSHOTS === "docs" ? [join(REPO, "docs/screenshots")] : [])];

/** Saves a screenshot of the page under `name.png`. */
export async function shot(page: Page, name: string): Promise<void> {
  for (const dir of SHOTS) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `${name}.png`) });
  }
}

/** URL path of a run or folder. */
export function at(path: string, query = ""): string {
  return "/" + path + (query ? `?${query}` : "");
}

/** Waits until the chart titled `title` holds points; returns its debug view. */
export async function chartData(page: Page, title: string, minPoints = 1): Promise<{ x: number[]; cols: (number | null)[][] }> {
  const handle = await page.waitForFunction(
    ([t, n]) => {
      const c = (globalThis as any).__dash?.charts.find((x: any) => x.title === t);
      const d = c?.data as (number | null)[][] | undefined;
      return d && d[0] && d[0].length >= (n as number) ? { x: d[0], cols: d.slice(1) } : null;
    },
    [title, minPoints] as const,
    { polling: 50 },
  );
  return (await handle.jsonValue()) as { x: number[]; cols: (number | null)[][] };
}

/** Starts the live writer on `prefix`; resolves once it has started writing. */
export function liveWriter(prefix: string, seconds: number, mode = ""): Promise<ChildProcess> {
  const p = spawn(process.execPath, [join(REPO, "test/dashboard/live-writer.mjs"), ROOT, prefix, String(seconds), ...(mode ? [mode] : [])], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    p.stdout?.on("data", (d: Buffer) => d.toString().includes("started") && ok(p));
    p.on("exit", (code) => code !== 0 && fail(new Error(`live writer exited ${code}`)));
  });
}

/** Resolves when the process exits. */
export function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null ? Promise.resolve() : new Promise((ok) => p.on("exit", () => ok()));
}

/** Collects console errors and page errors. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/** The drawn axes of the chart titled `title`: label and tick texts (uPlot draws them on canvas). */
export async function axes(page: Page, title: string): Promise<{ label: string | null; ticks: string[] }[]> {
  return page.evaluate((t) => {
    const c = (globalThis as any).__dash?.charts.find((x: any) => x.title === t);
    return (c?.plot?.axes ?? []).map((a: any) => ({ label: a.label ?? null, ticks: (a._values ?? []).map(String) }));
  }, title);
}
