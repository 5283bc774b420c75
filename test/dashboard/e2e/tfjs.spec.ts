/**
 * L2. A TensorFlow.js model trained in Node with fitCallbacks (local .dash, zero config beyond the
 * root) shows up with train.loss and eval.loss for every epoch.
 */
import { expect, test } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { at, chartData, REPO, ROOT, shot } from "./helpers.ts";

const EPOCHS = 8;

test("L2: a tfjs run trained in Node shows train.loss and eval.loss with one point per epoch, COMPLETED", async ({ page }) => {
  const prefix = "alice/tfjs/node-run";
  const r = spawnSync(process.execPath, [join(REPO, "test/dashboard/train-tfjs.mjs"), ROOT, prefix, String(EPOCHS)], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  await page.goto(at(prefix, "x=epoch"));
  await expect(page.locator("h2 .badge")).toHaveText("completed");
  const train = await chartData(page, "train.loss", EPOCHS);
  const ev = await chartData(page, "eval.loss", EPOCHS);
  expect(train.x).toEqual(Array.from({ length: EPOCHS }, (_, k) => k));
  expect(ev.x).toEqual(Array.from({ length: EPOCHS }, (_, k) => k));
  expect((train.cols[0] as number[]).every((v) => Number.isFinite(v))).toBe(true);
  expect((train.cols[0] as number[])[EPOCHS - 1]).toBeLessThan((train.cols[0] as number[])[0] as number);
  const titles = await page.locator(".card h3 .t").allTextContents();
  expect(titles.sort()).toEqual(["eval.acc", "eval.loss", "train.acc", "train.loss"]);
  await page.getByRole("tab", { name: /Params/ }).click();
  await expect(page.locator('[data-group="tfjs"]')).toContainText(`tfjs.epochs${EPOCHS}`);
  await page.getByRole("tab", { name: /Charts/ }).click();
  await chartData(page, "train.loss", EPOCHS);
  await shot(page, "tfjs-node");
});
