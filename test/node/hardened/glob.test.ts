/**
 * Issue 14 item 7, as the attack, for both glob dialects: the files' fnmatch patterns (the
 * server runs them per file on `?pattern=`) and the dashboard's `.dashrc` globs (a crafted one
 * froze the tab for 46 s). Both compile to the one matcher of `src/internal/glob-engine.ts`.
 * The patterns that froze them are now a bounded number of steps: each match is counted by the
 * matcher itself (never timed) and must stay within `(name length + 1) × (2 × states + 1)`; random
 * patterns (fast-check) get the same answers as the matchers before, kept as oracles in
 * `glob-before.ts` and `dashboard-glob-before.ts`; over-long patterns are refused.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as files from "../../../src/files/glob.ts";
import * as dash from "../../../src/dashboard/glob.ts";
import { parseDashRc } from "../../../src/dashboard/dashrc.ts";
import { ValidationError } from "../../../src/errors.ts";
import type { GlobProgram } from "../../../src/internal/glob-engine.ts";
import { globMatch as filesBefore } from "./glob-before.ts";
import { globMatch as dashBefore } from "./dashboard-glob-before.ts";

const NAME = "experiment-2024-05-01-run-0042-checkpoint-epoch-0100-final-weights";

/**
 * Matches `text` on a fresh program (the first match pays for every set of states it meets, the
 * worst case), checks the steps against the bound the matcher promises, and checks the cached
 * program used by `globMatch` answers the same.
 */
function boundedMatch(fresh: GlobProgram, cached: (text: string) => boolean, text: string): boolean {
  const steps = { count: 0 };
  const hit = fresh.match(text, steps);
  expect(steps.count).toBeGreaterThan(0);
  expect(steps.count, `steps for ${text.length} characters and ${fresh.size} states`).toBeLessThanOrEqual((text.length + 1) * (2 * fresh.size + 1));
  expect(cached(text)).toBe(hit);
  return hit;
}

const ATTACKS = [
  "*?*?*?*?*?*?*?*?#",
  "*a*a*a*a*a*a*a*a*a*a*a*b",
  "**/**/**/**/**/**/**/**/#",
  `${"*?".repeat(100)}#`,
  `${"**/x".repeat(12)}#`, // a free `**/` between texts: 23 s for the lookahead-and-backreference regex
  `${"*-".repeat(200)}#`,
];
const TEXTS = [NAME, `${NAME}#`, "x/".repeat(32), `${"x/".repeat(32)}#`, "-".repeat(1000)];

describe("the attack patterns take a bounded number of steps", () => {
  test.each(ATTACKS)("files: %s", (pattern) => {
    expect(files.compileGlob(pattern).size).toBeLessThanOrEqual(3 * pattern.length + 1);
    for (const text of TEXTS) boundedMatch(files.compileGlob(pattern), (t) => files.globMatch(pattern, t), text);
    expect(files.globMatch(pattern, NAME)).toBe(false);
  });

  test.each([...ATTACKS, "{*,?}{*,?}{*,?}{*,?}{*,?}{*,?}{*,?}{*,?}#", `${"{a,*}".repeat(50)}b`, "**/*.{png,jpg}"])("dashboard: %s", (glob) => {
    expect(dash.compileGlob(glob).size).toBeLessThanOrEqual(3 * glob.length + 1);
    for (const text of TEXTS) boundedMatch(dash.compileGlob(glob), (t) => dash.globMatch(glob, t), text);
    expect(dash.globMatch(glob, NAME)).toBe(false);
  });

  test("the steps grow with the name, not exponentially with the pattern", () => {
    const steps = (n: number) => {
      const s = { count: 0 };
      dash.compileGlob("*?*?*?*?*?*?*?*?#").match("a".repeat(n), s);
      return s.count;
    };
    // Each further character costs the same (the old matcher: ~C(n, 8) tries): 128 more
    // characters cost twice what 64 more did.
    expect(steps(256) - steps(128)).toBeLessThanOrEqual(2 * (steps(128) - steps(64)));
  });
});

describe("over-long patterns are refused", () => {
  test(`files: a pattern over ${files.MAX_PATTERN_LENGTH} characters is a ValidationError naming it`, () => {
    let err: unknown;
    try {
      files.globMatch("*".repeat(files.MAX_PATTERN_LENGTH + 1), "x");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe("pattern");
  });

  test("dashboard: a .dashrc with an over-long glob is reported with its place, and never matched", () => {
    const long = "*?".repeat(dash.MAX_PATTERN_LENGTH);
    const r = parseDashRc(`charts:\n  - ctype: image\n    glob: "${long}"\nmetrics:\n  fields: ["${long}"]\n`, "experiment");
    expect(r.parsed).toBeNull();
    expect(r.errors.map((e) => e.path).sort()).toEqual(["charts[0].glob", "metrics.fields"]);
    expect(() => dash.globMatch(long, NAME)).toThrow(ValidationError);
  });
});

describe("the same answers as before (fast-check)", () => {
  test("files: random patterns and names", () => {
    const ch = fc.constantFrom("a", "b", "/", ".", "-", "]", "!");
    const pch = fc.constantFrom("a", "b", "/", ".", "*", "**", "**/", "?", "[ab]", "[!a]", "[a-c]", "[", "]", "!", "[]a]", "[!]]", "[a-]");
    fc.assert(
      fc.property(fc.array(pch, { maxLength: 8 }), fc.array(ch, { maxLength: 10 }), (p, n) => {
        const pattern = p.join("");
        const name = n.join("");
        const got = boundedMatch(files.compileGlob(pattern), (t) => files.globMatch(pattern, t), name);
        expect(got, `${JSON.stringify(pattern)} ${JSON.stringify(name)}`).toBe(filesBefore(pattern, name));
      }),
      { numRuns: 3000 },
    );
  });

  test("dashboard: random globs and paths", () => {
    // The old `**` was `.*`, which stops at line breaks; names here have none (the new `**` takes any character).
    const ch = fc.constantFrom("a", "b", "/", ".", "-", "{", "}", ",");
    const pch = fc.constantFrom("a", "b", "/", ".", "*", "**", "**/", "?", "{", "}", ",", "{a,b}", "{,a}", "{*,?}", "[", "a.png");
    fc.assert(
      fc.property(fc.array(pch, { maxLength: 8 }), fc.array(ch, { maxLength: 10 }), (p, n) => {
        const glob = p.join("");
        const path = n.join("");
        const got = boundedMatch(dash.compileGlob(glob), (t) => dash.globMatch(glob, t), path);
        expect(got, `${JSON.stringify(glob)} ${JSON.stringify(path)}`).toBe(dashBefore(glob, path));
      }),
      { numRuns: 3000 },
    );
  });
});
