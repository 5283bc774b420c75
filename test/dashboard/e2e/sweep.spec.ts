/**
 * S. The runs table for sweeps (issue 17 item 2): parameter and metric-summary columns, sort, a
 * filter expression, the sidebar filter, a column picker, grouping with mean ± band charts,
 * selection into compare, parallel coordinates and a parameter-vs-metric scatter.
 */
import { expect, type Page, test } from "@playwright/test";
import { at, chartData, shot } from "./helpers.ts";

const SWEEP = "alice/mnist/2026/lr-sweep";

function runsInTable(page: Page): Promise<string[]> {
  return page.locator("table.runs tbody tr[data-run]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-run") ?? ""));
}

test("S1: parameters and metric summaries as columns; sort; a filter expression; the column picker", async ({ page }) => {
  await page.goto(at(SWEEP));
  const table = page.getByTestId("runs-table");
  await expect(table.locator("tbody tr[data-run]")).toHaveCount(3);
  const heads = await table.locator("thead th").allTextContents();
  for (const h of ["run", "status", "tags", "duration", "lr", "optimizer", "model.dropout", "train.loss (last)"]) expect(heads).toContain(h);
  expect(heads).not.toContain("seed"); // the same in every run: not shown before it is picked

  // Sorting by lr, descending on the second click.
  await table.getByRole("button", { name: "lr", exact: true }).click();
  expect(await runsInTable(page)).toEqual([`${SWEEP}/lr-0.001`, `${SWEEP}/lr-0.01`, `${SWEEP}/lr-0.1`]);
  await table.getByRole("button", { name: "lr ▲" }).click();
  expect(await runsInTable(page)).toEqual([`${SWEEP}/lr-0.1`, `${SWEEP}/lr-0.01`, `${SWEEP}/lr-0.001`]);
  await expect(page).toHaveURL(/sort=-lr/);

  // Values: lr as given, the last train.loss with four significant digits.
  const row = table.locator(`tr[data-run="${SWEEP}/lr-0.1"]`);
  await expect(row.locator('td[data-col="lr"]')).toHaveText("0.1");
  await expect(row.locator('td[data-col="optimizer"]')).toHaveText("sgd");
  await expect(row.locator('td[data-col="train.loss"]')).toHaveText(/^0\.\d+$/);

  // The filter expression, and what a bad one says.
  await page.getByLabel("Filter expression").fill("lr < 0.01 and status = COMPLETED");
  await page.getByRole("button", { name: "Apply" }).click();
  expect(await runsInTable(page)).toEqual([`${SWEEP}/lr-0.001`]);
  await expect(page.getByTestId("table-count")).toHaveText("1 of 3 runs");
  await page.getByLabel("Filter expression").fill("optimizer = adam and train.loss.min < 1");
  await page.getByRole("button", { name: "Apply" }).click();
  expect(await runsInTable(page)).toEqual([`${SWEEP}/lr-0.01`]);
  await page.getByLabel("Filter expression").fill("lr <");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("filter-error")).toHaveText(/Expected a value after "<"/);
  await page.getByLabel("Filter expression").fill("");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(table.locator("tbody tr[data-run]")).toHaveCount(3);

  // The column picker adds a min column and drops one.
  await page.getByText(/^Columns \(\d+\)$/).click();
  await page.getByRole("group", { name: "Columns" }).getByLabel("train.loss (min)").check();
  await page.getByRole("group", { name: "Columns" }).getByLabel("tags").uncheck();
  await expect(table.locator("thead th")).toContainText(["train.loss (min)"]);
  expect(await table.locator("thead th").allTextContents()).not.toContain("tags");
  await page.getByText(/^Columns \(\d+\)$/).click();
  await shot(page, "runs-table");
});

test("S2: the sidebar filter drives the table; checked runs open the comparison", async ({ page }) => {
  await page.goto(at(SWEEP));
  await expect(page.locator("table.runs tbody tr[data-run]")).toHaveCount(3);
  await page.getByLabel("Filter runs").fill("lr-0.1");
  await expect(page.getByTestId("table-count")).toHaveText("1 of 3 runs");
  await page.getByLabel("Filter runs").fill("");
  await expect(page.getByTestId("table-count")).toHaveText("3 of 3 runs");
  const table = page.getByTestId("runs-table");
  await table.getByLabel(`Compare ${SWEEP}/lr-0.001`).check();
  await table.getByLabel(`Compare ${SWEEP}/lr-0.1`).check();
  await table.getByRole("button", { name: "Compare 2 selected" }).click();
  await expect(page.getByRole("heading", { name: "Comparing 2 runs" })).toBeVisible();
  await chartData(page, "train.loss", 200);
});

test("S3: grouped by a parameter, the table has a row per group and the chart each group's mean with its min–max band", async ({ page }) => {
  await page.goto(at("alice/mnist/seeds", "group=model"));
  await expect(page.getByLabel("Group chart metric")).toHaveValue("eval.loss");
  await page.getByLabel("Group chart metric").selectOption("train.loss");
  await expect(page.locator("tr.grouprow")).toHaveText([/model = model-a \(2 runs\)/, /model = model-b \(2 runs\)/]);
  const title = "train.loss: mean per group, band = min–max";
  const d = await chartData(page, title, 50);
  // Two means, then each band's max and min.
  expect(d.cols.length).toBe(6);
  const [meanA, hiA, loA] = [d.cols[0]!, d.cols[2]!, d.cols[3]!];
  for (let k = 0; k < 50; k++) {
    expect(loA[k]!).toBeLessThanOrEqual(meanA[k]! + 1e-12);
    expect(hiA[k]!).toBeGreaterThanOrEqual(meanA[k]! - 1e-12);
  }
  await page.getByTestId("group-chart").scrollIntoViewIfNeeded();
  await shot(page, "runs-grouped");
});

test("S4: parallel coordinates and a parameter-vs-metric scatter of the checked runs", async ({ page }) => {
  const runs = ["lr-0.001", "lr-0.01", "lr-0.1"].map((r) => encodeURIComponent(`${SWEEP}/${r}`)).join(",");
  await page.goto(at(SWEEP, `runs=${runs}`));
  await page.getByRole("button", { name: "Parallel coordinates" }).click();
  await expect(page.getByTestId("parallel").locator("polyline")).toHaveCount(3);
  await expect(page.getByTestId("parallel")).toContainText("lr (log)");
  await page.getByTestId("parallel").scrollIntoViewIfNeeded();
  await shot(page, "parallel-coordinates");
  await page.getByRole("button", { name: "Parameter vs metric" }).click();
  await page.getByLabel("Scatter x").selectOption("lr");
  await page.getByLabel("Scatter y").selectOption("train.loss");
  const dots = page.getByTestId("scatter").locator("circle");
  await expect(dots).toHaveCount(3);
  await expect(page.getByTestId("scatter")).toContainText("lr (log)");
  // Higher learning rates reach a lower loss here: the dot furthest right sits lowest.
  const pos = await dots.evaluateAll((cs) => cs.map((c) => [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))]));
  pos.sort((a, b) => a[0]! - b[0]!);
  expect(pos[2]![1]).toBeGreaterThan(pos[0]![1]!);
  await page.getByTestId("scatter").scrollIntoViewIfNeeded();
  await shot(page, "param-vs-metric");
  await dots.first().click();
  await expect(page.locator("h2")).toContainText("lr-0.");
});

test("S5: a folder opened by deep link shows its runs table before the tree (the whole root's list) is in", async ({ page }) => {
  // Hold the run list (the tree's request, from index.html and from the app) until the table is drawn.
  let release: () => void = () => undefined;
  const held = new Promise<void>((ok) => (release = ok));
  await page.route("**/dash/api/runs", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(at(SWEEP));
  await expect(page.locator("table.runs tbody tr[data-run]")).toHaveCount(3);
  await expect(page.getByRole("navigation", { name: "Runs" })).toHaveCount(0); // no tree yet
  release();
  await expect(page.locator(".tree .row.cur")).toContainText("lr-sweep");
  await expect(page.locator("table.runs tbody tr[data-run]")).toHaveCount(3);
  await expect(page.getByTestId("table-count")).toHaveText("3 of 3 runs");
});

test("S6: a table of 150 runs draws the rows in view; scrolling, sorting and the filter reach every run, and the columns keep their width", async ({ page }) => {
  const rows = page.locator("table.runs tbody tr[data-run]");
  const main = page.locator(".main");
  const headWidths = () => page.locator("table.runs thead th").evaluateAll((ths) => ths.map((th) => Math.round(th.getBoundingClientRect().width)));
  await page.goto(at("alice/wide"));
  await expect(page.getByTestId("table-count")).toHaveText("150 of 150 runs");
  await expect(rows.first()).toHaveAttribute("data-run", "alice/wide/w-000");
  await expect(page.getByTestId("run-list")).toHaveAttribute("aria-rowcount", "151"); // the heading and 150 runs
  const drawn = await rows.count();
  expect(drawn).toBeGreaterThanOrEqual(20); // a screen of them and the overscan
  expect(drawn).toBeLessThan(100);
  const widths = await headWidths();

  // To the bottom: the last runs are drawn where the scroll bar says, the first ones are gone.
  await main.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.locator('tr[data-run="alice/wide/w-149"]')).toBeInViewport();
  await expect(page.locator('tr[data-run="alice/wide/w-000"]')).toHaveCount(0);
  await expect(page.locator('tr[data-run="alice/wide/w-149"]')).toHaveAttribute("aria-rowindex", "151");
  expect(await headWidths()).toEqual(widths);
  // In the middle.
  await main.evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
  await expect(page.locator('tr[data-run="alice/wide/w-075"]')).toHaveCount(1);
  // What the pane shows there is a drawn run, not a spacer.
  await expect.poll(() => main.evaluate((el) => { const r = el.getBoundingClientRect(); return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest("tr")?.getAttribute("data-run") ?? null; })).toMatch(/^alice\/wide\/w-\d+$/);

  // Sorted the other way, the last run leads; the sidebar's filter narrows the table to a few runs, drawn whole.
  await main.evaluate((el) => el.scrollTo(0, 0));
  const byRun = page.getByRole("button", { name: /^run( [▲▼])?$/ });
  await byRun.click();
  await expect(byRun).toHaveText("run ▲");
  await byRun.click();
  await expect(rows.first()).toHaveAttribute("data-run", "alice/wide/w-149");
  await page.getByPlaceholder("Filter runs…").fill("w-14");
  await expect(page.getByTestId("table-count")).toHaveText("10 of 150 runs");
  await expect(rows).toHaveCount(10);
  await expect(page.getByTestId("run-list")).not.toHaveAttribute("aria-rowcount", /./);
});
