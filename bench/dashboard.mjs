#!/usr/bin/env node
// The dashboard's time budgets, in headless Chromium against the dashboard server of the built
// package (scripts/dashboard-dev.mjs, its own process, as `ml-dash serve` runs it):
//   - a 1,000,000-point metric, indexed by the server: navigation → chart drawn ≤ 1 s
//   - the same metric copied in after startup, scanned on demand: ≤ 5 s (a regression bound)
//   - a RUNNING run: its chart advances ≤ 2 s after it is first drawn (10 points/s written)
//   - a 10,000,000-point metric (1.4 GB of data.jsonl), indexed: navigation → chart drawn ≤ 2 s
//   - a folder of 200 runs (params and a metric each): navigation → the runs table lists all
//     200 and has drawn the rows in view ≤ 1 s (it draws only those and 30 either side)
// (issue 17 item 6). BENCH_DASH_10M=0 leaves out the 10M row (writing it takes minutes).
// Each is the best of three fresh browser contexts (the machine is shared and noisy; all three
// are printed). These were timed assertions in test/dashboard/e2e/ (00-big, live), which failed
// on a loaded machine; the tests keep the behaviour and print the figures.
//
//   node bench/dashboard.mjs          (or `npm run bench dashboard`; build first)
//
// `dashboardBenchmarks()` returns the rows and `formatDashboardBenchmarks()` prints them, for
// bench/run.mjs to call; a row over its budget has `over: true` (run.mjs then exits 1).
import { spawn } from "node:child_process";
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright";
import { writeBigRun } from "../test/dashboard/fixtures/make.mjs";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const REPEAT = 3;
/** Anything slower than this is not a measurement any more: the row reports the timeout. */
const GIVE_UP_MS = 120_000;

/** Starts a process and resolves with it once a stdout line matches `ready` (and with the match). */
function startUntil(args, ready) {
  const p = spawn(process.execPath, args, { cwd: REPO, stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) ok({ p, m });
    });
    p.on("exit", (code) => fail(new Error(`${args.join(" ")} exited with ${code} before it was ready`)));
  });
}

const exited = (p) => (p.exitCode !== null ? Promise.resolve() : new Promise((ok) => p.once("exit", ok)));

/** Resolves with the x column of the chart titled `title` once it has more than `minX` as its largest x. */
async function chartPast(page, title, minX) {
  const handle = await page.waitForFunction(
    ([t, min]) => {
      const c = globalThis.__dash?.charts.find((x) => x.title === t);
      const xs = c?.data?.[0];
      return xs && xs.length > 0 && Math.max(...xs) > min ? xs : null;
    },
    [title, minX],
    { polling: 50, timeout: GIVE_UP_MS },
  );
  return handle.jsonValue();
}

/** Milliseconds from navigation to `path` until its train.loss chart is drawn, in a fresh context. */
async function openMs(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url);
    await chartPast(page, "train.loss", -Infinity);
    return Math.round(performance.now() - t0);
  } finally {
    await context.close();
  }
}

/** Writes a run of `n` points of train.loss at `dir`, as ML-Dash writes them (the 1M fixture's format). */
async function writeMetricRun(dir, prefix, n) {
  mkdirSync(join(dir, "metrics/train"), { recursive: true });
  writeFileSync(join(dir, "experiment.json"), JSON.stringify({ name: prefix.split("/").pop(), project: prefix.split("/")[1], tags: [], prefix, created_at: "2026-11-20T00:00:00.000000Z", status: "COMPLETED" }));
  writeFileSync(join(dir, "metrics/train/metadata.json"), JSON.stringify({ name: "train", totalDataPoints: n, nextIndex: n, createdAt: "2026-11-20T00:00:00.000000Z", updatedAt: "2026-11-20T01:00:00.000000Z" }));
  await new Promise((ok, fail) => {
    const out = createWriteStream(join(dir, "metrics/train/data.jsonl"));
    out.on("error", fail);
    out.on("finish", ok);
    let i = 0;
    const pump = () => {
      while (i < n) {
        let chunk = "";
        for (let k = 0; k < 10_000 && i < n; k++, i++) chunk += `{"index": ${i}, "data": {"loss": ${1 + 0.5 * Math.sin(i / 5000)}, "step": ${i}, "_ts": ${1795000000 + i * 0.01}}, "createdAt": "2026-11-20T00:00:00.523017Z"}\n`;
        if (!out.write(chunk)) return void out.once("drain", pump);
      }
      out.end();
    };
    pump();
  });
}

/** Writes `count` runs under `folder`: params (lr, seed, optimizer) and 100 points of train.loss each. */
async function writeSweep(root, folder, count) {
  const { nodeFsAdapter } = await import("../dist/adapters/node-fs.js");
  const { Experiment } = await import("../dist/index.js");
  const storage = nodeFsAdapter({ root });
  for (let r = 0; r < count; r++) {
    const exp = new Experiment(`${folder}/run-${String(r).padStart(3, "0")}`, { storage, echo: false });
    await exp.run(async (e) => {
      e.params.set({ lr: 10 ** -(1 + (r % 4)), seed: r, optimizer: r % 2 ? "adam" : "sgd" });
      for (let step = 0; step < 100; step++) e.metrics("train").log({ step, loss: 2 / (1 + step * (1 + (r % 7))) });
    });
  }
  await storage.close();
}

/**
 * Milliseconds from navigation to a folder page until its runs table lists its `rows` runs and
 * draws the ones in view, in a fresh context. A table longer than 100 rows draws only those and
 * the 30 either side (src/dashboard/ui/table/window.ts): the condition is the count line and
 * the table's drawn rows filling the pane below its heading.
 */
async function tableMs(browser, url, rows) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url);
    await page.waitForFunction(
      (n) => {
        if (document.querySelector("[data-testid=table-count]")?.textContent !== `${n} of ${n} runs`) return false;
        const drawn = document.querySelectorAll("table.runs tbody tr[data-run]");
        const last = drawn[drawn.length - 1];
        const pane = document.querySelector(".main")?.getBoundingClientRect();
        return drawn.length === n || (!!last && !!pane && last.getBoundingClientRect().bottom >= pane.bottom);
      },
      rows,
      { polling: 20, timeout: GIVE_UP_MS },
    );
    return Math.round(performance.now() - t0);
  } finally {
    await context.close();
  }
}

/** Milliseconds from the first drawing of a live run's chart until it shows a newer point. */
async function advanceMs(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    const xs = await chartPast(page, "train.loss", -Infinity);
    const t0 = performance.now();
    await chartPast(page, "train.loss", Math.max(...xs));
    return Math.round(performance.now() - t0);
  } finally {
    await context.close();
  }
}

async function timed(what, budgetMs, runs) {
  const ms = [];
  for (const run of runs) ms.push(await run().catch((err) => (console.error(`${what}: ${err.message}`), Infinity)));
  const best = Math.min(...ms);
  return { what, budgetMs, ms, best, over: !(best <= budgetMs) };
}

/** Measures every budget; returns one row each. */
export async function dashboardBenchmarks() {
  const root = mkdtempSync(join(tmpdir(), "mldash-bench-dash-"));
  let server;
  let writer;
  let browser;
  try {
    process.stderr.write("writing a 1,000,000-point run (137 MB)…\n");
    await writeBigRun(join(root, "alice/big/1m"));
    const with10m = process.env.BENCH_DASH_10M !== "0";
    if (with10m) {
      process.stderr.write("writing a 10,000,000-point run (1.4 GB)…\n");
      await writeMetricRun(join(root, "alice/big/10m"), "alice/big/10m", 10_000_000);
    }
    process.stderr.write("writing 200 runs…\n");
    await writeSweep(root, "alice/sweep/big", 200);
    const started = await startUntil(["scripts/dashboard-dev.mjs", "--root", root, "--port", "0"], /(http:\/\/127\.0\.0\.1:\d+)/);
    server = started.p;
    const url = started.m[1];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const rows = [];

    // Wait for the server's background index to reach the metrics (a series request answers
    // then), both before any row is timed: indexing 1.4 GB while the 1M row runs timed that instead.
    for (const run of ["alice/big/1m", ...(with10m ? ["alice/big/10m"] : [])]) {
      const res = await fetch(`${url}/dash/api/series?path=${run}&metric=train&y=loss&bins=64`);
      if (!res.ok) throw new Error(`series request: ${res.status}`);
    }
    rows.push(await timed("1M-point metric, indexed: navigation → chart drawn", 1000, Array.from({ length: REPEAT }, () => () => openMs(browser, `${url}/alice/big/1m`))));

    // The 10M row before the late copies: their columns (4 × 38 MB) and the 10M metric's (~450 MB)
    // do not all fit the server's 512 MB cache, and the 10M row would time a rescan of 1.4 GB.
    if (with10m) {
      rows.push(await timed("10M-point metric, indexed: navigation → chart drawn", 2000, Array.from({ length: REPEAT }, () => () => openMs(browser, `${url}/alice/big/10m`))));
    }
    // Copies made after startup are scanned by their first request (one copy per measurement).
    const late = Array.from({ length: REPEAT }, (_, i) => `alice/big/1m-late-${i}`);
    for (const dir of late) cpSync(join(root, "alice/big/1m"), join(root, dir), { recursive: true });
    rows.push(await timed("1M-point metric, first scan on demand: navigation → chart drawn", 5000, late.map((dir) => () => openMs(browser, `${url}/${dir}`))));

    rows.push(await timed("200 runs in a folder: navigation → runs table drawn (200 listed, the rows in view)", 1000, Array.from({ length: REPEAT }, () => () => tableMs(browser, `${url}/alice/sweep/big`, 200))));

    ({ p: writer } = await startUntil(["test/dashboard/live-writer.mjs", root, "alice/live/bench", "until-stopped"], /started/));
    rows.push(await timed("RUNNING run: chart first drawn → a newer point drawn", 2000, Array.from({ length: REPEAT }, () => () => advanceMs(browser, `${url}/alice/live/bench?x=step`))));
    return rows;
  } finally {
    await browser?.close();
    if (writer && writer.exitCode === null) writer.stdin.end("stop\n");
    if (writer) await exited(writer);
    if (server && server.exitCode === null) server.kill("SIGTERM");
    if (server) await exited(server);
    rmSync(root, { recursive: true, force: true });
  }
}

/** A markdown table of the rows, with the machine's load (the figures depend on it). */
export function formatDashboardBenchmarks(rows) {
  const lines = ["| measurement | runs (ms) | best (ms) | budget (ms) | |", "|---|---|---|---|---|"];
  for (const r of rows) lines.push(`| ${r.what} | ${r.ms.join(" / ")} | ${r.best} | ≤ ${r.budgetMs.toLocaleString("en-US")} | ${r.over ? "OVER BUDGET" : "ok"} |`);
  lines.push("", `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await dashboardBenchmarks();
  console.log(formatDashboardBenchmarks(rows));
  process.exitCode = rows.some((r) => r.over) ? 1 : 0;
}
