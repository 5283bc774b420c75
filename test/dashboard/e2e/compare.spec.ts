/**
 * D/G2. Comparing checked runs (overlay + parameter diff) and a folder's `.dashrc` compare view.
 */
import { expect, test } from "@playwright/test";
import { at, chartData, shot } from "./helpers.ts";

const SWEEP = "alice/mnist/2026/lr-sweep";

test("D1: checking three runs offers Compare; each shared metric.field gets one line per run", async ({ page }) => {
  await page.goto(at(SWEEP));
  const compare = page.getByRole("button", { name: /Compare \d runs/ });
  await page.getByLabel(`Compare ${SWEEP}/lr-0.001`).first().check();
  await expect(compare).toHaveCount(0); // one run: nothing to compare
  await page.getByLabel(`Compare ${SWEEP}/lr-0.01`).first().check();
  await page.getByLabel(`Compare ${SWEEP}/lr-0.1`).first().check();
  await compare.click();
  await expect(page.getByRole("heading", { name: "Comparing 3 runs" })).toBeVisible();
  const d = await chartData(page, "train.loss", 200);
  expect(d.cols.length).toBe(3);
  const titles = await page.locator(".card h3 .t").allTextContents();
  expect(titles.sort()).toEqual(["eval.acc", "eval.loss", "train.acc", "train.loss"]);
  await shot(page, "live-compare");
  // Unchecking down to one run leaves the comparison.
  await page.getByLabel(`Compare ${SWEEP}/lr-0.1`).first().uncheck();
  await page.getByLabel(`Compare ${SWEEP}/lr-0.01`).first().uncheck();
  await expect(page.getByRole("heading", { name: /Comparing/ })).toHaveCount(0);
});

test("D2: runs from different folders: a metric only some of them have is shown when at least two do", async ({ page }) => {
  const runs = ["alice/mnist/seeds/model-a/seed-1", "alice/mnist/seeds/model-b/seed-1", "alice/mnist/seeds/model-b/seed-2"];
  await page.goto(`/?runs=${encodeURIComponent(runs.join(","))}&view=compare`);
  const train = await chartData(page, "train.loss", 50);
  expect(train.cols.length).toBe(3);
  // eval exists in model-a runs only: one run here, so no eval chart.
  await expect(page.locator(".card h3 .t")).toHaveText(["train.loss"]);
});

test("G2: the parameter diff lists only differing keys unless asked for all", async ({ page }) => {
  const runs = [`${SWEEP}/lr-0.001`, `${SWEEP}/lr-0.1`];
  await page.goto(`/?runs=${encodeURIComponent(runs.join(","))}&view=compare`);
  const table = page.getByTestId("params-diff");
  await expect(table.locator("tbody tr")).toHaveCount(3); // lr, model.dropout, optimizer
  await expect(table).toContainText("optimizer");
  await expect(table).not.toContainText("batch_size");
  await page.getByLabel(/differences only/).uncheck();
  await expect(table.locator("tbody tr")).toHaveCount(7);
  await expect(table.locator('tr[data-key="batch_size"]')).not.toHaveClass(/diff/);
});

test("D3: a folder's .dashrc compare view draws its series with their labels, colours and dashes", async ({ page }) => {
  await page.goto(at(SWEEP));
  const view = page.getByTestId("compare-view");
  await expect(view).toBeVisible();
  const d = await chartData(page, "Train loss by learning rate", 200);
  expect(d.cols.length).toBe(2);
  const series = await page.evaluate(() => {
    const c = (globalThis as any).__dash.charts.find((x: any) => x.title === "Train loss by learning rate");
    return c.plot.series.slice(1).map((s: any) => ({ label: s.label, stroke: typeof s.stroke === "function" ? s.stroke(c.plot, 1) : s.stroke, dash: s.dash }));
  });
  expect(series).toEqual([
    { label: "lr 0.001", stroke: "#ee6666", dash: [6, 3] },
    { label: "lr 0.1", stroke: "#3ba272", dash: [] },
  ]);
  await shot(page, "compare-view");
});
