// The matcher before issue 14 (exponential on some patterns), kept as the oracle of glob.test.ts.
/**
 * File patterns with Python's `fnmatch` semantics (what ML-Dash Python's `list(pattern)` uses):
 * `*` matches any run of characters **including `/`**, `?` one character, `[abc]` / `[a-z]` /
 * `[!abc]` a class; matching is case-sensitive and anchored. On top of that `**` is accepted:
 * `**` matches like `*`, and `**` followed by `/` may also match no folder at all, so the
 * pattern "**" + "/*.png" matches `a.png` as well as `x/y/a.png`.
 */

const cache = new Map<string, RegExp>();

function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? "\\" + ch : ch;
}

/** Compiles a pattern to an anchored regular expression (cached). */
export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let src = "";
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
        src += "(?:[\\s\\S]*/)?"; // "**/": any folders, or none
      } else src += "[\\s\\S]*";
    } else if (c === "?") src += "[\\s\\S]";
    else if (c === "[") {
      // fnmatch: "[" without a closing "]" is a literal; "]" right after "[" or "[!" is a member.
      let j = i;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      while (j < n && pattern[j] !== "]") j++;
      if (j >= n) {
        src += "\\[";
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
      src += negate ? `[^${cls}]` : `[${cls}]`;
    } else src += escapeRe(c);
  }
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
