// The dashboard's glob before issue 14 (a backtracking RegExp; ~46 s on *?*?*?*?*?*?*?*?# against a 64-character name), kept as the oracle of glob.test.ts.
/**
 * Globs of `.dashrc` media charts and `metrics.fields` (`**\/*.{png,jpg}`, `train*`): `*` and `?`
 * stay within one `/` segment, `**` spans segments (and `**\/` may match none), `{a,b}` picks one
 * of its alternatives. (Files' own `list()` uses fnmatch rules; `.dashrc` globs are shell-style.)
 */

const cache = new Map<string, RegExp>();

/** Compiles a glob to an anchored regular expression (cached). */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = "";
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          src += "(?:.*/)?";
        } else src += ".*";
      } else src += "[^/]*";
    } else if (c === "?") src += "[^/]";
    else if (c === "{") {
      depth++;
      src += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      src += ")";
    } else if (c === "," && depth > 0) src += "|";
    else src += /[\\^$.+()[\]|{}]/.test(c) ? "\\" + c : c;
  }
  re = new RegExp(`^${src}${")".repeat(depth)}$`);
  cache.set(glob, re);
  return re;
}

/** True when `path` matches `glob`. */
export function globMatch(glob: string, path: string): boolean {
  return globToRegExp(glob).test(path);
}
