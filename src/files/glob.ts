/**
 * File patterns with Python's `fnmatch` semantics (what ML-Dash Python's `list(pattern)` uses):
 * `*` matches any run of characters **including `/`**, `?` one character, `[abc]` / `[a-z]` /
 * `[!abc]` a class; matching is case-sensitive and anchored. On top of that `**` is accepted:
 * `**` matches like `*`, and `**` followed by `/` may also match no folder at all, so the
 * pattern "**" + "/*.png" matches `a.png` as well as `x/y/a.png`.
 */

import { checkPatternLength, type GlobPart, GlobProgram, type GlobSteps, literalPart, MAX_PATTERN_LENGTH, programCache } from "../internal/glob-engine.ts";

export { MAX_PATTERN_LENGTH };

const literal = literalPart;

/** A `[...]` class body (after `!`): single characters and `a-z` ranges (an empty range matches nothing). */
function classPart(body: string, negate: boolean): GlobPart {
  const ranges: [number, number][] = [];
  for (let k = 0; k < body.length; k++) {
    const lo = body.charCodeAt(k);
    if (body[k + 1] === "-" && k + 2 < body.length) {
      ranges.push([lo, body.charCodeAt(k + 2)]);
      k += 2;
    } else ranges.push([lo, lo]);
  }
  return { kind: "char", test: (c) => ranges.some(([a, b]) => c >= a && c <= b) !== negate };
}

/** The pattern as parts of the one matcher (`src/internal/glob-engine.ts`). */
function parse(pattern: string): GlobPart[] {
  const out: GlobPart[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i] as string;
    i++;
    if (c === "*") {
      let stars = 1;
      while (pattern[i] === "*") {
        stars++;
        i++;
      }
      if (stars >= 2 && pattern[i] === "/") {
        i++;
        out.push({ kind: "dirs" });
      } else out.push({ kind: "star", slash: true });
    } else if (c === "?") out.push({ kind: "char", test: () => true });
    else if (c === "[") {
      // fnmatch: "[" without a closing "]" is a literal; "]" right after "[" or "[!" is a member.
      let j = i;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      while (j < n && pattern[j] !== "]") j++;
      if (j >= n) {
        out.push(literal(91));
        continue;
      }
      const body = pattern.slice(i, j);
      i = j + 1;
      out.push(body.startsWith("!") ? classPart(body.slice(1), true) : classPart(body, false));
    } else out.push(literal(c.charCodeAt(0)));
  }
  return out;
}

/** A fresh program for `pattern`, not cached (the tests count the steps of a first match on it). */
export function compileGlob(pattern: string): GlobProgram {
  checkPatternLength(pattern);
  return new GlobProgram(parse(pattern));
}

const compiled = programCache(compileGlob);

/** True when `text` matches `pattern` (see the module doc for the syntax); `steps` counts the work. */
export function globMatch(pattern: string, text: string, steps?: GlobSteps): boolean {
  return compiled(pattern).match(text, steps);
}

/** True when a pattern has wildcard characters (`*`, `?` or `[`). */
export function hasWildcards(s: string): boolean {
  return /[*?[]/.test(s);
}

/**
 * Splits an accessor-level pattern as Python does (`"images/*.png"` → folder `images`, pattern
 * `*.png`): the leading segments without wildcards become the folder.
 */
export function splitPattern(pattern: string): { dir: string | undefined; pattern: string } {
  const segs = pattern.replace(/^\/+/, "").split("/");
  const fixed: string[] = [];
  while (segs.length > 1 && !hasWildcards(segs[0] as string)) fixed.push(segs.shift() as string);
  return { dir: fixed.length > 0 ? fixed.join("/") : undefined, pattern: segs.join("/") };
}
