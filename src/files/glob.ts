/**
 * File patterns with Python's `fnmatch` semantics (what ML-Dash Python's `list(pattern)` uses):
 * `*` matches any run of characters **including `/`**, `?` one character, `[abc]` / `[a-z]` /
 * `[!abc]` a class; matching is case-sensitive and anchored. On top of that `**` is accepted:
 * `**` matches like `*`, and `**` followed by `/` may also match no folder at all, so the
 * pattern "**" + "/*.png" matches `a.png` as well as `x/y/a.png`.
 */

import { ValidationError } from "../errors.ts";

/** Longest pattern accepted (a pattern is a name with wildcards: names are at most 1024 bytes). */
export const MAX_PATTERN_LENGTH = 1024;

const cache = new Map<string, RegExp>();
const STAR = 0;
const DSTAR_SLASH = 1;
type Token = typeof STAR | typeof DSTAR_SLASH | string;

function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? "\\" + ch : ch;
}

/** The pattern as tokens: stars, `**` + `/`, and single-character regex pieces. */
function tokens(pattern: string): Token[] {
  const out: Token[] = [];
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
      // Runs collapse: "**/**/" is "**/", and a star next to "**/" is a star.
      const last = out[out.length - 1];
      if (stars >= 2 && pattern[i] === "/") {
        i++;
        if (last !== STAR && last !== DSTAR_SLASH) out.push(DSTAR_SLASH);
      } else if (last === DSTAR_SLASH) out[out.length - 1] = STAR;
      else if (last !== STAR) out.push(STAR);
    } else if (c === "?") out.push("[\\s\\S]");
    else if (c === "[") {
      // fnmatch: "[" without a closing "]" is a literal; "]" right after "[" or "[!" is a member.
      let j = i;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      while (j < n && pattern[j] !== "]") j++;
      if (j >= n) {
        out.push("\\[");
        continue;
      }
      let body = pattern.slice(i, j);
      i = j + 1;
      let negate = false;
      if (body.startsWith("!")) {
        negate = true;
        body = body.slice(1);
      }
      let cls = "";
      for (let k = 0; k < body.length; k++) {
        const ch = body[k] as string;
        if (ch === "-" && k > 0 && k < body.length - 1) cls += "-";
        else cls += ch === "\\" || ch === "]" || ch === "[" || ch === "^" || ch === "-" ? "\\" + ch : ch;
      }
      out.push(negate ? `[^${cls}]` : `[${cls}]`);
    } else out.push(escapeRe(c));
  }
  return out;
}

/**
 * Compiles a pattern to an anchored regular expression (cached) that cannot backtrack
 * catastrophically, by CPython's `fnmatch.translate` trick: every fixed part between two stars
 * is matched at its leftmost place and committed there (`(?=([\s\S]*?F))\1`, an atomic group),
 * which is always right because each fixed part has a fixed length; only the last star can
 * move, and its part is anchored at the end. (A part followed by `**` + `/` is left free: runs of
 * `**` + `/` collapse, so only a pattern that alternates them with text has a few free parts.)
 * Patterns over {@link MAX_PATTERN_LENGTH} characters are a {@link ValidationError}.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ValidationError(`Invalid pattern: it is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`, { field: "pattern" });
  }
  const toks = tokens(pattern);
  let i = 0;
  let src = "";
  while (i < toks.length && typeof toks[i] === "string") src += toks[i++] as string;
  const pairs: { wildcard: typeof STAR | typeof DSTAR_SLASH; fixed: string }[] = [];
  while (i < toks.length) {
    const wildcard = toks[i++] as typeof STAR | typeof DSTAR_SLASH;
    let fixed = "";
    while (i < toks.length && typeof toks[i] === "string") fixed += toks[i++] as string;
    pairs.push({ wildcard, fixed });
  }
  let group = 0;
  pairs.forEach(({ wildcard, fixed }, k) => {
    // A fixed part between two full stars is committed at its leftmost place. Before "**/"
    // (which cannot absorb any text) it is not: those few are matched as plain regex.
    const commit = wildcard === STAR && fixed !== "" && k + 1 < pairs.length && pairs[k + 1]?.wildcard === STAR;
    if (commit) src += `(?=([\\s\\S]*?${fixed}))\\${++group}`;
    else src += (wildcard === STAR ? "[\\s\\S]*" : "(?:[\\s\\S]*/)?") + fixed;
  });
  re = new RegExp("^" + src + "$");
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** True when `text` matches `pattern` (see the module doc for the syntax). */
export function globMatch(pattern: string, text: string): boolean {
  return globToRegExp(pattern).test(text);
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
