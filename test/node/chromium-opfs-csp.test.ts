// The built opfsAdapter() in a window under a Content-Security-Policy sent as a header, in real
// Chromium. Its I/O worker is ml-dash's module worker file (dist/web-encoder-worker.js), which
// `worker-src 'self'` allows; where that file is not served, a blob: worker takes its place; where
// the policy refuses both, the window falls back to createWritable (each append rewrites its
// file), keeps every line, and ml-dash says so once.
import { expect, test } from "vitest";
import { DIST, policyPage } from "../support/chromium-policy.ts";

const runUnder = policyPage(new URL("./chromium/opfs-csp-page.ts", import.meta.url), "opfsCheck");

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
