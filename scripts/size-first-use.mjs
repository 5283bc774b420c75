// What a page downloads on its first run, measured in Chromium: `npm run size` calls
// `firstUse(files)` with a Vite build of a page that imports `Experiment` from the browser entry.
// The page is served on 127.0.0.1; each scenario loads it fresh, then runs one experiment (params,
// a log line, 1,000 metric points, complete) and counts the scripts requested during the run (the
// chunks loaded on first use and the encoder worker), each gzipped as a server would send it.
// The remote scenarios give the run a `dashUrl`: our server (the built `dist/`, memory store) on
// another loopback port.
import { existsSync } from "node:fs";
import { serveStatic } from "./static-server.mjs";
import { gzipSync } from "node:zlib";

/** The page's script: the scenario runs when the Node side calls `window.firstRun()`. */
export const PAGE_SCRIPT = (entry) => `import { Experiment } from ${JSON.stringify(entry)};
globalThis.firstRun = async (dashUrl, remoteOnly) => {
  const remote = dashUrl ? { dashUrl, token: "t", ...(remoteOnly ? { storage: null } : {}) } : {};
  const exp = new Experiment("size/first-use/run-" + Date.now().toString(36), { echo: false, ...remote });
  await exp.run(async (e) => {
    e.params.set({ lr: 0.1, model: { depth: 3 } });
    e.logs.info("first run");
    for (let step = 0; step < 1000; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
  });
  return { status: exp.status, mode: exp.mode };
};
`;

/**
 * Runs the scenarios over `files` (path → bytes, with "/index.html"); returns one row per
 * scenario: `{ scenario, initial: {files, gz}, firstUse: {files, gz, names} }`, or
 * `undefined` (with the reason) when Chromium or the built server is missing.
 */
export async function firstUse(files, { chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", distDir }) {
  if (!existsSync(chromiumPath)) return { skipped: `${chromiumPath} is missing` };
  if (!existsSync(`${distDir}/server/node.js`)) return { skipped: "no built dist/ (npx tsup)" };
  const { chromium } = await import("playwright");
  const { createServer: mlDashServer } = await import(`${distDir}/server/index.js`);
  const { serveNode } = await import(`${distDir}/server/node.js`);
  const { memoryAdapter } = await import(`${distDir}/adapters/memory.js`);
  const gz = new Map([...files].map(([p, b]) => [p, gzipSync(b, { level: 9 }).length]));
  const page = await serveStatic({ files, headers: { "cache-control": "no-store" } });
  const api = await serveNode(mlDashServer({ storage: memoryAdapter(), corsOrigin: (o) => o === page.url }), { port: 0, hostname: "127.0.0.1" });
  const browser = await chromium.launch({ executablePath: chromiumPath });
  const rows = [];
  try {
    for (const [scenario, dashUrl, remoteOnly] of [
      ["local (IndexedDB)", undefined, false],
      ["with a dashUrl (IndexedDB + server)", api.url, false],
      ["remote only (storage: null)", api.url, true],
    ]) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const seen = [];
      let phase = "initial";
      // Worker scripts are requested by the page too; context-level events see both.
      context.on("request", (r) => {
        const p = new URL(r.url()).pathname;
        if (new URL(r.url()).origin === page.url && p.endsWith(".js")) seen.push({ phase, p });
      });
      await tab.goto(`${page.url}/index.html`);
      await tab.waitForFunction(() => typeof globalThis.firstRun === "function");
      phase = "first use";
      const result = await tab.evaluate(([u, r]) => globalThis.firstRun(u, r), [dashUrl, remoteOnly]);
      if (result.status !== "COMPLETED") throw new Error(`${scenario}: the run ended ${result.status}`);
      const sum = (ph) => {
        const ps = [...new Set(seen.filter((s) => s.phase === ph).map((s) => s.p))];
        return { files: ps.length, gz: ps.reduce((n, p) => n + (gz.get(p) ?? 0), 0), names: ps };
      };
      rows.push({ scenario, mode: result.mode, initial: sum("initial"), firstUse: sum("first use") });
      await context.close();
    }
  } finally {
    await browser.close();
    await api.close();
    await page.close();
  }
  return { rows };
}
