/**
 * F/G1. Logs (rows, level filter, search, time range, virtualised list) and parameters.
 */
import { expect, test } from "@playwright/test";
import { at, shot } from "./helpers.ts";

const LR = "alice/mnist/2026/lr-sweep/lr-0.01";

test("F1: log rows show time, a level chip and the message; metadata opens on click", async ({ page }) => {
  await page.goto(at(LR, "tab=logs"));
  const row = page.locator('.logrow[data-seq="1"]');
  await expect(row.locator(".ts")).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+$/);
  await expect(row.locator(".lvl")).toHaveText("info");
  await expect(row.locator(".msg")).toHaveText("step 1 done");
  await expect(row.locator(".meta")).toHaveText("{…}");
  await row.click();
  await expect(row.locator(".meta")).toHaveText('{"step":1}');
  await expect(page.locator('.logrow[data-seq="0"] .lvl')).toHaveText("error");
  await shot(page, "logs");
});

test("F2: level filter gives exact counts, search matches, From/To narrows by time; all in the URL", async ({ page }) => {
  await page.goto(at(LR, "tab=logs"));
  const count = page.getByTestId("log-count");
  await expect(count).toHaveText("200 of 200 lines");
  await page.getByRole("button", { name: /^error/ }).click();
  await expect(count).toHaveText("4 of 200 lines");
  await expect(page).toHaveURL(/levels=error/);
  await page.getByRole("button", { name: /^warn/ }).click();
  await expect(count).toHaveText("20 of 200 lines"); // 4 errors + 16 warnings
  await page.getByRole("button", { name: /^error/ }).click();
  await page.getByRole("button", { name: /^warn/ }).click();
  await page.getByLabel("Search logs").fill("NaN");
  await page.getByLabel("Search logs").press("Enter");
  await expect(count).toHaveText("4 of 200 lines");
  await expect(page).toHaveURL(/q=NaN/);
  await page.getByLabel("Search logs").fill("");
  await page.getByLabel("Search logs").press("Enter");
  // From/To (inclusive) on a run whose lines are one minute apart.
  await page.goto(at("alice/logs/timed", "tab=logs&from=2026-11-20T10:10:00.000Z&to=2026-11-20T10:20:00.100Z"));
  await expect(count).toHaveText("11 of 60 lines");
  await expect(page.locator(".logrow").first().locator(".msg")).toHaveText("minute 10");
  await expect(page.getByLabel("From time")).not.toHaveValue("");
  await page.getByLabel("From time").fill("");
  await expect(count).toHaveText("21 of 60 lines");
  await expect(page).not.toHaveURL(/from=/);
});

test("F3: 10,000 log lines: the list is virtualised (few DOM rows) and jump-to-bottom reaches the last line", async ({ page }) => {
  await page.goto(at("alice/logs/many", "tab=logs"));
  await expect(page.getByTestId("log-count")).toHaveText("10,000 of 10,000 lines");
  expect(await page.locator(".logrow").count()).toBeLessThan(200);
  await page.getByRole("button", { name: "jump to bottom" }).click();
  await expect(page.locator('.logrow[data-seq="9999"] .msg')).toHaveText("line 9999");
  expect(await page.locator(".logrow").count()).toBeLessThan(200);
});

test("G1: parameters are grouped by dot prefix; search filters by key and by value", async ({ page }) => {
  await page.goto(at(LR, "tab=params"));
  const model = page.locator('[data-group="model"]');
  await expect(model).toContainText("model.arch");
  await expect(model).toContainText("model.layers");
  await expect(model).toContainText("[64,32]");
  await expect(page.locator('[data-group="(top level)"]')).toContainText("batch_size");
  await shot(page, "params");
  await page.getByLabel("Search parameters").fill("drop");
  await expect(page.locator(".card tr")).toHaveCount(1);
  await page.getByLabel("Search parameters").fill("adam");
  await expect(page.locator(".card tr")).toHaveText([/optimizer\s*adam/]);
  // The Python-written run's parameters read the same way.
  await page.goto(at("alice/reference/mlp/python-run", "tab=params"));
  await expect(page.locator('[data-group="model"]')).toContainText("model.dropout");
  await expect(page.locator('[data-group="(top level)"]')).toContainText("0.0005");
});
