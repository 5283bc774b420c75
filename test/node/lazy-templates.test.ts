/**
 * Prefix templates where their code loads on first use (the browser entry re-exports
 * `src/exports.ts`, which does not register it): a plain prefix never loads it; a template waits
 * for it and expands before the run starts, to what the constructor gives where the code is
 * loaded; errors reach `run.start()`. This file imports nothing that registers the template code
 * (`src/index.ts`), so the first template here really loads it.
 */
import { describe, expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { Experiment, ExperimentNotStartedError, RUN, ValidationError, type RuntimeHooks } from "../../src/exports.ts";
import { loadedTemplates, loadTemplates } from "../../src/run-config/engine.ts";

const NOW = new Date(2026, 10, 26, 6, 20, 53, 123);
const runtime: RuntimeHooks = {
  name: "test",
  env: (n) => (n === "USER" ? "alice" : undefined),
  cwd: () => "/home/alice/elsewhere",
  findProjectRoot: () => "/home/alice/proj",
  mainEntry: () => undefined,
};
class E extends Experiment {
  static override runtime = runtime;
}
const decoder = new TextDecoder();

describe("prefix templates loaded on first use", () => {
  test("a plain prefix is known at once and loads no template code; a template expands before the run starts, as the loaded code would expand it", async () => {
    const saved = { ...RUN, now: RUN.now };
    Object.assign(RUN, { jobCounter: 0, now: NOW, entry: "file:///home/alice/proj/scripts/train.ts" });
    try {
      const storage = memoryAdapter();
      const plain = new E("alice/web/run-1", { storage, echo: false });
      expect([plain.prefix, plain.owner, plain.project, plain.name, plain.folder]).toEqual(["alice/web/run-1", "alice", "web", "run-1", "alice/web"]);
      expect(plain.runConfig).toMatchObject({ jobCounter: 0, pathStem: "scripts/train", date: "20261126", datetimeStr: "20261126.062053" });
      expect(loadedTemplates()).toBeUndefined();

      // No prefix: RUN's default template. Each takes its job number at construction.
      const a = new E({ storage, echo: false });
      const b = new E({ storage, echo: false });
      const bad = new E("a/b/{nope}", { storage, echo: false });
      const renamed = new E("test/project/my-experiment", { storage, echo: false });
      renamed.prefix = "iclr_2024/{EXP.name}.{EXP.id}";
      renamed.prefix = "{prefix}-{jobCounter:03d}";
      expect(() => renamed.prefix = "a//b").toThrow(ValidationError); // a plain prefix is still checked at once
      expect(() => a.prefix).toThrow(ExperimentNotStartedError);
      expect(() => a.name).toThrow(/still loading.*await exp\.run\.start\(\)/);
      expect(RUN.jobCounter).toBe(5);

      await a.run(async (e) => void e.metrics("train").log({ loss: 1 }));
      expect(a.prefix).toBe("alice/scratch/2026/11-26/scripts/train/06.20.53/001");
      expect(a.runConfig).toMatchObject({ owner: "alice", project: "scratch", name: "001", jobName: "06.20.53/001", jobCounter: 1 });
      expect(decoder.decode((await storage.read(`${a.prefix}/metrics/train/data.jsonl`)) ?? new Uint8Array()).trim().split("\n")).toHaveLength(1);
      // Once loaded, reading resolves the others without a start.
      expect(b.prefix).toBe("alice/scratch/2026/11-26/scripts/train/06.20.53/002");
      expect(renamed.prefix).toMatch(/^iclr_2024\/my-experiment\.\d{18}-004$/);

      // A bad template: the error names the field, from the getters and from start().
      const err = await bad.run.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe("prefix");
      expect((err as Error).message).toMatch(/unknown field \{nope\}/);
      expect(() => bad.prefix).toThrow(ValidationError);
      bad.prefix = "a/b/fixed";
      await bad.run(async (e) => void e.metrics("m").log({ v: 1 }));
      expect(bad.prefix).toBe("a/b/fixed");

      // With the code loaded, templates expand in the constructor again, to the same prefixes.
      expect(loadedTemplates()).toBe(await loadTemplates());
      RUN.jobCounter = 1;
      expect(new E({ storage, echo: false }).prefix).toBe(a.prefix);
      expect(() => new E("a/b/{nope}", { storage, echo: false })).toThrow(ValidationError);
    } finally {
      Object.assign(RUN, saved);
    }
  });
});
