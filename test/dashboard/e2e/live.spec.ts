/**
 * E. A RUNNING run updates in the page while a process logs to it: incremental polls about
 * every second, none while the tab is hidden, and none once the run has ended.
 */
import { expect, type Page, test } from "@playwright/test";
import { at, chartData, exited, liveWriter, shot } from "./helpers.ts";

async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

test("E1/E3: a RUNNING run's chart advances within 2 s by incremental requests; the badge flips and polling stops when it completes", async ({ page }) => {
  const prefix = "alice/mnist/live/run-1";
  const writer = await liveWriter(prefix, 6);
  const series: string[] = [];
  page.on("request", (r) => r.url().includes("/series?") && series.push(r.url()));
  await page.goto(at(prefix, "x=step"));
  await expect(page.locator("h2 .badge")).toHaveText("running");
  const first = await chartData(page, "train.loss");
  const lastX = Math.max(...first.x);
  await expect.poll(async () => Math.max(...(await chartData(page, "train.loss")).x), { timeout: 2500, intervals: [100] }).toBeGreaterThan(lastX);
  await shot(page, "live-running");
  // After the first full load, polls ask only for what is new.
  const polls = series.slice(1);
  expect(polls.length).toBeGreaterThan(0);
  expect(polls.every((u) => u.includes("since=") && u.includes("bw="))).toBe(true);
  await exited(writer);
  await expect(page.locator("h2 .badge")).toHaveText("completed", { timeout: 5000 });
  const final = await chartData(page, "train.loss");
  await expect.poll(async () => (await chartData(page, "train.loss")).x.length, { timeout: 3000 }).toBeGreaterThanOrEqual(final.x.length);
  const n = series.length;
  await page.waitForTimeout(2500);
  expect(series.length).toBe(n);
});

test("E2: no polling while the tab is hidden; it resumes when visible again", async ({ page }) => {
  const prefix = "alice/mnist/live/run-2";
  const writer = await liveWriter(prefix, 8);
  let polls = 0;
  page.on("request", (r) => r.url().includes(`/series?path=${encodeURIComponent(prefix)}`) && polls++);
  await page.goto(at(prefix, "x=step"));
  await chartData(page, "train.loss");
  await page.waitForTimeout(1500);
  expect(polls).toBeGreaterThanOrEqual(2);
  await setHidden(page, true);
  await page.waitForTimeout(300);
  const hiddenAt = polls;
  await page.waitForTimeout(2500);
  expect(polls).toBe(hiddenAt);
  await setHidden(page, false);
  await expect.poll(() => polls, { timeout: 1500 }).toBeGreaterThan(hiddenAt);
  await exited(writer);
});

test("E4: a zoomed view stays put while data arrives", async ({ page }) => {
  const prefix = "alice/mnist/live/run-3";
  const writer = await liveWriter(prefix, 5);
  await page.goto(at(prefix, "x=step&xmin=0&xmax=5"));
  const a = await chartData(page, "train.loss");
  await page.waitForTimeout(2000);
  const b = await chartData(page, "train.loss");
  expect(b.x).toEqual(a.x);
  expect(Math.max(...b.x)).toBeLessThanOrEqual(6);
  await exited(writer);
});
