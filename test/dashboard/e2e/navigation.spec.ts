/**
 * B/K. Layout, navigation, deep links, status badges, theme, URL state, offline, keyboard.
 */
import { expect, test } from "@playwright/test";
import { at, chartData, shot, watchErrors } from "./helpers.ts";

test("B1: the tree, the breadcrumb and the main view render; the tree column collapses", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  const tree = page.getByRole("navigation", { name: "Runs" });
  await expect(tree.getByRole("link", { name: "alice", exact: true })).toBeVisible();
  await expect(page.getByTestId("run-list")).toContainText("mnist/2026/lr-sweep/lr-0.01");
  await shot(page, "layout-light");
  await page.getByRole("button", { name: "Hide the run tree" }).click();
  await expect(tree).toBeHidden();
  await page.getByRole("button", { name: "Show the run tree" }).click();
  await expect(tree).toBeVisible();
  expect(errors).toEqual([]);
});

test("B2: a deep link opens that folder with its breadcrumb; back and forward restore places", async ({ page }) => {
  await page.goto(at("alice/mnist/2026/lr-sweep"));
  await expect(page.getByTestId("breadcrumb")).toHaveText("/alice/mnist/2026/lr-sweep");
  await expect(page.getByRole("heading", { name: "alice/mnist/2026/lr-sweep" })).toBeVisible();
  await expect(page.locator(".tree .row.cur")).toContainText("lr-sweep");
  await page.getByRole("link", { name: "lr-0.1", exact: true }).first().click();
  await expect(page).toHaveURL(/\/alice\/mnist\/2026\/lr-sweep\/lr-0\.1$/);
  await expect(page.getByRole("heading", { name: "lr-0.1" })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole("heading", { name: "alice/mnist/2026/lr-sweep" })).toBeVisible();
  await page.goForward();
  await expect(page.getByRole("heading", { name: "lr-0.1" })).toBeVisible();
});

test("B3: a folder longer than 50 runs lists its first 50 in the tree (and the open run), the rest on request", async ({ page }) => {
  const tree = page.getByRole("navigation", { name: "Runs" });
  const gridRuns = tree.locator('a.name[href^="/alice/wide/"]');
  await page.goto(at("alice/wide"));
  await expect(page.getByTestId("table-count")).toHaveText("150 of 150 runs"); // the table has them all
  await expect(gridRuns).toHaveCount(50);
  await expect(tree.getByRole("link", { name: "w-049", exact: true })).toBeVisible();
  await expect(tree.getByRole("link", { name: "w-050", exact: true })).toHaveCount(0);
  await tree.getByRole("button", { name: "show 100 more" }).scrollIntoViewIfNeeded();
  await shot(page, "tree-long-folder");
  await tree.getByRole("button", { name: "show 100 more" }).click();
  await expect(gridRuns).toHaveCount(150);
  await expect(tree.getByRole("button", { name: /show \d+ more/ })).toHaveCount(0);

  // A deep link to a run past the first 50 lists up to it.
  await page.goto(at("alice/wide/w-055"));
  await expect(page.locator(".tree .row.cur")).toContainText("w-055");
  await expect(gridRuns).toHaveCount(56);
  await expect(tree.getByRole("button", { name: "show 94 more" })).toBeVisible();
});

test("B4: status badges: recorded ones solid, the Python run's inferred one hollow", async ({ page }) => {
  await page.goto(at("alice/status"));
  const badge = (run: string) => page.locator(".tree .row", { has: page.getByRole("link", { name: run, exact: true }) }).locator(".badge");
  await expect(badge("completed")).toHaveText("completed");
  await expect(badge("failed")).toHaveText("failed");
  await expect(badge("cancelled")).toHaveText("cancelled");
  await expect(badge("stale")).toHaveText("running (stale)");
  await page.goto(at("alice/reference/mlp/python-run"));
  const py = page.locator("h2 .badge");
  await expect(py).toHaveText("finished?");
  await expect(py).toHaveAttribute("data-inferred", "1");
  expect(await py.evaluate((e) => getComputedStyle(e).borderStyle)).toBe("dashed");
  await page.goto(at("alice/status"));
  await shot(page, "status-badges");
});

test("K1: dark mode follows the system on first load, and a toggle persists across reloads", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.goto(at("alice/mnist/2026/lr-sweep/lr-0.001"));
  await chartData(page, "train.loss");
  await shot(page, "layout-dark");
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByRole("button", { name: "Toggle dark mode" }).click(); // dark → light
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.getByRole("button", { name: "Toggle dark mode" }).click(); // light → dark, saved
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe("rgb(20, 23, 28)");
});

test("K2: the view lives in the URL: tab, x axis, smoothing, log scale and zoom survive a reload", async ({ page }) => {
  await page.goto(at("alice/mnist/2026/lr-sweep/lr-0.001", "x=step&smooth=0.6&log=1&xmin=20&xmax=80"));
  await chartData(page, "train.loss");
  await expect(page.getByLabel("X axis")).toHaveValue("step");
  await expect(page.getByRole("button", { name: "log y" })).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("tab", { name: /Params/ }).click();
  await expect(page).toHaveURL(/tab=params/);
  await page.reload();
  await expect(page.getByRole("tab", { name: /Params/ })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("tab", { name: /Charts/ }).click();
  const d = await chartData(page, "train.loss");
  expect(Math.min(...d.x)).toBeGreaterThanOrEqual(19);
  expect(Math.max(...d.x)).toBeLessThanOrEqual(81);
  await expect(page.getByLabel("Smoothing")).toHaveValue("0.6");
});

test("K3: nothing is fetched from outside 127.0.0.1 (works offline), and no console errors", async ({ page }) => {
  const outside: string[] = [];
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.hostname !== "127.0.0.1") {
      outside.push(u.href);
      return route.abort();
    }
    return route.continue();
  });
  const errors = watchErrors(page);
  for (const p of ["", "alice/mnist/2026/lr-sweep", "alice/mnist/2026/lr-sweep/lr-0.01", "alice/reference/mlp/python-run", "alice/robot/pose?tab=tracks"]) {
    await page.goto("/" + p);
    await page.waitForLoadState("networkidle");
  }
  expect(outside).toEqual([]);
  expect(errors).toEqual([]);
});

test("K5: keyboard: Tab reaches the run checkboxes and the chart controls, which carry labels", async ({ page }) => {
  await page.goto(at("alice/mnist/2026/lr-sweep/lr-0.001"));
  await chartData(page, "train.loss");
  const seen = new Set<string>();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const label = await page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null;
      return e ? `${e.tagName}:${e.getAttribute("aria-label") ?? e.textContent ?? ""}` : "";
    });
    seen.add(label);
  }
  const all = [...seen].join("\n");
  expect(all).toMatch(/INPUT:Compare alice\/mnist\/2026\/lr-sweep\/lr-0\.001/);
  expect(all).toMatch(/SELECT:X axis/);
  expect(all).toMatch(/INPUT:Smoothing/);
  expect(all).toMatch(/BUTTON:Download train\.loss as PNG/);
  // Space toggles a focused checkbox.
  await page.getByLabel("Compare alice/mnist/2026/lr-sweep/lr-0.001").focus();
  await page.keyboard.press("Space");
  await expect(page).toHaveURL(/runs=alice%2Fmnist%2F2026%2Flr-sweep%2Flr-0\.001/);
});
