/**
 * C/J. Charts: the default layout, x axes, smoothing, log scale, drag-zoom, NaN gaps, `.dashrc`
 * layouts, and PNG/CSV export; runs written by this SDK and by ML-Dash Python.
 */
import { expect, type Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { at, axes, chartData, shot } from "./helpers.ts";

const LR = "alice/mnist/2026/lr-sweep/lr-0.001";

function titles(page: Page): Promise<string[]> {
  return page.locator(".card h3 .t").allTextContents();
}

/** TensorBoard's debiased EMA, written independently of the UI's code. */
function referenceEma(ys: (number | null)[], w: number): (number | null)[] {
  let acc = 0;
  let n = 0;
  return ys.map((y) => {
    if (y === null || !Number.isFinite(y)) return y;
    acc = acc * w + (1 - w) * y;
    n++;
    return acc / (1 - w ** n);
  });
}

async function downloadText(page: Page, button: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return readFileSync((await dl.path()) as string, "utf8");
}

test("C1: an SDK-written run gets one chart per metric.field (no step/epoch/_ts charts), x = step by default", async ({ page }) => {
  const series: string[] = [];
  page.on("request", (r) => r.url().includes("/series?") && series.push(r.url()));
  await page.goto(at(LR));
  await chartData(page, "train.loss", 200);
  expect((await titles(page)).sort()).toEqual(["eval.acc", "eval.loss", "train.acc", "train.loss"]);
  const d = await chartData(page, "eval.loss", 20);
  expect(d.x.length).toBe(20);
  expect(d.x[0]).toBe(9); // step (eval logs every 10th)
  expect(series.every((u) => u.includes("x=auto"))).toBe(true);
  await shot(page, "run-charts");
});

test("C1b: the Python-written run shows its charts, with NaN/±Infinity as gaps and a count", async ({ page }) => {
  await page.goto(at("alice/reference/mlp/python-run"));
  await chartData(page, "train.loss");
  const t = await titles(page);
  for (const want of ["train.loss", "eval.loss", "eval.acc", "eval.worst", "batch.loss.mean"]) expect(t).toContain(want);
  const ev = await chartData(page, "eval.loss");
  expect(ev.cols[0]).toContain(null);
  const card = page.locator(".card", { has: page.getByText("eval.acc", { exact: true }) });
  await expect(card.getByTestId("nonfinite")).toHaveText(/1 non-finite value/);
  await shot(page, "python-run");
});

test("C2: switching the x axis (step, epoch, wall time, relative) changes the data and the axis", async ({ page }) => {
  await page.goto(at(LR));
  await chartData(page, "train.loss", 200);
  await page.getByLabel("X axis").selectOption("step");
  await expect.poll(async () => (await chartData(page, "train.loss")).x.slice(0, 3)).toEqual([0, 1, 2]);
  await shot(page, "xaxis-step");
  await page.getByLabel("X axis").selectOption("epoch");
  await expect.poll(async () => Math.max(...(await chartData(page, "eval.loss")).x)).toBe(19);
  await page.getByLabel("X axis").selectOption("relative");
  await expect.poll(async () => (await chartData(page, "train.loss")).x[0]).toBeLessThan(3600);
  await expect.poll(async () => (await axes(page, "train.loss"))[0]?.ticks.join(" ")).toMatch(/\d(s|m|h)/);
  await shot(page, "xaxis-relative");
  await expect(page).toHaveURL(/x=relative/);
});

test("C3: smoothing 0.6 — the CSV's smoothed column equals TensorBoard's debiased EMA within 1e-9", async ({ page }) => {
  await page.goto(at(LR, "x=step&smooth=0.6"));
  await chartData(page, "train.loss", 200);
  const csv = (await downloadText(page, "Download train.loss as CSV")).trim().split("\n");
  expect(csv[0]).toBe("step,train.loss,train.loss.smoothed");
  const rows = csv.slice(1).map((l) => l.split(",").map((v) => (v === "" ? null : Number(v))));
  const ref = referenceEma(rows.map((r) => r[1] as number | null), 0.6);
  rows.forEach((r, k) => expect(Math.abs((r[2] as number) - (ref[k] as number))).toBeLessThan(1e-9));
  await shot(page, "smoothing");
});

test("C4: log scale shows powers of ten and says how many non-positive points it hid", async ({ page }) => {
  await page.goto(at("alice/big/1m", "x=step&log=1"));
  await chartData(page, "train.loss");
  await expect(page.locator(".card").first()).toContainText("non-positive points hidden (log scale)");
  const y = (await axes(page, "train.loss"))[1]!.ticks;
  expect(y.length).toBeGreaterThan(0);
  // Every labelled tick is a power of ten.
  for (const t of y.filter(Boolean)) expect(Math.log10(Number(t.replace(/,/g, "")) || NaN) % 1).toBeCloseTo(0, 6);
});

test("C6: drag-zoom writes xmin/xmax to the URL and re-queries the window at full resolution; double-click resets", async ({ page }) => {
  await page.goto(at("alice/big/1m", "x=step"));
  const before = await chartData(page, "train.loss");
  expect(Math.max(...before.x) - Math.min(...before.x)).toBeGreaterThan(900_000);
  const over = page.locator(".card").first().locator(".u-over");
  const drag = async (from: number, to: number): Promise<void> => {
    const box = (await over.boundingBox())!;
    const y = box.y + box.height / 2;
    const zoomed = page.waitForRequest((r) => r.url().includes("/series?") && r.url().includes("xmin="));
    await page.mouse.move(box.x + box.width * from, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 3 });
    await page.mouse.move(box.x + box.width * to, y, { steps: 3 });
    await page.mouse.up();
    await zoomed;
  };
  await drag(0.4, 0.42); // ~20,000 steps: still bucketed
  await expect(page).toHaveURL(/xmin=.*xmax=/);
  await expect.poll(async () => {
    const d = await chartData(page, "train.loss");
    return Math.max(...d.x) - Math.min(...d.x);
  }).toBeLessThan(40_000);
  await drag(0.3, 0.32); // ~400 steps: every point
  await expect.poll(async () => {
    const d = await chartData(page, "train.loss");
    return Math.max(...d.x) - Math.min(...d.x);
  }).toBeLessThan(1_000);
  const d = await chartData(page, "train.loss");
  // Full resolution: consecutive steps.
  expect(d.x[1]! - d.x[0]!).toBe(1);
  await over.dblclick();
  await expect(page).not.toHaveURL(/xmin=/);
});

test("C9/C11: an experiment .dashrc sets order, titles, the train/eval overlay, labels, the header row, image and video grids", async ({ page }) => {
  await page.goto(at("alice/mnist/2026/lr-sweep/lr-0.01"));
  const d = await chartData(page, "Loss (train vs eval)", 20);
  expect(d.cols.length).toBe(2);
  expect(await titles(page)).toEqual(["Loss (train vs eval)", "Accuracy", "Samples", "Clips"]);
  expect((await axes(page, "Loss (train vs eval)"))[0]?.label).toBe("training step");
  expect((await axes(page, "Loss (train vs eval)"))[1]?.label).toBe("loss");
  const header = page.getByTestId("header-metrics");
  await expect(header).toContainText("train.loss");
  await expect(header).not.toContainText("eval.loss");
  const imgs = page.locator('[data-media="image"] img');
  await expect(imgs).toHaveCount(8);
  await expect(imgs.first()).toHaveAttribute("alt", "images/sample_07.png"); // sorted by date, newest first
  await expect.poll(() => imgs.evaluateAll((els) => els.every((e) => (e as HTMLImageElement).naturalWidth > 0))).toBe(true);
  const video = page.locator('[data-media="video"] video');
  await expect(video).toHaveCount(1);
  await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).readyState)).toBeGreaterThanOrEqual(1);
  await shot(page, "dashrc-experiment");
});

test("J1: the PNG export decodes to the chart's size with the title and legend, on the theme's background", async ({ page }) => {
  await page.goto(at(LR));
  await chartData(page, "train.loss", 200);
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download train.loss as PNG" }).click()]);
  const b64 = readFileSync((await dl.path()) as string).toString("base64");
  const info = await page.evaluate(async (src) => {
    const img = new Image();
    img.src = `data:image/png;base64,${src}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d")!;
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const colors = new Set<string>();
    for (let i = 0; i < px.length; i += 4 * 97) colors.add(`${px[i]},${px[i + 1]},${px[i + 2]}`);
    const plot = document.querySelector(".card canvas") as HTMLCanvasElement;
    return { w: img.naturalWidth, h: img.naturalHeight, plotW: plot.width, corner: `${px[0]},${px[1]},${px[2]}`, colors: colors.size };
  }, b64);
  expect(info.w).toBe(info.plotW + 16);
  expect(info.h).toBeGreaterThan(200);
  expect(info.corner).toBe("255,255,255");
  expect(info.colors).toBeGreaterThanOrEqual(3);
});

test("J2: the CSV of a zoomed chart holds the raw points of the window, with a header per line", async ({ page }) => {
  await page.goto(at("alice/mnist/2026/lr-sweep/lr-0.01", "x=step&xmin=50&xmax=100"));
  await chartData(page, "Loss (train vs eval)", 20);
  const csv = (await downloadText(page, "Download Loss (train vs eval) as CSV")).trim().split("\n");
  expect(csv[0]).toBe("step,train.loss,eval.loss");
  // Every step of the window is a row (the raw points, not buckets), plus one point beyond each edge per line.
  const steps = csv.slice(1).map((l) => Number(l.split(",")[0]));
  const inside = steps.filter((s) => s >= 50 && s <= 100);
  expect(inside).toEqual(Array.from({ length: 51 }, (_, k) => 50 + k));
  expect(steps.length).toBeLessThanOrEqual(51 + 4);
  const row59 = csv.find((l) => l.startsWith("59,"))!.split(",");
  expect(Number(row59[1])).toBeGreaterThan(0);
  expect(Number(row59[2])).toBeGreaterThan(0); // eval is logged at steps 9, 19, …
});
