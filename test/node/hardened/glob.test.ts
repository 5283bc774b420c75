/**
 * Issue 14 item 7 (the files' fnmatch globs), as the attack: the patterns that froze the server
 * for 43 s now match at once; the new matcher agrees with the old one on random patterns and
 * names (fast-check); and its regular expression is built so that it cannot backtrack
 * catastrophically: every lazy star is committed by a lookahead and backreference, and at most
 * one star is free to move, plus one per `**` + `/` between texts (checked on the compiled
 * source, not by time).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { globMatch, globToRegExp, MAX_PATTERN_LENGTH } from "../../../src/files/glob.ts";
import { ValidationError } from "../../../src/errors.ts";
import { globMatch as before } from "./glob-before.ts";

const NAME = "experiment-2024-05-01-run-0042-checkpoint-epoch-0100-final-weights";

describe("the attack patterns", () => {
  test.each(["*?*?*?*?*?*?*?*?#", "*a*a*a*a*a*a*a*a*a*a*a*b", "**/**/**/**/**/**/**/**/#", `${"*?".repeat(100)}#`])("%s against a 64-character name: no match, at once", (pattern) => {
    expect(globMatch(pattern, NAME)).toBe(false);
    expect(globMatch(pattern, NAME + "#")).toBe(pattern.length < 20 && !pattern.includes("b"));
  });

  test("the compiled expression leaves at most one star free to backtrack (plus one per `**/` between texts)", () => {
    for (const pattern of ["*?*?*?*?*?*?*?*?#", "a*b*c*d", "**/x*y*z", "*[ab]*?*"]) {
      const src = globToRegExp(pattern).source;
      const committed = src.match(/\(\?=\(/g)?.length ?? 0;
      const stars = src.match(/\[\\s\\S\]\*/g)?.length ?? 0;
      expect(stars - committed, `${pattern}: ${src}`).toBeLessThanOrEqual(1 + (pattern.match(/\*\*\//g)?.length ?? 0));
    }
  });

  test(`a pattern over ${MAX_PATTERN_LENGTH} characters is a ValidationError naming it`, () => {
    expect(() => globMatch("*".repeat(MAX_PATTERN_LENGTH + 1), "x")).toThrow(ValidationError);
  });
});

describe("the same answers as before", () => {
  test("random patterns and names (fast-check)", () => {
    const ch = fc.constantFrom("a", "b", "/", ".", "-", "]", "!");
    const pch = fc.constantFrom("a", "b", "/", ".", "*", "**", "**/", "?", "[ab]", "[!a]", "[a-c]", "[", "]", "!");
    fc.assert(
      fc.property(fc.array(pch, { maxLength: 8 }), fc.array(ch, { maxLength: 10 }), (p, n) => {
        const pattern = p.join("");
        const name = n.join("");
        expect(globMatch(pattern, name), `${JSON.stringify(pattern)} ${JSON.stringify(name)}`).toBe(before(pattern, name));
      }),
      { numRuns: 3000 },
    );
  });
});
