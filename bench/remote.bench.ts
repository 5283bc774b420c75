/**
 * Remote benchmark (issue 5): points/s from the SDK to `ml-dash/server` over loopback, end to
 * end (log → buffer → batch → HTTP → server → `.dash` on node-fs, until `complete()` returns),
 * with msgpack and with JSON in the same run, and the bytes per point each puts on the wire.
 * The server runs in its own process (this machine has 2 cores: one for the training loop,
 * one for the server).
 *
 * Run everything (bundled like the other benches):
 *   npx esbuild bench/remote.bench.ts --bundle --platform=node --format=esm --packages=external --outfile=.bench-out/remote.bench.mjs
 *   node .bench-out/remote.bench.mjs            # the table: msgpack and JSON at 100k and 1M points
 *   node .bench-out/remote.bench.mjs run msgpack 1000000   # one measurement, one JSON line
 *
 * For `npm run bench` (bench/run.mjs), a suite: `measure(await bundle("remote.bench"), ["run", wire, n])`
 * for wire in msgpack/json and n in 100k/1M, as `main()` below does.
 *
 * `BENCH_PROF=1` also writes a CPU profile of the server process to /tmp/cpuprof.
 *
 * Targets: ≥ 1M points/s end to end with msgpack at 1M points (issue 18; issue 5 asked 500k);
 * msgpack bytes ≤ 60% of JSON.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment } from "../src/index.ts";

const self = process.argv[1] as string;
const [mode, wireArg = "msgpack", nArg = "100000"] = process.argv.slice(2);
const TOKEN = "bench-token";

// The same values as the core benchmark: a decaying noisy loss, a 3-decimal accuracy, an integer step.
const loss = (i: number, n: number): number => 2.3 * Math.exp((-3 * i) / n) + 0.01 * Math.sin(i);
const acc = (i: number, n: number): number => Math.round(1000 * (1 - Math.exp((-3 * i) / n))) / 1000;

function startServerProcess(): Promise<{ url: string; stop: () => void }> {
  // The server as users run it: `ml-dash serve` from the built package (dist/cli.js), which
  // encodes big batches on its worker pool.
  const root = mkdtempSync(join(tmpdir(), "mldash-remote-bench-"));
  const cli = join(import.meta.dirname, "..", "dist", "cli.js");
  const prof = process.env["BENCH_PROF"] ? ["--cpu-prof", "--cpu-prof-dir=/tmp/cpuprof"] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...prof, cli, "serve", "--port", "0", "--root", root, "--token", TOKEN], { stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d;
      const m = /ml-dash server: (http:\/\/\S+)\/api/.exec(buf);
      if (m) {
        resolve({
          url: m[1] as string,
          stop: () => {
            child.once("exit", () => rmSync(root, { recursive: true, force: true }));
            child.kill("SIGTERM");
          },
        });
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/**
 * Points logged to another run of the same server before the measurement (REMOTE_BENCH_WARMUP,
 * default 300,000): a server runs for days and a training script for hours, so both sides'
 * code is compiled by then; without it, the figure includes a fresh process compiling.
 */
const WARMUP = Number(process.env["REMOTE_BENCH_WARMUP"] ?? 300_000);

/** Logs `n` points to run `prefix` and completes it. */
async function logPoints(url: string, prefix: string, wire: "msgpack" | "json", n: number): Promise<void> {
  const exp = new Experiment(prefix, { dashUrl: url, token: TOKEN, storage: null, echo: false, remote: { wire } });
  await exp.run.start();
  const m = exp.metrics("train");
  for (let i = 0; i < n; ) {
    for (const end = Math.min(n, i + 1000); i < end; i++) m.log({ loss: loss(i, n), acc: acc(i, n), step: i });
    await new Promise<void>((r) => setImmediate(r));
  }
  await exp.run.complete();
}

/** `run <wire> <n>`: one measurement. */
async function run(wire: "msgpack" | "json", n: number): Promise<void> {
  const srv = await startServerProcess();
  try {
    if (WARMUP > 0) await logPoints(srv.url, `bench/remote/${wire}-warm`, wire, WARMUP);
    const exp = new Experiment(`bench/remote/${wire}-${n}`, { dashUrl: srv.url, token: TOKEN, storage: null, echo: false, remote: { wire } });
    await exp.run.start();
    const m = exp.metrics("train");
    const t0 = performance.now();
    for (let i = 0; i < n; ) {
      // A training loop: it yields to the event loop between steps of 1,000 points.
      for (const end = Math.min(n, i + 1000); i < end; i++) m.log({ loss: loss(i, n), acc: acc(i, n), step: i });
      await new Promise<void>((r) => setImmediate(r));
    }
    await exp.run.complete();
    const seconds = (performance.now() - t0) / 1000;
    const stored = Number((await (await fetch(`${srv.url}/api/experiments/${exp.id}/metrics/train/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).totalDataPoints);
    console.log(
      JSON.stringify({
        bench: "remote",
        wire,
        n,
        seconds: +seconds.toFixed(3),
        pointsPerSec: Math.round(n / seconds),
        bytesPerPoint: +(exp.stats.bytes / n).toFixed(2),
        stored,
        retried: exp.stats.retried,
        dropped: exp.stats.dropped,
      }),
    );
  } finally {
    srv.stop();
  }
}

/** No arguments: the table (each measurement in a fresh process). */
function main(): void {
  const rows: Record<string, number | string>[] = [];
  for (const n of [100_000, 1_000_000]) {
    for (const wire of ["msgpack", "json"]) {
      const r = spawnSync(process.execPath, [self, "run", wire, String(n)], { encoding: "utf8" });
      const line = r.stdout.split("\n").filter((l) => l.startsWith("{")).at(-1);
      rows.push(line ? JSON.parse(line) : { wire, n, error: `exit ${r.status}: ${r.stderr.slice(0, 200)}` });
    }
  }
  console.log("\n## SDK → ml-dash server over loopback (remote-only, node-fs on the server), end to end\n");
  console.log("| wire | points | points/s | seconds | bytes/point | stored |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    if (r["error"]) console.log(`| ${r["wire"]} | ${r["n"]} | ${r["error"]} | | | |`);
    else console.log(`| ${r["wire"]} | ${Number(r["n"]).toLocaleString("en-US")} | ${Number(r["pointsPerSec"]).toLocaleString("en-US")} | ${r["seconds"]} | ${r["bytesPerPoint"]} | ${Number(r["stored"]).toLocaleString("en-US")} |`);
  }
  for (const n of [100_000, 1_000_000]) {
    const mp = rows.find((r) => r["wire"] === "msgpack" && r["n"] === n);
    const js = rows.find((r) => r["wire"] === "json" && r["n"] === n);
    if (mp?.["bytesPerPoint"] && js?.["bytesPerPoint"]) {
      console.log(`\n${n.toLocaleString("en-US")} points: msgpack bytes = ${((100 * Number(mp["bytesPerPoint"])) / Number(js["bytesPerPoint"])).toFixed(1)}% of JSON; msgpack ${(Number(mp["pointsPerSec"]) / Number(js["pointsPerSec"])).toFixed(2)}× JSON's points/s`);
    }
  }
  const big = rows.find((r) => r["wire"] === "msgpack" && r["n"] === 1_000_000);
  const pts = Number(big?.["pointsPerSec"] ?? 0);
  console.log(`\ntargets: msgpack at 1M points ≥ 1,000,000 points/s end to end: ${pts.toLocaleString("en-US")} (${pts >= 1_000_000 ? "ok" : "MISSED"}); msgpack bytes ≤ 60% of JSON`);
}

if (mode === "run") await run(wireArg as "msgpack" | "json", Number(nArg));
else main();
