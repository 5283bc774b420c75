#!/usr/bin/env node
// The end-to-end points/s benchmark (N points `{ loss, acc, step }` logged, then `await
// exp.flush()`) in every runtime this branch adds: Chromium (IndexedDB and OPFS, in a window and
// in a dedicated worker), Deno (deno-fs) and Node (node-fs, the baseline deno-fs is held to).
//
//   node bench/runtimes.mjs [size...] [--repeat=3]      (npm run bench:runtimes; BENCH_JOBS=indexeddb:window,opfs:window runs only those Chromium rows)
//
// `runtimeBenchmarks()` returns the rows and `formatRuntimeBenchmarks()` prints them, for
// bench/run.mjs to call.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright";
import { encoderWorkerUrl } from "../scripts/encoder-worker-url.mjs";
import { hostMemoryState, printHostMemory } from "./host-memory.mjs";
import { serveStatic } from "../scripts/static-server.mjs";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Without its I/O worker, OPFS in a window appends with createWritable, which copies the file: larger sizes take minutes. */
const OPFS_WINDOW_MAX = 100_000;
/** Browser measurements: the core alone (the ceiling), then each store and context. */
const JOBS = [
  ["memory", "worker"],
  ["indexeddb", "window"],
  ["indexeddb-page", "window"],
  ["indexeddb", "worker"],
  ["opfs", "window"],
  ["opfs", "worker"],
  ["opfs-direct", "window"],
  ["opfs-direct", "worker"],
].filter(([store, context]) => !process.env.BENCH_JOBS || process.env.BENCH_JOBS.split(",").includes(`${store}:${context}`));

async function bundle(entry, platform) {
  // Browser bundles sit at the server's root, as the encoder worker does (/web-encoder-worker.js).
  const plugins = platform === "browser" ? [encoderWorkerUrl()] : [];
  const out = await build({ entryPoints: [join(REPO, entry)], bundle: true, format: "esm", platform, target: platform === "node" ? "node20" : "es2022", write: false, logLevel: "error", conditions: platform === "browser" ? ["browser"] : [], plugins });
  return out.outputFiles[0].text;
}

const jsonLines = (out) => out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

async function nodeRows(sizes, repeat) {
  // Inside the repository, with "ml-dash" left external: it resolves to dist/, whose Node entry
  // starts its encoder workers (as the Deno row's entry does); bundled, it would encode inline.
  mkdirSync(join(REPO, ".bench-out"), { recursive: true });
  const dir = mkdtempSync(join(REPO, ".bench-out", "node-fs-"));
  try {
    const out = await build({ entryPoints: [join(REPO, "bench/node-fs.bench.ts")], bundle: true, format: "esm", platform: "node", target: "node20", write: false, logLevel: "error", external: ["ml-dash", "ml-dash/*"] });
    writeFileSync(join(dir, "bench.mjs"), out.outputFiles[0].text);
    return jsonLines(execFileSync(process.execPath, [join(dir, "bench.mjs"), ...sizes.map(String), `--repeat=${repeat}`], { encoding: "utf8" }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function denoRows(sizes, repeat) {
  const deno = join(REPO, "node_modules/.bin/deno");
  const out = execFileSync(deno, ["run", "-A", "--config", join(REPO, "deno.json"), join(REPO, "bench/deno.bench.ts"), ...sizes.map(String), `--repeat=${repeat}`], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return jsonLines(out);
}

async function browserRows(sizes, repeat, log) {
  const page = await bundle("bench/browser/page.ts", "browser");
  const worker = await bundle("bench/browser/worker.ts", "browser");
  const encoder = await bundle("src/runtime/browser/encoder-worker.ts", "browser");
  const server = await serveStatic({
    files: {
      "/index.html": `<!doctype html><script type="module" src="/page.js"></script>`,
      "/page.js": page,
      "/worker.js": worker,
      "/web-encoder-worker.js": encoder,
    },
  });
  const rows = [];
  try {
    for (const n of sizes) {
      for (const [store, context] of JOBS) {
        if (store === "opfs-direct" && context === "window" && n > OPFS_WINDOW_MAX) {
          rows.push({ runtime: "chromium", store, context, n, skipped: `each append copies the file in a window; sizes above ${OPFS_WINDOW_MAX} take minutes` });
          continue;
        }
        log(`  chromium ${store} (${context}) n=${n}…`);
        const r = await inFreshBrowser(server.url, (tab) => tab.evaluate((job) => globalThis.runBench(job), { store, context, n, repeat }));
        rows.push({ runtime: "chromium", store, context, ...r });
      }
    }
  } finally {
    await server.close();
  }
  return rows;
}

/**
 * CPU milliseconds this machine's cores have spent so far, all processes together (/proc/stat:
 * user, nice, system, irq, softirq; USER_HZ ticks of 10 ms; not steal, the time a hypervisor
 * kept a core from us), or NaN where there is no
 * /proc. Read around a timed part, it is what the whole browser (page, workers, storage and
 * GPU processes) and anything else running spent on it: on a quiet machine, the work a row costs.
 */
function machineCpuMs() {
  if (!existsSync("/proc/stat")) return NaN;
  const [, user, nice, system, , , irq, softirq] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq) * 10;
}

/**
 * Runs `fn` on the benchmark page in a browser of its own, closed after. One browser per row:
 * in one browser for all rows, the rows after the IndexedDB ones ran slower (OPFS in a worker
 * 945k points/s, 1.29–1.38M in browsers of their own; IndexedDB in a worker 814k vs 1.20–1.28M),
 * most likely because the browser process was still compacting the ~160 MB databases those rows
 * had filled and deleted.
 */
async function inFreshBrowser(url, fn) {
  // A persistent profile, as users have: a fresh context is "incognito", whose OPFS and
  // IndexedDB are kept in memory by a slower path.
  const profile = mkdtempSync(join(tmpdir(), "mldash-bench-profile-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
  });
  try {
    const tab = await browser.newPage();
    // The page thread's busy time: the CPU time of the tasks it ran (DevTools Performance domain
    // in thread ticks: on a loaded machine wall-clock task time counts the time other processes
    // held the core), read by the page just before its first log() and just after flush() resolves.
    const cdp = await browser.newCDPSession(tab);
    await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
    await tab.exposeFunction("benchPhase", async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      return metrics.find((m) => m.name === "TaskDuration").value * 1000;
    });
    await tab.exposeFunction("benchMachineCpu", machineCpuMs);
    await tab.goto(`${url}/`);
    await tab.waitForFunction(() => "runBench" in globalThis);
    return await fn(tab);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Runs every runtime's benchmark; returns one row per (runtime, store, context, size). */
export async function runtimeBenchmarks({ sizes = [100_000, 1_000_000], repeat = 3, log = (m) => console.error(m) } = {}) {
  const rows = [];
  log("node-fs (Node)…");
  rows.push(...(await nodeRows(sizes, repeat)));
  log("deno-fs (Deno)…");
  rows.push(...denoRows(sizes, repeat));
  log("Chromium…");
  rows.push(...(await browserRows(sizes, repeat, log)));
  return rows;
}

const fmt = (x) => Math.round(x).toLocaleString("en-US");

/** The machine's CPU µs per point of a row and of its raw baseline (undefined where not read). */
function cpuPerPoint(r) {
  const per = (ms) => (ms === undefined || Number.isNaN(ms) ? undefined : (ms * 1000) / r.n);
  return { ours: per(r.extra?.machineCpuMs), raw: per(r.rawMachineCpuMs) };
}

/**
 * What the machine's cores allow a row: ours cannot run faster than the cores divided by the CPU
 * it spends per point, whatever overlaps. When that bound is below the raw baseline's measured
 * rate, "at least the raw baseline" is out of reach on this machine with this much work per
 * point, not a matter of scheduling.
 */
function coreBound(r) {
  const { ours, raw } = cpuPerPoint(r);
  if (ours === undefined || !r.rawPointsPerSec) return "";
  const cores = availableParallelism();
  const bound = (cores * 1e6) / ours;
  const verdict = bound < r.rawPointsPerSec ? "below the raw baseline's rate: parity needs less CPU per point or more cores" : "above the raw baseline's rate";
  return `; CPU ${ours.toFixed(2)} µs/pt over all processes (raw ${raw === undefined ? "—" : raw.toFixed(2)}): ${cores} cores allow ours at most ${fmt(bound)}/s, ${verdict}`;
}

/** A table of the rows, and how they compare with the targets. */
export function formatRuntimeBenchmarks(rows) {
  const lines = [
    "points/s: N points logged then flushed, end to end. raw: the same bytes put straight into the store in the same context",
    "(one transaction of 1 MiB values; 1 MiB sync-handle writes in a worker, a writable stream in a window), and ours/raw.",
    "busy: the page thread's CPU time per point over the timed part (DevTools TaskDuration in thread ticks); rAF gap: the",
    "longest wall-clock gap between animation frames then (a loaded machine stretches it). raw busy: the page thread's CPU",
    "per point while the raw baseline wrote (in a worker context the writes run in the worker). long task: the longest task",
    "of the page thread then (Long Tasks API, over 50 ms; 0: none): a rAF gap longer than it is the page's scheduler not",
    "drawing while tasks keep coming, not one task of ours. appending: the share of the timed part with a store append in",
    "flight (bench/append-time.ts); near 100 %, the store is what the row waits on. cpu: the machine's CPU time per point",
    "over the timed part, every core and process together (/proc/stat: the browser's page, workers, storage and GPU",
    "processes, and anything else running); raw cpu: the same while the raw baseline wrote.",
    "",
    "runtime   store        context        points   points/s      raw/s  ours/raw   busy µs/pt   raw busy   rAF gap ms   long task ms   ms/run   appending   bytes/point   cpu µs/pt   raw cpu",
  ];
  const col = (x, w, f = fmt) => (x === undefined || Number.isNaN(x) ? "—" : f(x)).padStart(w);
  for (const r of rows) {
    const head = `${r.runtime.padEnd(9)} ${r.store.padEnd(12)} ${r.context.padEnd(8)} ${fmt(r.n).padStart(12)}`;
    if (r.skipped) {
      lines.push(`${head}   (skipped: ${r.skipped})`);
      continue;
    }
    const ratio = r.rawPointsPerSec ? r.pointsPerSec / r.rawPointsPerSec : undefined;
    const busy = r.extra?.pageBusyMs !== undefined ? (r.extra.pageBusyMs * 1000) / r.n : undefined;
    const rawBusy = r.rawPageBusyMs !== undefined ? (r.rawPageBusyMs * 1000) / r.n : undefined;
    const { ours: cpu, raw: rawCpu } = cpuPerPoint(r);
    lines.push(
      `${head} ${col(r.pointsPerSec, 10)} ${col(r.rawPointsPerSec, 10)} ${col(ratio, 9, (x) => x.toFixed(2))} ${col(busy, 12, (x) => x.toFixed(2))} ${col(rawBusy, 10, (x) => x.toFixed(2))} ${col(r.extra?.rafGapMs, 12)} ${col(r.extra?.longestTaskMs, 14)} ${col(r.ms, 8)} ${col(r.appendMs === undefined ? undefined : (100 * r.appendMs) / r.ms, 11, (x) => `${Math.round(x)} %`)} ${r.bytesPerPoint.toFixed(1).padStart(13)} ${col(cpu, 11, (x) => x.toFixed(2))} ${col(rawCpu, 9, (x) => x.toFixed(2))}`,
    );
  }
  const pick = (runtime, store, context, n) => rows.find((r) => r.runtime === runtime && r.store === store && r.context === context && r.n === n && !r.skipped);
  const ok = (b) => (b ? "ok" : "MISSED");
  const vsRaw = (r) => (r.rawPointsPerSec ? `, ${(r.pointsPerSec / r.rawPointsPerSec).toFixed(2)}× raw` : "");
  lines.push("", "targets:");
  for (const n of [...new Set(rows.map((r) => r.n))]) {
    for (const context of ["window", "worker"]) {
      const idb = pick("chromium", "indexeddb", context, n);
      if (idb) lines.push(`  n=${fmt(n)}: IndexedDB (${context}) ≥ 400k points/s: ${fmt(idb.pointsPerSec)}${vsRaw(idb)} (${ok(idb.pointsPerSec >= 400_000)})${coreBound(idb)}`);
    }
    const opfs = pick("chromium", "opfs", "worker", n);
    if (opfs) lines.push(`  n=${fmt(n)}: OPFS in a worker ≥ 1M points/s: ${fmt(opfs.pointsPerSec)}${vsRaw(opfs)} (${ok(opfs.pointsPerSec >= 1_000_000)})${coreBound(opfs)}`);
    // The stores a window gets (zero-config IndexedDB, OPFS); indexeddb-page, the adapter used
    // on the page's thread, is the comparison row.
    const win = rows.filter((r) => r.runtime === "chromium" && r.context === "window" && r.n === n && r.extra && !r.skipped && r.store !== "indexeddb-page");
    if (win.length > 0) {
      const busy = Math.max(...win.map((r) => (r.extra.pageBusyMs * 1000) / r.n));
      const gap = Math.max(...win.map((r) => r.extra.rafGapMs));
      const task = Math.max(...win.map((r) => r.extra.longestTaskMs ?? 0));
      lines.push(`  n=${fmt(n)}: page thread busy ≤ 0.5 µs per point (window, worst of ${win.map((r) => r.store).join(", ")}): ${busy.toFixed(2)} (${ok(busy <= 0.5)})`);
      lines.push(`  n=${fmt(n)}: longest rAF gap ≤ 100 ms (window, worst store): ${fmt(gap)} ms (${ok(gap <= 100)}); longest task ${fmt(task)} ms`);
    }
    const deno = pick("deno", "deno-fs", "main", n);
    const node = pick("node", "node-fs", "main", n);
    if (deno && node) lines.push(`  n=${fmt(n)}: deno-fs ≥ node-fs: ${fmt(deno.pointsPerSec)} vs ${fmt(node.pointsPerSec)} (${ok(deno.pointsPerSec >= node.pointsPerSec)})`);
  }
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const repeat = Number(args.find((a) => a.startsWith("--repeat="))?.slice(9) ?? 3);
  const since = hostMemoryState();
  const rows = await runtimeBenchmarks({ sizes: sizes.length > 0 ? sizes : undefined, repeat });
  console.log(formatRuntimeBenchmarks(rows));
  printHostMemory(since);
}
