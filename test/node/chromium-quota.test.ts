// Quota errors in real Chromium: the IndexedDB adapter reports a full quota as
// StorageError(QUOTA_EXCEEDED) with the browser's QuotaExceededError as cause, and keeps what
// was written before. Runs in a fresh origin (Chromium reads an origin's quota once per open
// backing store), with the quota lowered through the DevTools protocol.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright";
import { bundleForBrowser, launchChromium, serve } from "../support/chromium.ts";

let browser: Browser;
let server: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  const code = await bundleForBrowser(new URL("./chromium/quota-page.ts", import.meta.url).pathname);
  server = await serve({ "/": `<!doctype html><script type="module" src="/page.js"></script>`, "/page.js": code });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("a full IndexedDB quota rejects with StorageError(QUOTA_EXCEEDED), the browser's error as cause; earlier data is intact", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url, quotaSize: 2 * 1024 * 1024 });
  await page.goto(server.url);
  await page.waitForFunction(() => "quotaCheck" in globalThis);
  const r = await page.evaluate(() => (globalThis as unknown as { quotaCheck(): Promise<Record<string, unknown>> }).quotaCheck());
  expect(r).toMatchObject({ isStorageError: true, code: "QUOTA_EXCEEDED", causeName: "QuotaExceededError", huge: null, smallIntact: true });
  expect(r["message"]).toMatch(/quota exceeded during write of "run\/huge"/);
  await context.close();
}, 60_000);
