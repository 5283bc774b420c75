/**
 * The set-up of a Chromium policy test (test/node/chromium-*-csp.test.ts): the built package,
 * a page bundled from it as a user's esbuild would, and one Chromium for the file's tests.
 */
import { afterAll, beforeAll } from "vitest";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright";
import { bundleForBrowser, evaluateUnderPolicy, launchChromium } from "./chromium.ts";
import { BUILD_TIMEOUT_MS, ensureBuilt } from "./built.ts";

/** The built package's folder, whose files (the module worker) a test may serve beside the page. */
export const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

/**
 * Registers the file's set-up and returns `runUnder(policy, arg, dir?)`: what the page's
 * `globalThis[fn](arg)` answers when it is served with that Content-Security-Policy header
 * (and, below it, the files of `dir`).
 */
export function policyPage(pageFile: URL, fn: string): (policy: string, arg: unknown, dir?: string) => Promise<Record<string, unknown>> {
  let browser: Browser | undefined;
  let page = "";
  beforeAll(async () => {
    await ensureBuilt();
    page = await bundleForBrowser(fileURLToPath(pageFile));
    browser = await launchChromium();
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
  });
  return (policy, arg, dir) => evaluateUnderPolicy(browser as Browser, page, policy, fn, arg, dir);
}
