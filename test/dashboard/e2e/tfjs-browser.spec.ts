/**
 * L1. TensorFlow.js trains in Chromium with fitCallbacks in remote mode against `ml-dash serve`
 * (the ML-Dash API and the dashboard on one port); the dashboard shows train.loss and eval.loss
 * for every epoch and the run ends COMPLETED.
 *
 * Needs the CLI (`dist/cli.js`, from the server work): skipped, saying so, where it is absent.
 */
import { expect, test } from "@playwright/test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { chartData, REPO, shot } from "./helpers.ts";

const CLI = join(REPO, "dist/cli.js");
const PORT = Number(process.env.ML_DASH_E2E_SERVE_PORT ?? 47812);
const TOKEN = "l1-secret";

test.skip(!existsSync(CLI), "needs `ml-dash serve` (dist/cli.js), which the server branch adds");

let server: ChildProcess | undefined;
let root = "";
test.beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "l1-"));
  server = spawn(process.execPath, [CLI, "serve", "--root", root, "--port", String(PORT), "--token", TOKEN], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((ok, fail) => {
    server?.stdout?.on("data", (d: Buffer) => d.toString().includes("ml-dash server") && ok());
    server?.on("exit", (c) => fail(new Error(`ml-dash serve exited ${c}`)));
  });
});
test.afterAll(() => {
  server?.kill();
  rmSync(root, { recursive: true, force: true });
});

test("L1: tfjs in the browser, remote mode against ml-dash serve: train.loss and eval.loss for every epoch, COMPLETED", async ({ page }) => {
  const bundle = await build({ entryPoints: [join(REPO, "test/dashboard/browser-train.ts")], bundle: true, format: "esm", platform: "browser", write: false, logLevel: "error" });
  const base = `http://127.0.0.1:${PORT}`;
  // The token the CLI printed: the URL carries it once, a cookie keeps it for the dashboard.
  await page.goto(`${base}/?token=${TOKEN}`);
  await page.evaluate((t) => ((globalThis as any).__token = t), TOKEN);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text, type: "module" });
  const result = await (await page.waitForFunction(() => (globalThis as any).__trained, null, { timeout: 60_000 })).jsonValue();
  expect(result).toEqual({ status: "COMPLETED", epochs: 6 });
  await page.goto(base + "/alice/tfjs/browser-run?x=epoch");
  await expect(page.locator("h2 .badge")).toHaveText("completed");
  const train = await chartData(page, "train.loss", 6);
  const ev = await chartData(page, "eval.loss", 6);
  expect(train.x).toEqual([0, 1, 2, 3, 4, 5]);
  expect(ev.x).toEqual([0, 1, 2, 3, 4, 5]);
  await shot(page, "tfjs-browser");
});
