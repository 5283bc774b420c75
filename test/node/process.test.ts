/**
 * Real processes: zero-config storage, the environment prefix, draining on exit, cancelling on
 * SIGINT, and a writer killed with SIGKILL after `flush()` resolved.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { Experiment } from "../../src/index.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";
import { bundle, start } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** Each test bundles a script and runs it in a child Node process: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const read = (p: string): string => readFileSync(p, "utf8");
const lines = <T>(p: string): T[] => parseJsonLines<T>(read(p)).records;

describe("processes", () => {
  test("zero config: new Experiment(prefix) writes ./.dash in the working directory", async () => {
    const cwd = tempDir("zero");
    const script = await bundle(`
      import { Experiment } from "ml-dash";
      const exp = new Experiment("alice/demo/zero", { echo: false });
      await exp.run(async (e) => { e.metrics("train").log({ loss: 1 }); e.logs.info("hi"); });
      console.log("MODE", exp.mode);
    `);
    const r = await start(script, { cwd });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("MODE local");
    expect(lines(join(cwd, ".dash/alice/demo/zero/metrics/train/data.jsonl"))).toHaveLength(1);
    expect(JSON.parse(read(join(cwd, ".dash/alice/demo/zero/experiment.json"))).status).toBe("COMPLETED");
  }, IO_TIMEOUT_MS);

  test("ML_DASH_PREFIX (or DASH_PREFIX) supplies a missing prefix, else RUN's default template; dashRoot moves the store", async () => {
    const cwd = tempDir("env");
    const script = await bundle(`
      import { Experiment } from "ml-dash";
      const a = new Experiment({ echo: false });
      const b = new Experiment({ echo: false, dashRoot: "elsewhere" });
      console.log(a.prefix, b.prefix);
      await a.run(async () => {});
      let err = "";
      try { new Experiment({ prefix: "a//b" }); } catch (e) { err = e.name; }
      console.log("ERR", err);
    `);
    const r1 = await start(script, { cwd, env: { ML_DASH_PREFIX: "env/proj/run-1", DASH_PREFIX: "ignored/x/y" } });
    expect(r1.stdout).toContain("env/proj/run-1 env/proj/run-1");
    expect(r1.stdout).toContain("ERR ValidationError");
    expect(existsSync(join(cwd, ".dash/env/proj/run-1/experiment.json"))).toBe(true);
    const r2 = await start(script, { cwd, env: { ML_DASH_PREFIX: "", DASH_PREFIX: "dash/proj/run-2" } });
    expect(r2.stdout).toContain("dash/proj/run-2 dash/proj/run-2");
    // Neither set: Python's default template, {user}/scratch/{now:%Y/%m-%d}/{pathStem}/{jobName},
    // one job number per Experiment of the process.
    const r3 = await start(script, { cwd, env: { ML_DASH_PREFIX: "", DASH_PREFIX: "", ML_DASH_USER: "", USER: "tester" } });
    expect(r3.stderr).toBe("");
    const time = String.raw`tester/scratch/\d{4}/\d\d-\d\d/.+/\d\d\.\d\d\.\d\d`;
    expect(r3.stdout).toMatch(new RegExp(`^(${time})/000 \\1/001$`, "m"));
  }, IO_TIMEOUT_MS);

  test("a run the script never completed is drained and completed on a normal exit", async () => {
    const cwd = tempDir("exit");
    const script = await bundle(`
      import { Experiment } from "ml-dash";
      const exp = await new Experiment("alice/demo/exit", { echo: false, buffer: { flushIntervalMs: 60000 } }).run.start();
      for (let i = 0; i < 5000; i++) exp.metrics("train").log({ i });
      exp.logs.info("last words");
      // no complete(), no flush(): the process just ends
    `);
    const r = await start(script, { cwd });
    expect(r.code).toBe(0);
    const base = join(cwd, ".dash/alice/demo/exit");
    expect(lines(join(base, "metrics/train/data.jsonl"))).toHaveLength(5000);
    expect(lines<{ message: string }>(join(base, "logs/logs.jsonl"))[0]?.message).toBe("last words");
    expect(JSON.parse(read(join(base, "experiment.json"))).status).toBe("COMPLETED");
  }, IO_TIMEOUT_MS);

  test("SIGINT drains and records CANCELLED, then the process still ends by the signal", async () => {
    const cwd = tempDir("sigint");
    const script = await bundle(`
      import { Experiment } from "ml-dash";
      const exp = await new Experiment("alice/demo/interrupted", { echo: false, buffer: { flushIntervalMs: 60000 } }).run.start();
      for (let i = 0; i < 1000; i++) exp.metrics("train").log({ i });
      console.log("READY");
      setInterval(() => exp.metrics("train").log({ i: -1 }), 5); // a training loop that never ends
    `);
    const r = await start(script, { cwd, onLine: (l, child) => l === "READY" && child.kill("SIGINT") });
    expect(r.signal).toBe("SIGINT");
    const base = join(cwd, ".dash/alice/demo/interrupted");
    expect(JSON.parse(read(join(base, "experiment.json"))).status).toBe("CANCELLED");
    expect(lines(join(base, "metrics/train/data.jsonl")).length).toBeGreaterThanOrEqual(1000);
  }, IO_TIMEOUT_MS);

  test("crash: SIGKILL after flush() resolved for the first half loses nothing flushed; the tree reads back and resumes", async () => {
    const cwd = tempDir("crash");
    const script = await bundle(`
      import { Experiment } from "ml-dash";
      const exp = await new Experiment("alice/demo/crash", { echo: false, buffer: { flushIntervalMs: 1, maxBatch: 64 } }).run.start();
      const m = exp.metrics("train");
      for (let i = 0; i < 50000; i++) m.log({ i, loss: 1 / (i + 1) });
      exp.tracks("pose").append({ x: 1, _ts: 1 });
      exp.logs.info("half");
      await exp.flush();
      console.log("FLUSHED");
      // Second half: keep writing in small batches until killed.
      let i = 50000;
      for (;;) {
        for (let k = 0; k < 500; k++) m.log({ i: i++, loss: 0 });
        await new Promise((r) => setImmediate(r));
      }
    `);
    const r = await start(script, { cwd, onLine: (l, child) => l === "FLUSHED" && setTimeout(() => child.kill("SIGKILL"), 150) });
    expect(r.signal).toBe("SIGKILL");
    const base = join(cwd, ".dash/alice/demo/crash");
    const { records, skipped } = parseJsonLines<{ index: number; data: { i: number } }>(read(join(base, "metrics/train/data.jsonl")));
    expect(skipped).toBeLessThanOrEqual(1); // at most a torn last line
    expect(records.length).toBeGreaterThanOrEqual(50000);
    expect(records.map((x) => x.index)).toEqual(records.map((_, k) => k));
    expect(records.every((x, k) => x.data.i === k)).toBe(true);
    expect(lines(join(base, "tracks/pose/data.jsonl"))).toHaveLength(1);
    expect(JSON.parse(read(join(base, "experiment.json"))).status).toBe("RUNNING");
    // A new process resumes the crashed run: the torn tail is cut and numbering continues.
    const exp = new Experiment("alice/demo/crash", { storage: nodeFsAdapter({ root: join(cwd, ".dash") }), echo: false });
    await exp.run(async (e) => void e.metrics("train").log({ i: -1 }));
    const after = parseJsonLines<{ index: number }>(read(join(base, "metrics/train/data.jsonl")));
    expect(after.skipped).toBe(0);
    expect(after.records.map((x) => x.index)).toEqual(after.records.map((_, k) => k));
    expect(after.records.length).toBe(records.length + 1);
  }, 60_000);
});
