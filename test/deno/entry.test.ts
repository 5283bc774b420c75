// The Deno entry of `ml-dash`, imported through deno.json's exports: zero-config deno-fs
// storage, the environment, and draining unfinished runs when the program ends.
import { expect } from "vitest";
import { denoRuntime, Experiment } from "@ml-dash/sdk";
import { parsePyJson } from "../../src/layout/py-json-parse.ts";

const REPO = new URL("../..", import.meta.url).pathname;

async function readJson(path: string): Promise<Record<string, unknown>> {
  return parsePyJson(await Deno.readTextFile(path)) as Record<string, unknown>;
}

Deno.test("zero config: runs land in ./.dash (or dashRoot) through deno-fs", async () => {
  expect(denoRuntime.name).toBe("deno");
  const dir = await Deno.makeTempDir();
  try {
    const exp = new Experiment("alice/deno/run-1", { dashRoot: `${dir}/.dash`, echo: false });
    await exp.run(async (e) => {
      e.params.set({ lr: 0.1 });
      for (let step = 0; step < 10; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
    });
    const lines = (await Deno.readTextFile(`${dir}/.dash/alice/deno/run-1/metrics/train/data.jsonl`)).trim().split("\n");
    expect(lines).toHaveLength(10);
    expect((await readJson(`${dir}/.dash/alice/deno/run-1/experiment.json`))["status"]).toBe("COMPLETED");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ML_DASH_PREFIX supplies a missing prefix", () => {
  Deno.env.set("ML_DASH_PREFIX", "env/proj/from-env");
  try {
    expect(new Experiment({ storage: null, dashUrl: "http://127.0.0.1:9" }).prefix).toBe("env/proj/from-env");
  } finally {
    Deno.env.delete("ML_DASH_PREFIX");
  }
});

async function runFixture(dir: string, mode: "exit" | "signal"): Promise<Deno.CommandStatus> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${REPO}deno.json`, `${REPO}test/deno/fixtures/exit-run.ts`, `${dir}/.dash`, mode],
    cwd: dir,
    stdout: "piped",
    stderr: "inherit",
  });
  const child = cmd.spawn();
  if (mode === "signal") {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    child.kill("SIGINT");
    reader.releaseLock();
  }
  const status = await child.status;
  await child.stdout.cancel().catch(() => undefined);
  return status;
}

Deno.test("a program that ends without completing its run completes it (beforeunload drains)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const status = await runFixture(dir, "exit");
    expect(status.code).toBe(0);
    const run = `${dir}/.dash/deno/exit/run`;
    expect((await readJson(`${run}/experiment.json`))["status"]).toBe("COMPLETED");
    expect((await Deno.readTextFile(`${run}/metrics/train/data.jsonl`)).trim().split("\n")).toHaveLength(100);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGINT flushes the run, marks it CANCELLED, and still ends the program", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const status = await runFixture(dir, "signal");
    expect(status.success).toBe(false);
    const run = `${dir}/.dash/deno/exit/run`;
    expect((await readJson(`${run}/experiment.json`))["status"]).toBe("CANCELLED");
    expect((await Deno.readTextFile(`${run}/metrics/train/data.jsonl`)).trim().split("\n").length).toBeGreaterThanOrEqual(100);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
