/**
 * Globs of `.dashrc` media charts and `metrics.fields` (`**\/*.{png,jpg}`, `train*`): `*` and `?`
 * stay within one `/` segment, `**` spans segments (and `**\/` may match none), `{a,b}` picks one
 * of its alternatives (an unclosed `{` ends with the pattern). (Files' own `list()` uses fnmatch
 * rules; `.dashrc` globs are shell-style.) Both compile to the one matcher of
 * `src/internal/glob-engine.ts`, which never backtracks, so a crafted `.dashrc` cannot freeze the
 * tab; patterns over {@link MAX_PATTERN_LENGTH} characters are refused.
 */

import { checkPatternLength, type GlobPart, GlobProgram, type GlobSteps, literalPart, MAX_PATTERN_LENGTH, programCache } from "../internal/glob-engine.ts";

export { MAX_PATTERN_LENGTH };

const SLASH = 47;

/** The glob as parts of the one matcher. */
function parse(glob: string): GlobPart[] {
  const top: GlobPart[] = [];
  // Open `{` groups: the alternatives so far, the current one last.
  const groups: GlobPart[][][] = [];
  const seq = (): GlobPart[] => {
    const g = groups[groups.length - 1];
    return g ? (g[g.length - 1] as GlobPart[]) : top;
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          seq().push({ kind: "dirs" });
        } else seq().push({ kind: "star", slash: true });
      } else seq().push({ kind: "star", slash: false });
    } else if (c === "?") seq().push({ kind: "char", test: (code) => code !== SLASH });
    else if (c === "{") groups.push([[]]);
    else if (c === "}" && groups.length > 0) {
      const options = groups.pop() as GlobPart[][];
      seq().push({ kind: "alt", options });
    } else if (c === "," && groups.length > 0) (groups[groups.length - 1] as GlobPart[][]).push([]);
    else {
      seq().push(literalPart(c.charCodeAt(0)));
    }
  }
  while (groups.length > 0) {
    const options = groups.pop() as GlobPart[][];
    seq().push({ kind: "alt", options });
  }
  return top;
}

/** A fresh program for `glob`, not cached (the tests count the steps of a first match on it). */
export function compileGlob(glob: string): GlobProgram {
  checkPatternLength(glob, "glob");
  return new GlobProgram(parse(glob));
}

const compiled = programCache(compileGlob);

/** True when `path` matches `glob`; `steps` counts the work. */
export function globMatch(glob: string, path: string, steps?: GlobSteps): boolean {
  return compiled(glob).match(path, steps);
}
