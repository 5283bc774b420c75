/**
 * RUN on a real machine: a script in a project folder gets the default prefix from `RUN.entry`;
 * the project root is found on disk; and the formatter agrees with CPython on inputs generated
 * here.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { nodeHostHooks } from "../../src/runtime/node/host.ts";
import { formatValue } from "../../src/run-config/format-spec.ts";
import { strftime } from "../../src/run-config/strftime.ts";
import { bundle, start } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** Child processes (a script in a project folder) and CPython as the formatter's reference: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const python = (code: string, input: string): string => {
  const r = spawnSync("python3", ["-c", code], { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};
const hasPython = spawnSync("python3", ["-c", "import json"]).status === 0;

describe("the default prefix follows the entry script", () => {
  test("scripts/train.ts in a package.json folder logs under <user>/scratch/<date>/scripts/train/<time>/000, then 001", async () => {
    const project = tempDir("proj");
    writeFileSync(join(project, "package.json"), "{}");
    mkdirSync(join(project, "scripts"));
    const script = await bundle(
      `
      import { Experiment, RUN } from "ml-dash";
      RUN.entry = import.meta.url;
      const a = new Experiment({ echo: false });
      const b = new Experiment({ echo: false });
      await a.run(async (e) => e.metrics("train").log({ loss: 1 }));
      await b.run(async (e) => e.logs.info("second"));
      console.log(JSON.stringify({ a: a.prefix, b: b.prefix, root: a.runConfig.projectRoot, now: RUN.now.getTime() }));
    `,
      join(project, "scripts/train.ts"),
    );
    const cwd = tempDir("cwd"); // elsewhere: the root must come from package.json, not the cwd
    const before = Date.now();
    const r = await start(script, { cwd, env: { ML_DASH_USER: "", USER: "tester", ML_DASH_PREFIX: "", DASH_PREFIX: "" } });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout.trim().split("\n").pop() as string) as { a: string; b: string; root: string; now: number };
    const now = new Date(out.now);
    expect(out.now).toBeGreaterThanOrEqual(before - 1000);
    const p2 = (n: number): string => String(n).padStart(2, "0");
    const base = `tester/scratch/${now.getFullYear()}/${p2(now.getMonth() + 1)}-${p2(now.getDate())}/scripts/train/${p2(now.getHours())}.${p2(now.getMinutes())}.${p2(now.getSeconds())}`;
    expect(out.a).toBe(`${base}/000`);
    expect(out.b).toBe(`${base}/001`);
    expect(out.root).toBe(project);
    expect(readdirSync(join(cwd, ".dash", base)).sort()).toEqual(["000", "001"]);
    expect(readdirSync(join(cwd, ".dash", base, "000/metrics"))).toEqual(["train"]);
  }, 60_000);

  test("the Node hooks: every marker file makes a project root; the cwd and the main script", () => {
    const root = tempDir("markers");
    for (const marker of ["package.json", "deno.json", "deno.jsonc", "pyproject.toml", "requirements.txt", "setup.py", "setup.cfg"]) {
      const dir = join(root, marker.replace(/\W/g, "_"));
      mkdirSync(join(dir, "a/b"), { recursive: true });
      writeFileSync(join(dir, marker), "");
      writeFileSync(join(dir, "a/b/run.ts"), "");
      expect(nodeHostHooks.findProjectRoot?.(join(dir, "a/b/run.ts")), marker).toBe(dir);
      expect(nodeHostHooks.findProjectRoot?.(join(dir, "a/b")), marker).toBe(dir);
    }
    expect(nodeHostHooks.cwd?.()).toBe(process.cwd());
    expect(nodeHostHooks.mainEntry?.()).toBe(process.argv[1]);
  }, IO_TIMEOUT_MS);
});

describe.skipIf(!hasPython)("formatting agrees with CPython on generated inputs", () => {
  test("strftime and format specs over random dates, numbers and specs", () => {
    const N = Number(process.env["ML_DASH_FORMAT_FUZZ"] ?? 300); // raise it to search harder
    const directives = "a A b B c d D e f F H I j m M p R S T u U w W x X y Y %".split(" ");
    const dates = fc.sample(fc.date({ min: new Date(1971, 0, 1), max: new Date(2099, 11, 31), noInvalidDate: true }), N);
    const formats = fc.sample(fc.array(fc.constantFrom(...directives.map((x) => `%${x}`), "/", "-", ".", " "), { minLength: 1, maxLength: 6 }).map((a) => a.join("")), N);
    const specs = fc.sample(
      fc.record({
        align: fc.constantFrom("", "<", ">", "^", "*>", "0="),
        sign: fc.constantFrom("", "+", " "),
        zero: fc.constantFrom("", "0"),
        width: fc.constantFrom("", "1", "5", "12"),
        group: fc.constantFrom("", ",", "_"),
        type: fc.constantFrom("", "d", "x", "o", "b", "f", ".0f", ".1f", ".2f", "e", ".0e", ".3e", "g", ".2g", ".1%", "%", ".3"),
      }).map((r) => `${r.align}${r.sign}${r.zero}${r.width}${r.group}${r.type}`.replace(/[,_](?=[xob])/, "")),
      N,
    );
    // Integers, doubles, and exact binary ties (where Python rounds half to even and JavaScript up).
    const ties = [0.5, 1.5, 2.5, 0.125, 0.375, 2.675, 1.25e-5, 1234.5, 0.045, 5e-324];
    const numbers = fc.sample(
      fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ min: -1e7, max: 1e7, noNaN: true }), fc.constantFrom(...ties, ...ties.map((t) => -t))),
      N,
    );
    const cases = dates.map((d, i) => ({
      date: [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds() * 1000],
      format: formats[i] as string,
      int: numbers[i] as number,
      spec: specs[i] as string,
    }));
    const expected = JSON.parse(
      python(
        `import sys, json, datetime
out = []
for c in json.load(sys.stdin):
    d = datetime.datetime(*c["date"])
    try:
        v = format(c["int"], c["spec"])
    except Exception as e:
        v = "error"
    out.append([d.strftime(c["format"]), v])
print(json.dumps(out))`,
        JSON.stringify(cases),
      ),
    ) as [string, string][];
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const [ys, ms, ds, h, mi, s, us] = c.date as [number, number, number, number, number, number, number];
      const date = new Date(ys, ms - 1, ds, h, mi, s, us / 1000);
      const [pyDate, pyInt] = expected[i] as [string, string];
      if (strftime(date, c.format) !== pyDate) wrong.push(`${date.toISOString()} ${c.format}: ${strftime(date, c.format)} ≠ ${pyDate}`);
      let ours: string;
      try {
        ours = formatValue(c.int, c.spec);
      } catch {
        ours = "error";
      }
      if (ours !== pyInt) wrong.push(`format(${c.int}, "${c.spec}"): ${ours} ≠ ${pyInt}`);
    });
    expect(wrong).toEqual([]);
  }, IO_TIMEOUT_MS);
});
