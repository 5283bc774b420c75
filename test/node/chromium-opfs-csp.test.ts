// The built opfsAdapter() in a window under a Content-Security-Policy sent as a header, in real
// Chromium. Its I/O worker is ml-dash's module worker file (dist/web-encoder-worker.js), which
// `worker-src 'self'` allows; where that file is not served, a blob: worker takes its place; where
// the policy refuses both, the window falls back to createWritable (each append rewrites its
// file), keeps every line, and ml-dash says so once.
import { afterAll, beforeAll, expect, test } from "vitest";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright";
import { bundleForBrowser, evaluateUnderPolicy, launchChromium } from "../support/chromium.ts";
import { BUILD_TIMEOUT_MS, ensureBuilt } from "../support/built.ts";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
let browser: Browser;
let page: string;

beforeAll(async () => {
  await ensureBuilt();
  page = await bundleForBrowser(fileURLToPath(new URL("./chromium/opfs-csp-page.ts", import.meta.url)));
  browser = await launchChromium();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
});

const runUnder = (policy: string, lines: number, dir?: string): Promise<Record<string, unknown>> => evaluateUnderPolicy(browser, page, policy, "opfsCheck", lines, dir);

test("worker-src 'self': the module worker file writes, no blob: worker, nothing refused or warned", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'self'", 40, DIST);
  expect(r).toMatchObject({ io: "worker", intact: true, started: ["file /web-encoder-worker.js"], violations: [], warnings: [] });
}, 60_000);

test("worker-src 'self' blob: without the file served (esbuild, not copied): a blob: worker writes, nothing warned", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'self' blob:", 40);
  expect(r).toMatchObject({ io: "worker", intact: true, started: ["file /web-encoder-worker.js", "blob"], violations: [], warnings: [] });
}, 60_000);

test("worker-src 'none': the window appends through createWritable, keeps every line, and warns once what to do", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'none'", 40, DIST);
  expect(r).toMatchObject({ io: "writable", intact: true });
  expect((r["violations"] as string[]).some((v) => v.startsWith("worker-src"))).toBe(true);
  expect(r["warnings"]).toEqual([expect.stringContaining("allow worker-src 'self'")]);
}, 60_000);
