/**
 * D. Daily use (issue 17): the x axis defaults to step (else epoch, else index) and is
 * remembered per project; charts carry axis titles, a compact legend with the value under the
 * cursor, can be enlarged, sit in sections per metric that fold, use colours that keep 3:1
 * contrast on both themes, and the zoom-reset label reads in axis units; an empty root, a
 * missing token and an unknown path say what to do instead of "Loading…".
 */
import { expect, type Page, test } from "@playwright/test";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { at, axes, chartData, exited, REPO, shot } from "./helpers.ts";

const LR = "alice/mnist/2026/lr-sweep/lr-0.001";
const LR2 = "alice/mnist/2026/lr-sweep/lr-0.1";

/** Starts a dashboard of its own on a free port; resolves with its URL. */
function ownDashboard(root: string, extra: string[] = []): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(REPO, "scripts/dashboard-dev.mjs"), "--root", root, "--port", "0", ...extra], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+?)\/?(\?token=\S+)?\s/.exec(out);
      if (m) ok({ url: m[1] as string, proc });
    });
    proc.on("exit", (code) => fail(new Error(`dashboard exited ${code}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  proc.kill();
  await exited(proc);
}

/** WCAG contrast of two CSS `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string): number => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => Number(v) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

async function chipContrasts(page: Page): Promise<number[]> {
  const pairs = await page.evaluate(() =>
    [...document.querySelectorAll(".legend .chip")].map((chip) => [getComputedStyle(chip).backgroundColor, getComputedStyle(chip.closest(".card") as Element).backgroundColor] as [string, string]),
  );
  return pairs.map(([a, b]) => contrast(a, b));
}

test("D1: the x axis defaults to step, else epoch, else index; a choice is remembered per project", async ({ page }) => {
  const series: string[] = [];
  page.on("request", (r) => r.url().includes("/series?") && series.push(r.url()));
  await page.goto(at(LR));
  const ev = await chartData(page, "eval.loss", 20);
  expect(ev.x.slice(0, 3)).toEqual([9, 19, 29]); // step, not wall time
  expect(series.every((u) => u.includes("x=auto"))).toBe(true);
  await expect(page.getByLabel("X axis")).toHaveValue("auto");
  await expect.poll(async () => (await axes(page, "eval.loss"))[0]?.label).toBe("step");
  await shot(page, "xaxis-default-step");

  // Chosen once in this project, it holds on the next run of the project without a URL key…
  await page.getByLabel("X axis").selectOption("epoch");
  await expect.poll(async () => Math.max(...(await chartData(page, "eval.loss")).x)).toBe(19);
  await page.getByRole("navigation", { name: "Runs" }).getByRole("link", { name: "lr-0.1", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(LR2.replace(/\./g, "\\.")));
  await expect(page.getByLabel("X axis")).toHaveValue("epoch");
  await expect.poll(async () => Math.max(...(await chartData(page, "eval.loss")).x)).toBe(19);
  await page.reload();
  await expect(page.getByLabel("X axis")).toHaveValue("epoch");

  // …but not in another project, and `auto` forgets it.
  await page.goto(at("alice/status/completed"));
  await expect(page.getByLabel("X axis")).toHaveValue("auto");
  await chartData(page, "train.loss");
  await page.goto(at(LR2));
  await page.getByLabel("X axis").selectOption("auto");
  await page.goto(at(LR));
  await expect(page.getByLabel("X axis")).toHaveValue("auto");
});

test("D1b: a metric without step or epoch is drawn against its index, titled so", async ({ page }) => {
  const xKey = async (q: string): Promise<string> => ((await (await page.request.get(`/dash/api/series?${q}&x=auto&bins=100`)).json()) as { xKey: string }).xKey;
  expect(await xKey("path=alice/status/completed&metric=train&y=loss")).toBe("index");
  expect(await xKey("path=alice/big/1m&metric=train&y=loss")).toBe("step");
  await page.goto(at("alice/status/completed"));
  await chartData(page, "train.loss");
  await expect.poll(async () => (await axes(page, "train.loss"))[0]?.label).toBe("index (point number)");
});

test("D3: axis titles, a compact legend with the value under the cursor, enlarge, folding sections", async ({ page }) => {
  await page.goto(at(LR));
  await chartData(page, "train.loss", 200);
  const ax = await axes(page, "train.loss");
  expect(ax[0]?.label).toBe("step");
  expect(ax[1]?.label).toBe("loss");

  // One chip and name per line; uPlot's table legend is gone.
  const card = page.locator('[data-chart$="#train.loss"]');
  await expect(card.locator(".legend .item")).toHaveCount(1);
  await expect(card.locator(".legend .name")).toHaveText("train.loss");
  await expect(card.locator(".u-legend")).toHaveCount(0);
  const over = card.locator(".u-over");
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await expect(card.locator(".legend .at")).toHaveText(/^step \d+$/);
  await expect(card.locator(".legend .val")).toHaveText(/^ \d\.\d+$/);
  await shot(page, "chart-legend-hover");
  await page.mouse.move(0, 0);

  // Enlarge: the card spans the row and grows taller; again shrinks it.
  const before = (await card.boundingBox())!;
  await card.getByRole("button", { name: "Enlarge train.loss" }).click();
  await expect(card).toHaveClass(/\bbig\b/);
  await expect.poll(async () => (await card.boundingBox())!.height).toBeGreaterThan(before.height + 200);
  expect((await card.boundingBox())!.width).toBeGreaterThan(before.width * 1.5);
  await card.scrollIntoViewIfNeeded();
  await shot(page, "chart-enlarged");
  await card.getByRole("button", { name: "Shrink train.loss" }).click();
  await expect(card).not.toHaveClass(/\bbig\b/);

  // Sections per metric: folding `eval` hides its charts and the fold lives in the URL.
  await expect(page.locator("section.group h3 .twist")).toHaveText(["▾ eval", "▾ train"]);
  await page.locator('section[data-group="eval"] .twist').click();
  await expect(page.locator('[data-chart$="#eval.loss"]')).toHaveCount(0);
  await expect(page).toHaveURL(/fold=eval/);
  await expect(page.locator('[data-chart$="#train.loss"]')).toBeVisible();
  await shot(page, "chart-sections-folded");
  await page.locator('section[data-group="eval"] .twist').click();
  await expect(page.locator('[data-chart$="#eval.loss"]')).toBeVisible();
});

test("D3b: series colours keep 3:1 contrast on the light and the dark theme (compare of three runs)", async ({ page }) => {
  const runs = ["alice/mnist/2026/lr-sweep/lr-0.001", "alice/mnist/2026/lr-sweep/lr-0.01", "alice/mnist/2026/lr-sweep/lr-0.1"];
  await page.goto(at("alice/mnist/2026/lr-sweep", `runs=${runs.map(encodeURIComponent).join(",")}&view=compare`));
  await chartData(page, "train.loss", 200);
  await expect(page.locator('[data-chart="compare#train.loss"] .legend .item')).toHaveCount(3);
  for (const c of await chipContrasts(page)) expect(c).toBeGreaterThanOrEqual(3);
  await shot(page, "compare-light");
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await chartData(page, "train.loss", 200);
  for (const c of await chipContrasts(page)) expect(c).toBeGreaterThanOrEqual(3);
  await shot(page, "compare-dark");
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
});

test("D3c: the zoom-reset label reads in the axis' units: steps as numbers, wall time as a date", async ({ page }) => {
  await page.goto(at(LR, "x=step&xmin=50&xmax=100"));
  await chartData(page, "train.loss");
  await expect(page.getByTestId("reset-zoom")).toHaveText("reset zoom (step 50 – 100)");
  await page.goto(at(LR, "x=_ts&xmin=1795000000&xmax=1795000100"));
  await expect(page.getByTestId("reset-zoom")).toHaveText(/^reset zoom \(20\d\d-\d\d-\d\d \d\d:\d\d:\d\d – 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\)$/);
});

test("D5: an empty root says where the dashboard looks and how to log a first run", async ({ page }) => {
  const root = mkdtempSync(join(tmpdir(), "d5-"));
  const { url, proc } = await ownDashboard(root);
  try {
    await page.goto(url);
    const first = page.getByTestId("first-run");
    await expect(first).toContainText("No runs yet");
    await expect(first).toContainText(root);
    await expect(first).toContainText('exp.metrics("train").log');
    await expect(page.getByText("Loading…")).toHaveCount(0);
    await shot(page, "empty-root");
  } finally {
    await stop(proc);
    rmSync(root, { recursive: true, force: true });
  }
});

test("D5b: without its token the page says how to get in, and no 'Loading…' stays", async ({ page }) => {
  const root = mkdtempSync(join(tmpdir(), "d5b-"));
  const { url, proc } = await ownDashboard(root, ["--token", "d5-secret"]);
  try {
    await page.goto(url + "/alice/mnist/run-1");
    const err = page.getByTestId("load-error");
    await expect(err).toContainText("This dashboard needs its token");
    await expect(err).toContainText("?token=");
    await expect(page.getByText("Loading…")).toHaveCount(0);
    await shot(page, "missing-token");
  } finally {
    await stop(proc);
    rmSync(root, { recursive: true, force: true });
  }
});

test("D5c: a path that is neither run nor folder says so and links back; a run without metrics says how to log one", async ({ page }) => {
  await page.goto(at("alice/no-such-project/run"));
  await expect(page.getByTestId("nothing-here")).toContainText("no run or folder has this path");
  await page.getByTestId("nothing-here").getByRole("link", { name: "all runs" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
});

test("D4: an image panel beside the charts with a step slider, scaled to the panel", async ({ page }) => {
  await page.goto(at("alice/mnist/2026/lr-sweep/lr-0.01", "layout=default"));
  const panel = page.getByTestId("image-panel");
  const img = panel.locator("img");
  // Unmoved, it shows the newest image.
  await expect(img).toHaveAttribute("alt", "images/sample_07.png");
  await expect(panel.getByTestId("image-step")).toHaveText("step 7 · 10/10");
  const slider = panel.getByLabel("Image step");
  await slider.focus();
  await page.keyboard.press("Home");
  await expect(img).toHaveAttribute("alt", "images/pic.webp"); // no number in the name: upload order
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(img).toHaveAttribute("alt", "images/sample_01.png");
  await expect(panel.getByTestId("image-step")).toHaveText("step 1 · 4/10");
  // A 96-pixel image fills the panel's width, pixelated rather than blurred.
  await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(96);
  expect(await img.evaluate((e) => (e as HTMLImageElement).clientWidth)).toBeGreaterThan(300);
  await expect(img).toHaveClass(/tiny/);
  await chartData(page, "train.loss");
  await shot(page, "image-panel");
});

test("D4b: track numbers read formatted and a track's numeric columns plot over time", async ({ page }) => {
  await page.goto(at("alice/robot/pose", "tab=tracks"));
  await expect(page.getByTestId("scrub-time")).toHaveText("t = 1");
  const plot = page.getByTestId("track-plot");
  await expect(plot.getByLabel("x")).toBeChecked();
  await expect(plot.getByLabel("y")).toBeChecked();
  await expect(plot.locator("canvas")).toHaveCount(1);
  await expect(plot.locator(".u-legend")).toContainText("x");
  await plot.getByLabel("y").uncheck();
  await expect(plot.locator(".u-legend")).not.toContainText("y");
  await plot.getByLabel("y").check();
  await plot.scrollIntoViewIfNeeded();
  await shot(page, "track-plot");
});
