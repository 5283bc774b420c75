import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { browserCommands } from "./test/browser-commands.ts";

// Debian's chromium (`apt-get install chromium`): Playwright's own download does not work offline.
const chromiumArgs = [
  "--no-sandbox", // we run as root
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

// Other engineers run browser tests on this machine at the same time: the port is configurable.
const browserPort = Number(process.env["VITEST_BROWSER_PORT"] ?? 63315);

export default defineConfig({
  test: {
    // A loopback HTTP server for every project (inject("testServerUrl")).
    globalSetup: ["./test/global-setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          // Vitest's defaults (5 s a test, 10 s a hook) are shorter than a server start or a CLI
          // bundle takes on two cores busy with other work; a hung test still fails, a minute on.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        optimizeDeps: {
          // Pre-bundled up front so Vite does not re-optimize and reload in the middle of a run.
          include: ["idb", "valibot", "chai", "@vitest/expect"],
        },
        server: { port: browserPort, strictPort: false },
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            api: { port: browserPort, strictPort: false },
            commands: browserCommands,
            provider: playwright({
              launchOptions: {
                executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
                args: chromiumArgs,
              },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest({
            miniflare: {
              compatibilityDate: "2026-04-01",
              compatibilityFlags: ["nodejs_compat"],
            },
          }),
        ],
        test: {
          name: "workerd",
          include: ["test/workerd/**/*.test.ts"],
          // Runs go through workerd and, for dashUrl, over loopback to the test server: on a
          // machine whose cores are busy, vitest's 5 s default is too short (seen at load 20).
          testTimeout: 60_000,
        },
      },
    ],
  },
});
