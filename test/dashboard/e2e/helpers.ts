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

/** Starts the live writer on `prefix`: it writes until {@link stopWriter}; resolves once it has started writing. */
export function liveWriter(prefix: string, mode = ""): Promise<ChildProcess> {
  const p = spawn(process.execPath, [join(REPO, "test/dashboard/live-writer.mjs"), ROOT, prefix, "until-stopped", ...(mode ? [mode] : [])], { cwd: REPO, stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    p.stdout?.on("data", (d: Buffer) => d.toString().includes("started") && ok(p));
    p.on("exit", (code) => code !== 0 && fail(new Error(`live writer exited ${code}`)));
  });
}

/** Tells the live writer to finish (flush, then complete its run unless it hangs); resolves once it has exited. */
export async function stopWriter(p: ChildProcess): Promise<void> {
  if (p.exitCode === null && p.stdin && !p.stdin.writableEnded) p.stdin.end("stop\n");
  await exited(p);
}

/** Resolves when the process exits. */
export function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null ? Promise.resolve() : new Promise((ok) => p.on("exit", () => ok()));
}

/**
 * Records the page's own fetch() calls whose URL contains `match`, as they are made (before any
 * response, unlike Playwright's request events, which arrive later and can come after a later
 * look at the page): read with {@link fetches} and {@link fetchedUrls}. Call before the page loads.
 */
export async function countFetches(page: Page, match: string): Promise<void> {
  await page.addInitScript((m) => {
    const g = globalThis as { __fetched?: string[]; fetch: typeof fetch };
    const original = g.fetch.bind(globalThis);
    g.__fetched = [];
    g.fetch = (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.includes(m)) g.__fetched!.push(url);
      return original(input, init);
    };
  }, match);
}

/** How many fetches {@link countFetches} has seen. */
export function fetches(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as { __fetched?: string[] }).__fetched?.length ?? 0);
}

/** The URLs {@link countFetches} has seen, in call order. */
export function fetchedUrls(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as { __fetched?: string[] }).__fetched ?? []);
}

/**
 * Resolves once the effects of the page's last render have run (Preact runs them after the next
 * frame, then a task): e.g. a poll that a render turned off has been stopped.
 */
export function effectsSettled(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(() => setTimeout(r)))));
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
