#!/usr/bin/env node
// `node bench/compare-browser.mjs NAME=TREE [NAME=TREE...] [--size=1000000] [--rounds=2]`: the
// browser benchmark (bench/browser/page.ts) of other source trees (e.g. a `git worktree add` of
// an older commit) and of this tree, in ONE Chromium, alternating tree by tree within each round,
// so every side sees the same machine (this one is shared: only side-by-side figures compare).
// Each tree is bundled from its own sources with this tree's node_modules and served from its
// own origin (its own IndexedDB and OPFS), in its own tab. Prints every round and the median.
// A dependency only an older tree has: COMPARE_NODE_PATH=<a folder of node_modules holding it>.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright";
import { encoderWorkerUrl } from "../scripts/encoder-worker-url.mjs";
import { serveStatic } from "../scripts/static-server.mjs";

const REPO = resolve(import.meta.dirname, "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const args = process.argv.slice(2);
const size = Number(args.find((a) => a.startsWith("--size="))?.slice(7) ?? 1_000_000);
const rounds = Number(args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 2);
const trees = [...args.filter((a) => a.includes("=") && !a.startsWith("--")).map((a) => a.split("=")), ["this", REPO]];
const ALL_JOBS = [
  ["memory", "worker"],
  ["memory", "window"],
  ["indexeddb", "window"],
  ["indexeddb", "worker"],
  ["opfs", "window"],
  ["opfs", "worker"],
];
// --jobs=indexeddb:window,memory:worker picks some (default: all but memory in a window).
const picked = args.find((a) => a.startsWith("--jobs="))?.slice(7).split(",").map((j) => j.split(":"));
const JOBS = picked ?? ALL_JOBS.filter(([s, c]) => !(s === "memory" && c === "window"));

async function bundle(root, entry) {
  const out = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "error",
    conditions: ["browser"],
    nodePaths: [join(REPO, "node_modules"), ...(process.env.COMPARE_NODE_PATH ? [process.env.COMPARE_NODE_PATH] : [])],
    plugins: [encoderWorkerUrl()],
  });
  return out.outputFiles[0].text;
}

async function serve(root) {
  const files = {
    "/index.html": `<!doctype html><script type="module" src="/page.js"></script>`,
    "/page.js": await bundle(root, "bench/browser/page.ts"),
    "/worker.js": await bundle(root, "bench/browser/worker.ts"),
  };
  try {
    files["/web-encoder-worker.js"] = await bundle(root, "src/runtime/browser/encoder-worker.ts");
  } catch {
    // an older tree without the browser encoder worker
  }
  return serveStatic({ files });
}

const servers = [];
const profile = mkdtempSync(join(tmpdir(), "mldash-compare-profile-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
});
const fmt = (x) => Math.round(x).toLocaleString("en-US");
try {
  const tabs = [];
  for (const [name, root] of trees) {
    const server = await serve(root);
    servers.push(server);
    const tab = await browser.newPage();
    const cdp = await browser.newCDPSession(tab);
    await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
    await tab.exposeFunction("benchPhase", async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value * 1000);
    await tab.goto(`${server.url}/`);
    await tab.waitForFunction(() => "runBench" in globalThis);
    tabs.push([name, tab]);
  }
  const results = new Map(); // "job|tree" → points/s of each round
  for (let round = 1; round <= rounds; round++) {
    for (const [store, context] of JOBS) {
      for (const [name, tab] of tabs) {
        const r = await tab.evaluate((job) => globalThis.runBench(job), { store, context, n: size, repeat: 1 });
        const key = `${store} (${context})|${name}`;
        results.set(key, [...(results.get(key) ?? []), r.pointsPerSec]);
        const busy = r.extra?.pageBusyMs !== undefined ? `, page thread ${((r.extra.pageBusyMs * 1000) / size).toFixed(2)} µs/point CPU, log loop ${((r.logMs * 1000) / size).toFixed(2)} µs/point wall${r.rawPageBusyMs !== undefined ? `, raw baseline's page thread ${((r.rawPageBusyMs * 1000) / size).toFixed(2)} µs/point CPU` : ""}, rAF gap ${fmt(r.extra.rafGapMs)} ms` : "";
        console.error(`round ${round}: ${store} (${context}) ${name}: ${fmt(r.pointsPerSec)} points/s${busy}`);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`points/s at ${fmt(size)} points, median of ${rounds} alternating rounds (every round in brackets)`);
  console.log(["store (context)".padEnd(22), ...trees.map(([name]) => name.padStart(28))].join(""));
  for (const [store, context] of JOBS) {
    const cells = trees.map(([name]) => {
      const xs = results.get(`${store} (${context})|${name}`);
      return `${fmt(median(xs))} [${xs.map(fmt).join(", ")}]`.padStart(28);
    });
    console.log([`${store} (${context})`.padEnd(22), ...cells].join(""));
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((s) => s.close()));
  rmSync(profile, { recursive: true, force: true });
}
