// The built browser entry under a strict Content-Security-Policy sent as a header, in real
// Chromium: with `worker-src 'self'` (no blob:, no eval) its batches are encoded on the module
// worker file dist/web-encoder-worker.js; with `worker-src 'none'` they are encoded on the page,
// ml-dash warns once, and the run is the same.
import { expect, test } from "vitest";
import { DIST, policyPage } from "../support/chromium-policy.ts";

const runUnder = policyPage(new URL("./chromium/encoder-csp-page.ts", import.meta.url), "encodeCheck");

test("worker-src 'self': batches are encoded on the module worker file, nothing is refused, every point is stored", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'self'", 30_000, DIST);
  expect(r["violations"]).toEqual([]);
  expect(r["posted"]).toBeGreaterThan(0);
  expect(r).toMatchObject({ lines: 30_000, intact: true, warnings: [] });
}, 120_000);

test("worker-src 'none': the policy refuses the worker, batches are encoded on the page, every point is stored", async () => {
  const r = await runUnder("default-src 'none'; script-src 'self'; worker-src 'none'", 30_000, DIST);
  expect((r["violations"] as string[]).some((v) => v.startsWith("worker-src"))).toBe(true);
  expect(r).toMatchObject({ lines: 30_000, intact: true });
  // Said once, with what to allow: nothing else tells a developer the page's thread does the work.
  expect(r["warnings"]).toEqual([expect.stringContaining("allow worker-src 'self'")]);
}, 120_000);
