// opfsAdapter() in a window under a Content-Security-Policy sent as a header, in real Chromium.
// Its I/O worker starts from a blob: URL: with `worker-src blob:` allowed it writes the files;
// with only `worker-src 'self'` the window falls back to createWritable (each append rewrites
// its file), keeps every line, and ml-dash says so once.
import { afterAll, beforeAll, expect, test } from "vitest";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright";
import { bundleForBrowser, evaluateUnderPolicy, launchChromium } from "../support/chromium.ts";

let browser: Browser;
let page: string;

beforeAll(async () => {
  page = await bundleForBrowser(fileURLToPath(new URL("./chromium/opfs-csp-page.ts", import.meta.url)));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const runUnder = (policy: string, lines: number): Promise<Record<string, unknown>> => evaluateUnderPolicy(browser, page, policy, "opfsCheck", lines);

test("worker-src 'self' blob:: the I/O worker writes, nothing is refused, nothing is warned", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'self' blob:", 40);
  expect(r).toMatchObject({ io: "worker", intact: true, violations: [], warnings: [] });
}, 60_000);

test("worker-src 'self' only: the window appends through createWritable, keeps every line, and warns once what to allow", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'self'", 40);
  expect(r).toMatchObject({ io: "writable", intact: true });
  expect((r["violations"] as string[]).some((v) => v.startsWith("worker-src blob"))).toBe(true);
  expect(r["warnings"]).toEqual([expect.stringContaining("Allow worker-src blob:")]);
}, 60_000);
