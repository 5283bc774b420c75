/**
 * E. A RUNNING run updates in the page while a process logs to it: incremental polls about
 * every second, none while the tab is hidden, and none once the run has ended.
 *
 * The writer runs until the test stops it and every wait is on a condition, so a loaded machine
 * only makes the tests slower. How soon the chart advances is printed here and held to its
 * budget (≤ 2 s) by `npm run bench dashboard`.
 */
import { type Browser, expect, type Page, test } from "@playwright/test";
import { at, chartData, countFetches, effectsSettled, fetchedUrls, fetches, liveWriter, shot, stopWriter } from "./helpers.ts";

/** Waits for what a loaded machine may take long to show (a poll, a status flip). */
const WAIT = { timeout: 30_000 };
// Each test waits for several polls of a live writer (and E2 loads a second page): tens of
// seconds on a loaded machine, past the config's 60 s.
test.describe.configure({ timeout: 180_000 });

/** The run of a test: one of its own for each repetition and retry, which must not find the last one's data. */
function fresh(prefix: string): string {
  const { repeatEachIndex, retry } = test.info();
  return repeatEachIndex === 0 && retry === 0 ? prefix : `${prefix}-r${repeatEachIndex}.${retry}`;
}

/** Hides or shows the tab; returns the page's series fetch count at that moment (nothing can start in between). */
async function setHidden(page: Page, hidden: boolean): Promise<number> {
  return page.evaluate((h) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
    return (globalThis as { __fetched?: string[] }).__fetched?.length ?? 0;
  }, hidden);
}

/** A second, visible page on the run: while it polls `polls` more times, a visible tab would have polled too. */
async function whileAVisiblePagePolls(browser: Browser, path: string, match: string, polls: number): Promise<void> {
  const page = await (await browser.newContext()).newPage();
  try {
    await countFetches(page, match);
    await page.goto(at(path, "x=step"));
    await chartData(page, "train.loss");
    const from = await fetches(page);
    await expect.poll(() => fetches(page), WAIT).toBeGreaterThanOrEqual(from + polls);
  } finally {
    await page.context().close();
  }
}

test("E1/E3: a RUNNING run's chart advances by incremental requests; the badge flips and polling stops when it completes", async ({ page }) => {
  const prefix = fresh("alice/mnist/live/run-1");
  const writer = await liveWriter(prefix);
  try {
    await countFetches(page, "/series?");
    await page.goto(at(prefix, "x=step"));
    await expect(page.locator("h2 .badge")).toHaveText("running", WAIT);
    const first = await chartData(page, "train.loss");
    // The chart holds its first full answer: what it fetches from now on are polls.
    const drawnAt = await fetches(page);
    const lastX = Math.max(...first.x);
    const t0 = Date.now();
    await expect.poll(async () => Math.max(...(await chartData(page, "train.loss")).x), { ...WAIT, intervals: [100] }).toBeGreaterThan(lastX);
    console.log(`[figure] live chart advanced ${Date.now() - t0} ms after it was first drawn (budget ≤ 2 s: npm run bench dashboard)`);
    await shot(page, "live-running");
    // Once the first full answer is in, polls ask only for what is new. (A poll due before that
    // answer, which a loaded machine can delay past the 1 s period, has nothing to build on.)
    // The poll that advanced the chart may have been sent before `drawnAt` was read (it is
    // counted when sent, and the chart can still show the first answer while it is in flight),
    // so wait for one sent after it rather than assume there already is one.
    await expect.poll(() => fetches(page), WAIT).toBeGreaterThan(drawnAt);
    const polls = (await fetchedUrls(page)).slice(drawnAt);
    expect(polls.every((u) => u.includes("since=") && u.includes("bw="))).toBe(true);
    await stopWriter(writer);
    await expect(page.locator("h2 .badge")).toHaveText("completed", WAIT);
    const final = await chartData(page, "train.loss");
    await expect.poll(async () => (await chartData(page, "train.loss")).x.length, WAIT).toBeGreaterThanOrEqual(final.x.length);
    // The render that showed "completed" turned polling off once its effects ran; from then on,
    // no series request: 2.5 s is the window for a wrong one to show up in (two poll periods).
    await effectsSettled(page);
    const n = await fetches(page);
    await page.waitForTimeout(2500);
    expect(await fetches(page)).toBe(n);
  } finally {
    await stopWriter(writer);
  }
});

test("E2: no polling while the tab is hidden; it resumes when visible again", async ({ page, browser }) => {
  const prefix = fresh("alice/mnist/live/run-2");
  const match = `/series?path=${encodeURIComponent(prefix)}`;
  const writer = await liveWriter(prefix);
  try {
    await countFetches(page, match);
    await page.goto(at(prefix, "x=step"));
    await chartData(page, "train.loss");
    await expect.poll(() => fetches(page), WAIT).toBeGreaterThanOrEqual(2);
    const hiddenAt = await setHidden(page, true);
    // While a visible page polls twice, the hidden one does not poll at all.
    await whileAVisiblePagePolls(browser, prefix, match, 2);
    expect(await fetches(page)).toBe(hiddenAt);
    await setHidden(page, false);
    await expect.poll(() => fetches(page), WAIT).toBeGreaterThan(hiddenAt);
  } finally {
    await stopWriter(writer);
  }
});

test("E4: a zoomed view stays put while data arrives", async ({ page }) => {
  const prefix = fresh("alice/mnist/live/run-3");
  const writer = await liveWriter(prefix);
  try {
    await page.goto(at(prefix, "x=step&xmin=0&xmax=5"));
    const a = await chartData(page, "train.loss");
    // Data arrives: the run's point count, polled by the page, goes up twice.
    const points = async (): Promise<number> => Number((await page.getByTestId("points").textContent())?.replace(/\D/g, "") ?? 0);
    const p0 = await points();
    await expect.poll(points, WAIT).toBeGreaterThan(p0);
    const p1 = await points();
    await expect.poll(points, WAIT).toBeGreaterThan(p1);
    await effectsSettled(page);
    const b = await chartData(page, "train.loss");
    expect(b.x).toEqual(a.x);
    expect(Math.max(...b.x)).toBeLessThanOrEqual(6);
  } finally {
    await stopWriter(writer);
  }
});
