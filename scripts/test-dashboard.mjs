#!/usr/bin/env node
// The dashboard's browser tests: builds the package when needed, then runs Playwright
// (test/dashboard/playwright.config.mjs) in Debian's Chromium. Writes .test-out/dashboard.xml
// (JUnit) for scripts/test-all.mjs. Extra arguments go to Playwright (e.g. a spec file name).
//   npm run test:dashboard [-- e2e/charts.spec.ts]
//   DASH_SCREENSHOTS=docs npm run test:dashboard   # also refresh docs/screenshots/
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit" }).status ?? 1;
if (!existsSync(resolve(root, "dist/dashboard-node.js")) || !existsSync(resolve(root, "dist/dashboard/ui/index.html"))) {
  if (run("npx", ["--no-install", "tsup", "--silent"]) !== 0) process.exit(1);
}
process.exit(run("npx", ["--no-install", "playwright", "test", "-c", "test/dashboard/playwright.config.mjs", ...process.argv.slice(2)]));
