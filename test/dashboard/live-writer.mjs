// A live run for the dashboard tests: logs 10 points/s to `train` (and a log line per second) of
// <prefix> under <root> for <seconds> — or, with "until-stopped", until a line arrives on stdin —
// then completes; with "hang", it stays RUNNING.
// Usage: node test/dashboard/live-writer.mjs <root> <prefix> <seconds|until-stopped> [hang]
import { Experiment } from "../../dist/index.js";
import { nodeFsAdapter } from "../../dist/adapters/node-fs.js";

const [root, prefix, seconds = "10", mode] = process.argv.slice(2);
const exp = new Experiment(prefix, { storage: nodeFsAdapter({ root }), echo: false, buffer: { flushIntervalMs: 100 } });
await exp.run.start();
exp.params.set({ writer: "live", rate: 10 });
// Tests stop the writer when they have seen what they wait for: a machine under load may take
// longer than any fixed duration to get there.
const untilStopped = seconds === "until-stopped";
let stopped = false;
if (untilStopped) process.stdin.on("data", () => (stopped = true)).on("end", () => (stopped = true));
const end = untilStopped ? Infinity : Date.now() + Number(seconds) * 1000;
let step = 0;
console.log("started");
while (!stopped && Date.now() < end) {
  exp.metrics("train").log({ step, loss: 1 / (step + 1) });
  if (step % 10 === 0) exp.logs.info(`step ${step}`);
  step++;
  await new Promise((r) => setTimeout(r, 100));
}
await exp.flush();
if (mode !== "hang") await exp.run.complete();
console.log(`done ${step}`);
if (untilStopped) process.stdin.destroy();
