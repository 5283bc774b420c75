/**
 * The string literals of Python source files, read with Python's own literal rules (prefixes,
 * single and triple quotes, escapes, comments), so tests can pull the GraphQL documents ML-Dash
 * Python sends out of its sources instead of copying them by hand.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** One string literal: its text (escapes resolved for the common cases), file and line. */
export interface PythonString {
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "\n": "" };

/** Every string literal in `source` (f-strings included, with their braces as written). */
export function pythonStrings(source: string, file = "<source>"): PythonString[] {
  const out: PythonString[] = [];
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    // A literal starts with a quote, maybe after a prefix (r, b, u, f, rb, br, fr, rf) that is
    // not the tail of an identifier.
    const prefix = /^([rRbBuUfF]{0,2})(['"])/.exec(source.slice(i, i + 3));
    if (!prefix || (prefix[1] && i > 0 && /[\w]/.test(source[i - 1] as string))) {
      i++;
      continue;
    }
    const raw = /r/i.test(prefix[1] as string);
    const quote = prefix[2] as string;
    let j = i + (prefix[1] as string).length;
    const triple = source.startsWith(quote.repeat(3), j);
    const close = triple ? quote.repeat(3) : quote;
    j += close.length;
    const startLine = line;
    let text = "";
    while (j < source.length && !source.startsWith(close, j)) {
      const ch = source[j] as string;
      if (ch === "\\" && j + 1 < source.length) {
        const next = source[j + 1] as string;
        text += raw ? ch + next : (ESCAPES[next] ?? ch + next);
        if (next === "\n") line++;
        j += 2;
        continue;
      }
      if (ch === "\n") {
        if (!triple) break; // an unterminated one-line string: stop at the line's end
        line++;
      }
      text += ch;
      j++;
    }
    out.push({ text, file, line: startLine });
    i = j + close.length;
  }
  return out;
}

/** The `.py` files under `dir`, recursively, sorted. */
export function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pythonFiles(p));
    else if (name.endsWith(".py")) out.push(p);
  }
  return out;
}

/**
 * Every GraphQL document in the Python package at `dir`: string literals that start (after
 * whitespace) with `query`, `mutation` or `subscription` and hold a whole selection (`{ … }`), so
 * a piece a command glues together (`"mutation { " + body + " }"`) is not one.
 */
export function graphqlDocuments(dir: string): PythonString[] {
  const docs: PythonString[] = [];
  for (const path of pythonFiles(dir)) {
    for (const s of pythonStrings(readFileSync(path, "utf8"), relative(dir, path))) {
      if (/^\s*(query|mutation|subscription)\b[^{]*\{[\s\S]*\}\s*$/.test(s.text)) docs.push(s);
    }
  }
  return docs;
}
