/**
 * The runs table's filter language, parsed by hand (never `eval`):
 *
 *   lr < 0.01 and status = COMPLETED
 *   (optimizer = adam or optimizer = sgd) and not tags ~ baseline
 *   train.loss.min <= 0.2 and duration > 60
 *
 * Comparisons `<`, `<=`, `>`, `>=`, `=` (`==`), `!=` and `~` (contains, case-insensitive) take a
 * column name on the left (letters, digits, `_`, `.`, `-`, `/`) and a number, a quoted string or
 * a bare word on the right; `and` binds tighter than `or`; `not` and parentheses as usual. A
 * name the table does not know, or a malformed expression, is a {@link FilterError} that says
 * where.
 */

/** A parsed expression: a predicate over a row's value lookup. */
export type Predicate = (get: (name: string) => unknown) => boolean;

/** A filter that does not parse, with the character offset of the problem. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
    this.name = "FilterError";
  }
}

type Tok = { k: "name" | "num" | "str" | "op" | "(" | ")" | "end"; v: string; at: number };

const OPS = ["<=", ">=", "!=", "==", "<", ">", "=", "~"];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(" || c === ")") {
      out.push({ k: c, v: c, at: i++ });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ k: "op", v: op === "==" ? "=" : op, at: i });
      i += op.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new FilterError(`Unclosed quote starting at ${i + 1}`, i);
      out.push({ k: "str", v: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z0-9_.\-/+:]+/.exec(src.slice(i));
    if (!m) throw new FilterError(`Unexpected "${c}" at ${i + 1}`, i);
    const word = m[0];
    out.push({ k: /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(word) ? "num" : "name", v: word, at: i });
    i += word.length;
  }
  out.push({ k: "end", v: "", at: src.length });
  return out;
}

/** Compares a cell with a literal: numbers numerically, everything else as text (case-insensitive). */
function compare(cell: unknown, op: string, lit: string, litIsNum: boolean): boolean {
  if (cell === undefined || cell === null) return op === "!=";
  if (op === "~") {
    const text = Array.isArray(cell) ? cell.join(" ") : typeof cell === "string" ? cell : JSON.stringify(cell);
    return text.toLowerCase().includes(lit.toLowerCase());
  }
  if (Array.isArray(cell)) return op === "=" ? cell.some((x) => String(x).toLowerCase() === lit.toLowerCase()) : op === "!=" ? !cell.some((x) => String(x).toLowerCase() === lit.toLowerCase()) : false;
  const n = Number(lit);
  if (typeof cell === "number" && litIsNum) return op === "<" ? cell < n : op === "<=" ? cell <= n : op === ">" ? cell > n : op === ">=" ? cell >= n : op === "=" ? cell === n : cell !== n;
  if (typeof cell === "boolean") return op === "=" ? String(cell) === lit.toLowerCase() : op === "!=" ? String(cell) !== lit.toLowerCase() : false;
  const a = (typeof cell === "string" ? cell : JSON.stringify(cell)).toLowerCase();
  const b = lit.toLowerCase();
  return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : op === ">=" ? a >= b : op === "=" ? a === b : a !== b;
}

/**
 * Parses a filter. `known` tells whether a column name exists; an empty expression matches
 * every row.
 */
export function parseFilter(src: string, known: (name: string) => boolean): Predicate {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok => toks[p] as Tok;
  const word = (t: Tok, w: string): boolean => t.k === "name" && t.v.toLowerCase() === w;

  const orExpr = (): Predicate => {
    let left = andExpr();
    while (word(peek(), "or")) {
      p++;
      const l = left;
      const r = andExpr();
      left = (g) => l(g) || r(g);
    }
    return left;
  };
  const andExpr = (): Predicate => {
    let left = notExpr();
    while (word(peek(), "and")) {
      p++;
      const l = left;
      const r = notExpr();
      left = (g) => l(g) && r(g);
    }
    return left;
  };
  const notExpr = (): Predicate => {
    if (word(peek(), "not")) {
      p++;
      const inner = notExpr();
      return (g) => !inner(g);
    }
    return atom();
  };
  const atom = (): Predicate => {
    const t = peek();
    if (t.k === "(") {
      p++;
      const inner = orExpr();
      if (peek().k !== ")") throw new FilterError(`Expected ")" at ${peek().at + 1}`, peek().at);
      p++;
      return inner;
    }
    if (t.k !== "name") throw new FilterError(t.k === "end" ? "Expected a column name at the end" : `Expected a column name at ${t.at + 1}, got "${t.v}"`, t.at);
    if (!known(t.v)) throw new FilterError(`Unknown column "${t.v}"`, t.at);
    p++;
    const op = peek();
    if (op.k !== "op") throw new FilterError(`Expected a comparison (<, <=, >, >=, =, !=, ~) after "${t.v}" at ${op.at + 1}`, op.at);
    p++;
    const lit = peek();
    if (lit.k !== "num" && lit.k !== "str" && lit.k !== "name") throw new FilterError(`Expected a value after "${op.v}" at ${lit.at + 1}`, lit.at);
    p++;
    const name = t.v;
    const isNum = lit.k === "num";
    return (g) => compare(g(name), op.v, lit.v, isNum);
  };

  if (peek().k === "end") return () => true;
  const pred = orExpr();
  if (peek().k !== "end") throw new FilterError(`Unexpected "${peek().v}" at ${peek().at + 1}`, peek().at);
  return pred;
}
