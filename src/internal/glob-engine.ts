/**
 * The one glob matcher. Both glob dialects of the project compile to it: files' fnmatch patterns
 * (`src/files/glob.ts`) and the dashboard's shell-style `.dashrc` globs (`src/dashboard/glob.ts`).
 *
 * A pattern becomes a small automaton (Thompson's construction) and a name is matched by
 * carrying the set of places the pattern can be at, one character at a time. Nothing is ever
 * retried, so a match takes at most `(name length + 1) × (2 × size + 1)` steps for a program of
 * `size` states, whatever the pattern: `*?*?*?*?*?*?*?*?#`, which a backtracking regular expression needs
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
  /** One character (a UTF-16 code unit) that `test` accepts (`code`: exactly that one). */
  | { kind: "char"; test: (code: number) => boolean; code?: number }
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
  code?: number;
  slash?: boolean;
  outs?: number[];
}

/** Most sets of states (and most moves) a program remembers; past them it computes each move. */
const MAX_CACHED = 4096;
/** Most state numbers the remembered sets hold together (64 KiB a program). */
const MAX_CACHED_STATES = 16_384;

/** A set of states met while matching, with its moves by character (null: no match possible). */
interface Dfa {
  readonly set: Int32Array;
  readonly accept: boolean;
  /** Moves by ASCII character (an array is faster than a map); other characters in `moves`. */
  readonly ascii: (Dfa | null | undefined)[];
  readonly moves: Map<number, Dfa | null>;
}

/** A step counter: `match` adds the steps it took (tests bound them; nothing reads the clock). */
export interface GlobSteps {
  count: number;
}

/** A compiled pattern. */
export class GlobProgram {
  private readonly states: State[] = [];
  private readonly start: number;
  // The states flattened into typed arrays for the matching loop (no allocation per character).
  private readonly op: Uint8Array;
  private readonly nxt: Int32Array;
  /** A literal state's character code, else -1 (then `test` decides). */
  private readonly lit: Int32Array;
  private readonly cross: Uint8Array;
  private readonly mark: Int32Array;
  private readonly lists: [Int32Array, Int32Array];
  private readonly stack: Int32Array;
  private gen = 0;
  /** The DFA built so far: its start, its nodes by set, and how many moves it remembers. */
  private first: Dfa | undefined;
  private readonly nodes = new Map<string, Dfa>();
  private cached = 0;
  private cachedStates = 0;

  constructor(parts: readonly GlobPart[]) {
    const end = this.push({ op: MATCH, next: -1 });
    this.start = this.sequence(parts, end);
    const n = this.states.length;
    this.op = Uint8Array.from(this.states, (s) => s.op);
    this.nxt = Int32Array.from(this.states, (s) => s.next);
    this.lit = Int32Array.from(this.states, (s) => s.code ?? -1);
    this.cross = Uint8Array.from(this.states, (s) => (s.slash ? 1 : 0));
    this.mark = new Int32Array(n).fill(-1);
    this.lists = [new Int32Array(n), new Int32Array(n)];
    // Each state is entered once per character and pushes at most its exits.
    this.stack = new Int32Array(1 + this.states.reduce((k, s) => k + (s.outs?.length ?? 1), 0));
  }

  /** Number of states: a match takes at most `(name length + 1) × (2 × size + 1)` steps. */
  get size(): number {
    return this.states.length;
  }

  /**
   * True when the whole of `text` matches; `steps.count` grows by the steps taken (at most
   * `(text.length + 1) × (2 × size + 1)`). The sets of states met are remembered with their
   * moves by character (a lazily built DFA, at most {@link MAX_CACHED} sets), so listing a
   * thousand names against one pattern costs about a lookup per character.
   */
  match(text: string, steps?: GlobSteps): boolean {
    const work = { taken: 0 };
    let d: Dfa | null = this.first ?? (this.first = this.node(this.closure(work)));
    for (let i = 0; i < text.length && d !== null; i++) {
      const c = text.charCodeAt(i);
      work.taken++;
      let nd: Dfa | null | undefined = c < 128 ? d.ascii[c] : d.moves.get(c);
      if (nd === undefined) {
        nd = this.move(d.set, c, work);
        if (this.cached < MAX_CACHED) {
          if (c < 128) d.ascii[c] = nd;
          else d.moves.set(c, nd);
          this.cached++;
        }
      }
      d = nd;
    }
    if (steps) steps.count += work.taken;
    return d !== null && d.accept;
  }

  /** The set of states from the start, before any character. */
  private closure(work: { taken: number }): Int32Array {
    const gen = ++this.gen;
    const len = this.add(this.start, this.lists[0], 0, gen, work);
    return this.lists[0].slice(0, len).sort();
  }

  /** The set after reading `c` from `set` (sorted), or null when nothing can match any more. */
  private move(set: Int32Array, c: number, work: { taken: number }): Dfa | null {
    const { op, nxt, lit, cross, states } = this;
    const out = this.lists[1];
    const gen = ++this.gen;
    let len = 0;
    for (let j = 0; j < set.length; j++) {
      const s = set[j] as number;
      work.taken++;
      const o = op[s];
      if (o === CHAR) {
        const l = lit[s] as number;
        if (l >= 0 ? c === l : (states[s] as State).test?.(c)) len = this.add(nxt[s] as number, out, len, gen, work);
      } else if (o === STAR && (cross[s] === 1 || c !== SLASH)) len = this.add(s, out, len, gen, work);
    }
    return len === 0 ? null : this.node(out.slice(0, len).sort());
  }

  /** The remembered node of a sorted set (a new one when it was not met, or the cache is full). */
  private node(set: Int32Array): Dfa {
    const key = set.join(",");
    let d = this.nodes.get(key);
    if (!d) {
      d = { set, accept: set.some((s) => this.op[s] === MATCH), ascii: new Array<Dfa | null | undefined>(128), moves: new Map() };
      if (this.nodes.size < MAX_CACHED && this.cachedStates + set.length <= MAX_CACHED_STATES) {
        this.nodes.set(key, d);
        this.cachedStates += set.length;
      }
    }
    return d;
  }

  /** Adds `from` and what it reaches without a character to `list` (`len` entries so far); returns the new length. */
  private add(from: number, list: Int32Array, len: number, gen: number, work: { taken: number }): number {
    const { op, nxt, mark, stack, states } = this;
    let sp = 0;
    stack[sp++] = from;
    while (sp > 0) {
      const s = stack[--sp] as number;
      if (mark[s] === gen) continue;
      mark[s] = gen;
      work.taken++;
      if (op[s] === SPLIT) {
        const outs = (states[s] as State).outs as number[];
        for (let k = outs.length - 1; k >= 0; k--) stack[sp++] = outs[k] as number;
      } else {
        list[len++] = s;
        if (op[s] === STAR) stack[sp++] = nxt[s] as number;
      }
    }
    return len;
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
        return this.push({ op: CHAR, test: p.test, ...(p.code === undefined ? {} : { code: p.code }), next });
      case "star":
        return this.push({ op: STAR, slash: p.slash, next });
      case "dirs": {
        const slash = this.push({ op: CHAR, code: SLASH, next });
        const run = this.push({ op: STAR, slash: true, next: slash });
        return this.push({ op: SPLIT, outs: [next, run], next: -1 });
      }
      case "alt":
        return this.push({ op: SPLIT, outs: p.options.map((o) => this.sequence(o, next)), next: -1 });
    }
  }
}

/** A part for one literal character (matched by code, the fast path). */
export function literalPart(code: number): GlobPart {
  return { kind: "char", code, test: (c) => c === code };
}

/** Refuses a pattern over {@link MAX_PATTERN_LENGTH} characters with a ValidationError naming `field`. */
export function checkPatternLength(pattern: string, field = "pattern"): void {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ValidationError(`Invalid ${field}: it is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`, { field });
  }
}

/** A cache of compiled programs by pattern (cleared when it reaches 256: each remembers up to 64 KiB of moves). */
export function programCache(compile: (pattern: string) => GlobProgram): (pattern: string) => GlobProgram {
  const cache = new Map<string, GlobProgram>();
  return (pattern) => {
    let prog = cache.get(pattern);
    if (!prog) {
      prog = compile(pattern);
      if (cache.size >= 256) cache.clear();
      cache.set(pattern, prog);
    }
    return prog;
  };
}
