/**
 * The one glob matcher. Both glob dialects of the project compile to it: files' fnmatch patterns
 * (`src/files/glob.ts`) and the dashboard's shell-style `.dashrc` globs (`src/dashboard/glob.ts`).
 *
 * A pattern becomes a small automaton (Thompson's construction) and a name is matched by
 * carrying the set of places the pattern can be at, one character at a time. Nothing is ever
 * retried, so a match takes at most `(name length + 1) × 2 × size` steps for a program of `size`
 * states, whatever the pattern: `*?*?*?*?*?*?*?*?#`, which a backtracking regular expression needs
 * tens of seconds for against a 64-character name, is a few thousand steps. It decides the same
 * matches as CPython's `fnmatch.translate` regex with its lookahead-and-backreference commits,
 * and also where that trick does not apply (`**` + `/` between texts, `{a,b}` alternatives of
 * different lengths).
 */

import { ValidationError } from "../errors.ts";

/** Longest pattern accepted (a pattern is a name with wildcards: names are at most 1024 bytes). */
export const MAX_PATTERN_LENGTH = 1024;

/** One piece of a parsed pattern. */
export type GlobPart =
  /** One character (a UTF-16 code unit) that `test` accepts. */
  | { kind: "char"; test: (code: number) => boolean }
  /** Any run of characters; with `slash: false` a run without `/`. */
  | { kind: "star"; slash: boolean }
  /** `**` + `/`: nothing, or any run of characters that ends with `/`. */
  | { kind: "dirs" }
  /** One of several sequences (`{a,b}`). */
  | { kind: "alt"; options: GlobPart[][] };

const CHAR = 0;
const STAR = 1;
const SPLIT = 2;
const MATCH = 3;
const SLASH = 47;

interface State {
  op: typeof CHAR | typeof STAR | typeof SPLIT | typeof MATCH;
  next: number;
  test?: (code: number) => boolean;
  slash?: boolean;
  outs?: number[];
}

/** A step counter: `match` adds the steps it took (tests bound them; nothing reads the clock). */
export interface GlobSteps {
  count: number;
}

/** A compiled pattern. */
export class GlobProgram {
  private readonly states: State[] = [];
  private readonly start: number;
  private readonly mark: Int32Array;
  private gen = 0;

  constructor(parts: readonly GlobPart[]) {
    const end = this.push({ op: MATCH, next: -1 });
    this.start = this.sequence(parts, end);
    this.mark = new Int32Array(this.states.length).fill(-1);
  }

  /** Number of states: a match takes at most `(name length + 1) × 2 × size` steps. */
  get size(): number {
    return this.states.length;
  }

  /** True when the whole of `text` matches; `steps.count` grows by the steps taken. */
  match(text: string, steps?: GlobSteps): boolean {
    let taken = 0;
    let cur: number[] = [];
    const add = (from: number, list: number[]): void => {
      const stack = [from];
      while (stack.length > 0) {
        const s = stack.pop() as number;
        if (this.mark[s] === this.gen) continue;
        this.mark[s] = this.gen;
        taken++;
        const st = this.states[s] as State;
        if (st.op === SPLIT) for (let k = (st.outs as number[]).length - 1; k >= 0; k--) stack.push((st.outs as number[])[k] as number);
        else {
          list.push(s);
          if (st.op === STAR) stack.push(st.next);
        }
      }
    };
    this.gen++;
    add(this.start, cur);
    for (let i = 0; i < text.length && cur.length > 0; i++) {
      const c = text.charCodeAt(i);
      const next: number[] = [];
      this.gen++;
      for (const s of cur) {
        taken++;
        const st = this.states[s] as State;
        if (st.op === CHAR && (st.test as (code: number) => boolean)(c)) add(st.next, next);
        else if (st.op === STAR && (st.slash || c !== SLASH)) add(s, next);
      }
      cur = next;
    }
    if (steps) steps.count += taken;
    return cur.some((s) => (this.states[s] as State).op === MATCH);
  }

  private push(st: State): number {
    this.states.push(st);
    return this.states.length - 1;
  }

  /** Builds `parts` back to front; returns the state to start from, which ends at `next`. */
  private sequence(parts: readonly GlobPart[], next: number): number {
    for (let i = parts.length - 1; i >= 0; i--) next = this.part(parts[i] as GlobPart, next);
    return next;
  }

  private part(p: GlobPart, next: number): number {
    switch (p.kind) {
      case "char":
        return this.push({ op: CHAR, test: p.test, next });
      case "star":
        return this.push({ op: STAR, slash: p.slash, next });
      case "dirs": {
        const slash = this.push({ op: CHAR, test: (c) => c === SLASH, next });
        const run = this.push({ op: STAR, slash: true, next: slash });
        return this.push({ op: SPLIT, outs: [next, run], next: -1 });
      }
      case "alt":
        return this.push({ op: SPLIT, outs: p.options.map((o) => this.sequence(o, next)), next: -1 });
    }
  }
}

/** Refuses a pattern over {@link MAX_PATTERN_LENGTH} characters with a ValidationError naming `field`. */
export function checkPatternLength(pattern: string, field = "pattern"): void {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ValidationError(`Invalid ${field}: it is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`, { field });
  }
}

/** A cache of compiled programs by pattern (cleared when it grows past 1000). */
export function programCache(compile: (pattern: string) => GlobProgram): (pattern: string) => GlobProgram {
  const cache = new Map<string, GlobProgram>();
  return (pattern) => {
    let prog = cache.get(pattern);
    if (!prog) {
      prog = compile(pattern);
      if (cache.size > 1000) cache.clear();
      cache.set(pattern, prog);
    }
    return prog;
  };
}
