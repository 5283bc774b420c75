// The built browser entry under a strict Content-Security-Policy sent as a header, in real
// Chromium: with `worker-src 'self'` (no blob:, no eval) its batches are encoded on the module
// worker file dist/web-encoder-worker.js; with `worker-src 'none'` they are encoded on the page,
// ml-dash warns once, and the run is the same.
import { afterAll, beforeAll, expect, test } from "vitest";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright";
import { bundleForBrowser, launchChromium, serve } from "../support/chromium.ts";
import { ensureBuilt, BUILD_TIMEOUT_MS } from "../support/built.ts";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
let browser: Browser;
let page: string;

beforeAll(async () => {
  await ensureBuilt();
  page = await bundleForBrowser(fileURLToPath(new URL("./chromium/encoder-csp-page.ts", import.meta.url)));
  browser = await launchChromium();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
});

async function runUnder(policy: string, n: number): Promise<Record<string, unknown>> {
  const server = await serve({ "/": `<!doctype html><script type="module" src="/page.js"></script>`, "/page.js": page }, DIST, { "content-security-policy": policy });
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(server.url);
    await tab.waitForFunction(() => "encodeCheck" in globalThis);
    return await tab.evaluate((count) => (globalThis as unknown as { encodeCheck(n: number): Promise<Record<string, unknown>> }).encodeCheck(count), n);
  } finally {
    await context.close();
    await server.close();
  }
}

test("worker-src 'self': batches are encoded on the module worker file, nothing is refused, every point is stored", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'self'", 30_000);
  expect(r["violations"]).toEqual([]);
  expect(r["posted"]).toBeGreaterThan(0);
  expect(r).toMatchObject({ lines: 30_000, intact: true, warnings: [] });
}, 120_000);

test("worker-src 'none': the policy refuses the worker, batches are encoded on the page, every point is stored", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'none'", 30_000);
  expect((r["violations"] as string[]).some((v) => v.startsWith("worker-src"))).toBe(true);
  expect(r).toMatchObject({ lines: 30_000, intact: true });
  // Said once, with what to allow: nothing else tells a developer the page's thread does the work.
  expect(r["warnings"]).toEqual([expect.stringContaining("allow worker-src 'self'")]);
}, 120_000);
