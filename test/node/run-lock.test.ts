/**
 * Two local processes on one prefix (issue 13): the second `start()` gets a clear ConflictError
 * (RUN_LOCKED) naming the first, instead of interleaving indices; the lease ends with the run,
 * and a lease whose process died is taken over. Real Node processes on one node-fs root.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { bundle, start, type ChildResult } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

const PREFIX = "alice/lock/run";

/** A child that starts the run, logs `n` points, prints "started", then ends when `go` exists (or is killed). */
async function writer(): Promise<string> {
  return bundle(`
    import { existsSync } from "node:fs";
    import { Experiment } from "ml-dash";
    import { nodeFsAdapter } from "ml-dash/adapters/node-fs";
    const [root, go, n] = process.argv.slice(2);
    const exp = new Experiment(${JSON.stringify(PREFIX)}, { storage: nodeFsAdapter({ root }), echo: false });
    try {
      await exp.run.start();
    } catch (err) {
      console.log("refused " + err.name + " " + err.code + " " + err.message);
      process.exit(0);
    }
    for (let i = 0; i < Number(n); i++) exp.metrics("m").log({ i });
    await exp.flush();
    console.log("started " + process.pid);
    while (!existsSync(go)) await new Promise((r) => setTimeout(r, 10));
    await exp.run.complete();
    console.log("done");
  `);
}

test("a second process on the same prefix is refused while the first writes; the lease ends with the run or its process", async () => {
  const root = tempDir("run-lock");
  const go = join(root, "go");
  const script = await writer();
  let firstPid = "";
  let onStarted!: () => void;
  const started = new Promise<void>((r) => (onStarted = r));
  const first: Promise<ChildResult> = start(script, {
    args: [root, go, "1000"],
    onLine: (line) => {
      if (line.startsWith("started ")) {
        firstPid = line.slice(8);
        onStarted();
      }
    },
  });
  await Promise.race([started, first]);
  expect(firstPid).not.toBe("");

  // The second process: refused at start(), clearly, and nothing of it lands in the run.
  const second = await start(script, { args: [root, go, "1000"] });
  expect(second.stdout).toMatch(new RegExp(`^refused ConflictError RUN_LOCKED Run "${PREFIX}" is being written by process ${firstPid} `));
  writeFileSync(go, "");
  expect((await first).stdout).toContain("done");
  const lines = readFileSync(join(root, PREFIX, "metrics/m/data.jsonl"), "utf8").trimEnd().split("\n");
  expect(lines.map((l) => (JSON.parse(l) as { index: number }).index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  expect(existsSync(join(root, PREFIX, ".writer.lock"))).toBe(false);

  // The run ended: the next process resumes it. Killed while writing, its lease is stale.
  rmSync(go);
  const killed = await start(script, { args: [root, go, "500"], onLine: (line, child) => void (line.startsWith("started ") && child.kill("SIGKILL")) });
  expect(killed.signal).toBe("SIGKILL");
  expect(existsSync(join(root, PREFIX, ".writer.lock"))).toBe(true); // left behind by the killed process
  writeFileSync(go, "");
  const fourth = await start(script, { args: [root, go, "500"] });
  expect(fourth.stdout).toContain("done");
  const after = readFileSync(join(root, PREFIX, "metrics/m/data.jsonl"), "utf8").trimEnd().split("\n");
  expect(after.map((l) => (JSON.parse(l) as { index: number }).index)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
}, 180_000);
