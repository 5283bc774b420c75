/**
 * RUN, run parameters and prefix templates as an Experiment uses them (Python's RUN and its templates):
 * the default prefix that follows `RUN.entry`, the per-process job counter, Python's prefix
 * precedence, `{EXP.attr}` in the constructor and the prefix setter, and every error case.
 */
import { describe, expect, test } from "vitest";
import { Experiment, makeWithExperiment, RUN, ValidationError, type ExperimentOptions, type RunDefaults, type RuntimeHooks } from "../../src/index.ts";
import { searchProjectRoot } from "../../src/run-config/entry-path.ts";
import { webUser } from "../../src/run-config/web-context.ts";
import { DATES, RUN_CASES } from "../fixtures/templates/vectors.ts";
import { jsonl, withFixture, type MakeFixture } from "./helpers.ts";

const [y, mo, d, h, mi, s, us] = DATES["d1"] as [number, number, number, number, number, number, number];
/** 2026-11-26 06:20:53.123, local time (Python's naive `now`). */
const NOW = new Date(y, mo - 1, d, h, mi, s, us / 1000);
const TREE: Record<string, "file" | "dir"> = {
  "/home/alice/proj": "dir",
  "/home/alice/proj/package.json": "file",
  "/home/alice/proj/scripts": "dir",
  "/home/alice/proj/scripts/train.ts": "file",
  "/home/alice/loose/x.ts": "file",
};
/** Whether this host has a page or worker name to fall back on (browsers). */
const HAS_WEB_USER = webUser() !== undefined;

interface FakeHost {
  env?: Record<string, string>;
  cwd?: string;
  main?: string;
}

/** An Experiment class whose runtime has the given environment and file tree (no real I/O). */
function experimentOn(host: FakeHost = {}): typeof Experiment {
  const runtime: RuntimeHooks = {
    name: "test",
    env: (n) => host.env?.[n],
    cwd: () => host.cwd ?? "/home/alice/elsewhere",
    findProjectRoot: (entry) => searchProjectRoot(entry, (p) => TREE[p]),
    mainEntry: () => host.main,
  };
  return class extends Experiment {
    static override runtime = runtime;
  };
}

/** Runs `fn` with RUN changed by `over`, then puts RUN back. */
async function withRun(over: Partial<RunDefaults>, fn: () => void | Promise<void>): Promise<void> {
  const saved = { ...RUN, now: RUN.now };
  Object.assign(RUN, { jobCounter: 0, now: NOW }, over);
  try {
    await fn();
  } finally {
    Object.assign(RUN, saved);
  }
}

const ENTRY = "file:///home/alice/proj/scripts/train.ts";
const ALICE = { env: { USER: "alice" } };

function fails(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

export function runConfigSuite(name: string, make: MakeFixture): void {
  const t = (title: string, fn: Parameters<typeof withFixture>[1]): void => {
    test(title, () => withFixture(make, fn), 30_000);
  };

  describe(`RUN and prefix templates: ${name}`, () => {
    t("no prefix: the default follows RUN.entry, user/scratch/YYYY/MM-DD/scripts/train/HH.MM.SS/000, then 001", async ({ adapter }) => {
      await withRun({ entry: ENTRY }, async () => {
        const E = experimentOn(ALICE);
        const a = new E({ storage: adapter, echo: false });
        const b = new E({ storage: adapter, echo: false });
        expect(a.prefix).toBe("alice/scratch/2026/11-26/scripts/train/06.20.53/000");
        expect(b.prefix).toBe("alice/scratch/2026/11-26/scripts/train/06.20.53/001");
        expect([a.owner, a.project, a.name, a.folder]).toEqual(["alice", "scratch", "000", "alice/scratch/2026/11-26/scripts/train/06.20.53"]);
        expect(a.runConfig).toMatchObject({
          user: "alice",
          owner: "alice",
          project: "scratch",
          name: "000",
          entry: "/home/alice/proj/scripts/train.ts",
          projectRoot: "/home/alice/proj",
          pathStem: "scripts/train",
          jobCounter: 0,
          jobName: "06.20.53/000",
          date: "20261126",
          datetimeStr: "20261126.062053",
        });
        expect(b.runConfig.jobCounter).toBe(1);
        expect(RUN.jobCounter).toBe(2);
        await a.run(async (e) => void e.metrics("train").log({ loss: 1 }));
        expect(await jsonl(adapter, `${a.prefix}/metrics/train/data.jsonl`)).toHaveLength(1);
      });
    });

    t("without RUN.entry the entry is the runtime's main script; with no marker the root is the cwd", async () => {
      await withRun({}, () => {
        const E = experimentOn({ ...ALICE, main: "/home/alice/proj/scripts/train.ts" });
        expect(new E({ storage: null, dashUrl: "http://127.0.0.1:9" }).runConfig.pathStem).toBe("scripts/train");
        const loose = experimentOn({ ...ALICE, cwd: "/home/alice", main: "/home/alice/loose/x.ts" });
        expect(new loose({ storage: null, dashUrl: "http://127.0.0.1:9" }).runConfig).toMatchObject({ projectRoot: "/home/alice", pathStem: "loose/x" });
        const relative = experimentOn({ ...ALICE, cwd: "/home/alice/proj" });
        const r = new relative({ storage: null, dashUrl: "http://127.0.0.1:9", run: { entry: "./scripts/train.ts" } });
        expect(r.runConfig).toMatchObject({ entry: "/home/alice/proj/scripts/train.ts", pathStem: "scripts/train" });
        const page = new (experimentOn(ALICE))({ storage: null, dashUrl: "http://127.0.0.1:9", run: { entry: "http://localhost:5173/lab/train.html" } });
        expect(page.runConfig).toMatchObject({ pathStem: "lab/train", projectRoot: "/" });
        const given = new (experimentOn(ALICE))({ storage: null, dashUrl: "http://127.0.0.1:9", run: { entry: ENTRY, projectRoot: "/home/alice" } });
        expect(given.runConfig.pathStem).toBe("proj/scripts/train");
      });
    });

    t("the user: run.user, RUN.user, ML_DASH_USER, USER; unset formats as None, as in Python", async () => {
      await withRun({ pathStem: "s" }, () => {
        const opts: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        expect(new (experimentOn({ env: { ML_DASH_USER: "mlu", USER: "os" } }))(opts).owner).toBe("mlu");
        expect(new (experimentOn({ env: { ML_DASH_USER: "", USER: "os" } }))(opts).owner).toBe("os");
        expect(new (experimentOn({ env: { USER: "os" } }))({ ...opts, run: { user: "bob" } }).owner).toBe("bob");
        RUN.user = "carol";
        expect(new (experimentOn({ env: { USER: "os" } }))(opts).owner).toBe("carol");
        RUN.user = undefined;
        if (!HAS_WEB_USER) expect(new (experimentOn({}))(opts).owner).toBe("None");
      });
    });

    t("prefix expansion gives what CPython's RUN passes give (vectors)", async () => {
      await withRun({}, () => {
        for (const c of RUN_CASES) {
          if (c.params["user"] === null && HAS_WEB_USER) continue;
          const p = c.params;
          const run = {
            pathStem: "scripts/train",
            now: NOW,
            jobCounter: typeof p["job_counter"] === "number" ? p["job_counter"] : 0,
            ...(p["user"] === null ? {} : { user: "alice" }),
            ...(typeof p["project"] === "string" ? { project: p["project"] } : {}),
            ...(typeof p["prefix"] === "string" ? { prefix: p["prefix"] } : {}),
            ...(typeof p["job_name"] === "string" ? { jobName: p["job_name"] } : {}),
          };
          expect(new (experimentOn({}))({ storage: null, dashUrl: "http://127.0.0.1:9", run }).runConfig.prefix, c.label).toBe(c.expected);
        }
      });
    });

    t("precedence: the prefix option, run.prefix, RUN.prefix, ML_DASH_PREFIX, DASH_PREFIX, the default; \"\" is no prefix", async () => {
      await withRun({ pathStem: "s" }, () => {
        const env = { USER: "alice", ML_DASH_PREFIX: "{user}/env/{now:%Y}/{job_counter:03d}", DASH_PREFIX: "dash/p/x" };
        const E = experimentOn({ env });
        const o: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        expect(new E("opt/p/x", { ...o, run: { prefix: "run/p/x" } }).prefix).toBe("opt/p/x");
        expect(new E("", { ...o, run: { prefix: "run/p/x" } }).prefix).toBe("run/p/x");
        RUN.prefix = "RUN/p/{user}";
        expect(new E(o).prefix).toBe("RUN/p/alice");
        RUN.prefix = undefined;
        expect(new E(o).prefix).toMatch(/^alice\/env\/2026\/\d{3}$/);
        expect(new (experimentOn({ env: { ...env, ML_DASH_PREFIX: "" } }))(o).prefix).toBe("dash/p/x");
        expect(new (experimentOn(ALICE))(o).prefix).toMatch(/^alice\/scratch\/2026\/11-26\/s\/06\.20\.53\/\d{3}$/);
      });
    });

    t("a prefix without { expands nothing; a 2+ segment prefix overrides project; one segment keeps it", async () => {
      await withRun({ pathStem: "s" }, () => {
        const E = experimentOn(ALICE);
        const o: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        const plain = new E("a/b/c", { ...o, run: { project: "ignored" } });
        expect(plain.runConfig).toMatchObject({ prefix: "a/b/c", owner: "a", project: "b", name: "c", jobName: "{now:%H.%M.%S}/{jobCounter:03d}" });
        expect(new E("a/b", o).runConfig).toMatchObject({ owner: "a", project: "b", name: "b" });
        const solo = new E("solo", o);
        expect(solo.runConfig).toMatchObject({ owner: undefined, project: "{user}/scratch", name: "solo" });
        expect([solo.owner, solo.project, solo.name]).toEqual([undefined, undefined, "solo"]);
        // Python's project run parameter replaces "{user}/scratch", so it becomes the owner.
        expect(new E({ ...o, run: { project: "vision" } }).prefix).toMatch(/^vision\/2026\/11-26\/s\/06\.20\.53\/\d{3}$/);
      });
    });

    t("run parameters apply to one experiment; RUN applies to every later one", async () => {
      await withRun({ entry: ENTRY }, () => {
        const E = experimentOn(ALICE);
        const o: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        const swept = new E({ ...o, run: { user: "bob", jobName: "sweep-{job_counter}", now: new Date(2025, 0, 2) } });
        expect(swept.prefix).toBe("bob/scratch/2025/01-02/scripts/train/sweep-0");
        expect(new E(o).prefix).toBe("alice/scratch/2026/11-26/scripts/train/06.20.53/001");
        RUN.jobName = "{now:%H%M}-{jobCounter}";
        expect(new E(o).prefix).toBe("alice/scratch/2026/11-26/scripts/train/0620-2");
        expect(new E({ ...o, run: { pathStem: "given/stem", jobCounter: 41 } }).prefix).toBe("alice/scratch/2026/11-26/given/stem/0620-41");
        expect(RUN.jobCounter).toBe(4); // the override does not reset the process counter
      });
    });

    t("every Experiment takes the next job number, even one with an explicit prefix", async () => {
      await withRun({ jobCounter: 7, pathStem: "s" }, () => {
        const E = experimentOn(ALICE);
        const o: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        expect(new E("a/b/c", o).runConfig.jobCounter).toBe(7);
        expect(new E("a/b/{jobCounter:03d}", o).prefix).toBe("a/b/008");
        expect(new E("a/b/{job_counter:>4}", o).prefix).toBe("a/b/   9");
        expect(RUN.jobCounter).toBe(10);
      });
    });

    t("{EXP.id} is an 18-digit snowflake kept in runConfig.id; {EXP.date} and {EXP.datetimeStr} come from now", async () => {
      await withRun({ pathStem: "s" }, () => {
        const E = experimentOn(ALICE);
        const o: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        const exp = new E("tom/proj/{EXP.id}", o);
        expect(exp.name).toMatch(/^\d{18}$/);
        expect(exp.runConfig.id).toBe(exp.name);
        expect(new E("tom/proj/{EXP.date}-{EXP.datetimeStr}-{EXP.datetime_str}", o).name).toBe("20261126-20261126.062053-20261126.062053");
        expect(new E("tom/proj/{EXP.user}.{EXP.jobCounter}", o).name).toMatch(/^alice\.\d+$/);
        expect(new E("tom/proj/{EXP.id}", { ...o, run: { id: "123" } }).name).toBe("123");
      });
    });

    t("{EXP.x} that is unknown or unset is a ValidationError naming the prefix (Python: AttributeError)", async () => {
      await withRun({ pathStem: "s" }, () => {
        const E = experimentOn(ALICE);
        const o: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        for (const attr of ["name", "timestamp", "datetime", "nonexistent_attr", "constructor"]) {
          const err = fails(() => new E(`a/b/{EXP.${attr}}`, o));
          expect(err.field).toBe("prefix");
          expect(err.message).toContain(`{EXP.${attr}}`);
          expect(err.message).toContain("AttributeError");
        }
        if (!HAS_WEB_USER) expect(fails(() => new (experimentOn({}))("a/b/{EXP.user}", o)).message).toContain("unset");
        expect(fails(() => new E({ ...o, run: { prefix: "a/{EXP.nope}" } })).field).toBe("run.prefix");
      });
    });

    t("unknown {x} and {date} are ValidationErrors naming where the template came from (Python: KeyError)", async () => {
      await withRun({ pathStem: "s" }, () => {
        const E = experimentOn(ALICE);
        const o: ExperimentOptions = { storage: null, dashUrl: "http://127.0.0.1:9" };
        const unknown = fails(() => new E("a/b/{nope}", o));
        expect([unknown.field, unknown.message]).toEqual(["prefix", expect.stringMatching(/unknown field \{nope\} \(Python raises KeyError\); fields: user, project/)]);
        expect(fails(() => new E("a/b/{date}", o)).message).toMatch(/\{date\}.*use \{EXP\.date\} or \{now:%Y%m%d\}/);
        expect(fails(() => new E("a/b/{datetime_str}", o)).message).toContain("{EXP.datetime_str}");
        expect(fails(() => new E({ ...o, run: { jobName: "{oops}" } })).field).toBe("run.jobName");
        RUN.jobName = "{oops}";
        expect(fails(() => new E(o)).field).toBe("RUN.jobName");
        RUN.jobName = "x";
        expect(fails(() => new (experimentOn({ env: { ...ALICE.env, ML_DASH_PREFIX: "a/{b" } }))(o)).field).toBe("ML_DASH_PREFIX");
        expect(fails(() => new E("a/b/{now:%Y", o)).message).toContain("ValueError");
        expect(fails(() => new E("a/b/{jobCounter:s}", o)).message).toContain("ValueError");
        expect(fails(() => new E("{prefix}/x", o)).message).toContain("after 10 passes");
        expect(fails(() => new E("a//{user}", o)).message).toContain("empty segment");
      });
    });

    t("the prefix setter (Python's exp.run.prefix = …) expands {EXP.attr}, re-parses, and is locked while running", async ({ adapter }) => {
      await withRun({ pathStem: "s" }, async () => {
        const E = experimentOn(ALICE);
        const o: ExperimentOptions = { storage: adapter, echo: false };
        const exp = new E("test/project/my-experiment", o);
        exp.prefix = "iclr_2024/{EXP.name}";
        expect([exp.prefix, exp.owner, exp.project, exp.name]).toEqual(["iclr_2024/my-experiment", "iclr_2024", "my-experiment", "my-experiment"]);
        const withId = new E("test/project/my-experiment", o);
        withId.prefix = "iclr_2024/{EXP.name}.{EXP.id}";
        expect(withId.prefix).toMatch(/^iclr_2024\/my-experiment\.\d{18}$/);
        const multi = new E("vision/models/resnet50", o);
        multi.prefix = "experiments/{EXP.name}/runs";
        expect(multi.prefix).toBe("experiments/resnet50/runs");
        const dated = new E("test/project/experiment", o);
        dated.prefix = "{EXP.name}.{EXP.date}";
        expect([dated.prefix, dated.name, dated.owner]).toEqual(["experiment.20261126", "experiment.20261126", undefined]);
        const bad = new E("test/project/test", o);
        const err = fails(() => (bad.prefix = "experiments/{EXP.invalid_var}/path"));
        expect(err.message).toContain("invalid_var");
        expect(bad.prefix).toBe("test/project/test");
        bad.prefix = "static/{user}/{now:%Y}";
        expect(bad.prefix).toBe("static/alice/2026");
        expect(() => (bad.prefix = "a//b")).toThrow(ValidationError);
        expect(bad.prefix).toBe("static/alice/2026");

        await exp.run.start();
        expect(() => (exp.prefix = "other/p/x")).toThrow(/Cannot change the prefix of a started experiment/);
        exp.metrics("m").log({ v: 1 });
        await exp.run.complete();
        expect(await jsonl(adapter, "iclr_2024/my-experiment/metrics/m/data.jsonl")).toHaveLength(1);
        exp.prefix = "iclr_2024/{EXP.name}-again"; // after the end, as in Python
        await exp.run(async (e) => void e.metrics("m").log({ v: 2 }));
        expect(await jsonl(adapter, "iclr_2024/my-experiment-again/metrics/m/data.jsonl")).toHaveLength(1);
      });
    });

    t("withExperiment (the decorator form) builds a new Experiment per call, each with the next job number", async ({ adapter }) => {
      await withRun({ entry: ENTRY }, async () => {
        const E = experimentOn(ALICE);
        const train = makeWithExperiment(E)({ storage: adapter, echo: false, run: { jobName: "lr-{jobCounter}" } }, async (exp, lr: number) => {
          exp.params.set({ lr });
          return exp.prefix;
        });
        expect(await train(0.1)).toBe("alice/scratch/2026/11-26/scripts/train/lr-0");
        expect(await train(0.01)).toBe("alice/scratch/2026/11-26/scripts/train/lr-1");
      });
    });

    t("bad run parameters and bad RUN values are ValidationErrors naming them", async () => {
      await withRun({ pathStem: "s" }, () => {
        const E = experimentOn(ALICE);
        const o = { storage: null, dashUrl: "http://127.0.0.1:9" } as const;
        const bad: [unknown, string][] = [
          [{ foo: 1 }, "run.foo"],
          [{ jobCounter: -1 }, "run.jobCounter"],
          [{ jobCounter: 1.5 }, "run.jobCounter"],
          [{ now: new Date(Number.NaN) }, "run.now"],
          [{ now: "2026-01-01" }, "run.now"],
          [{ id: "abc" }, "run.id"],
          [{ entry: 42 }, "run.entry"],
        ];
        for (const [run, field] of bad) expect(fails(() => new E({ ...o, run } as ExperimentOptions)).field, field).toBe(field);
        expect(fails(() => new E({ ...o, run: { foo: 1 } } as ExperimentOptions)).message).toContain('Unknown experiment option "run.foo"');
        (RUN as { jobCounter: unknown }).jobCounter = "3";
        expect(fails(() => new E(o)).field).toBe("RUN.jobCounter");
      });
    });
  });
}
