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
const TOKEN = "l1-secret";

test.skip(!existsSync(CLI), "needs `ml-dash serve` (dist/cli.js), which the server branch adds");

let server: ChildProcess | undefined;
let root = "";
let base = "";
test.beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "l1-"));
  // A free port chosen by the system (a fixed one met another process's ephemeral port in CI).
  server = spawn(process.execPath, [CLI, "serve", "--root", root, "--port", "0", "--token", TOKEN], { stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise<string>((ok, fail) => {
    let out = "";
    server?.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /ml-dash server: (http:\/\/\S+)\/api/.exec(out)?.[1];
      if (url) ok(url);
    });
    server?.on("exit", (c) => fail(new Error(`ml-dash serve exited ${c}`)));
  });
});
test.afterAll(() => {
  server?.kill();
  rmSync(root, { recursive: true, force: true });
});

test("L1: tfjs in the browser, remote mode against ml-dash serve: train.loss and eval.loss for every epoch, COMPLETED", async ({ page }) => {
  const bundle = await build({ entryPoints: [join(REPO, "test/dashboard/browser-train.ts")], bundle: true, format: "esm", platform: "browser", write: false, logLevel: "error" });
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
