// Playwright tests of the dashboard in Debian's Chromium (Playwright's own browser download does
// not work offline). One worker: the 1M-point budget is measured on a cold server cache, and the
// machine has two cores. Run with `npm run test:dashboard` (builds first) or from `npm test`.
import { defineConfig } from "@playwright/test";
import { createServer } from "node:net";
import { resolve } from "node:path";

/** A port free now on 127.0.0.1, chosen by the system. */
function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

// The dashboard's port: chosen free when the runner first loads this config, and kept in the
// environment its workers inherit (each loads the config again). A fixed port lay in the
// system's ephemeral range, where another process's connection held it once (EADDRINUSE in CI).
process.env.ML_DASH_E2E_PORT ||= String(await freePort());
export const PORT = Number(process.env.ML_DASH_E2E_PORT);
export const ROOT = resolve(import.meta.dirname, "../../.test-out/dash-root");
const OUT = resolve(import.meta.dirname, "../../.test-out");

export default defineConfig({
  testDir: "./e2e",
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  globalSetup: "./global-setup.mjs",
  outputDir: resolve(OUT, "playwright-artifacts"),
  reporter: [["list"], ["junit", { outputFile: resolve(OUT, "dashboard.xml") }]],
  use: {
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
    trace: "retain-on-failure",
  },
  webServer: {
    command: `node scripts/dashboard-dev.mjs --root ${ROOT} --port ${PORT}`,
    cwd: resolve(import.meta.dirname, "../.."),
    url: `http://127.0.0.1:${PORT}/dash/api/runs`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
