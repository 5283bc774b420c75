/**
 * Reading what Python wrote: JSON that may contain the bare tokens `NaN`, `Infinity` and
 * `-Infinity`, and JSONL files whose last line may be torn by a crash.
 */

/** Parses JSON that may contain Python's `NaN` / `Infinity` / `-Infinity` tokens. */
export function parsePyJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return new TolerantParser(text).parseDocument();
  }
}

class TolerantParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail("unexpected trailing characters");
    return v;
  }

  private fail(what: string): never {
    throw new SyntaxError(`Invalid JSON at position ${this.i}: ${what}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  private value(): unknown {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (s.startsWith("NaN", this.i)) return (this.i += 3), NaN;
    if (s.startsWith("Infinity", this.i)) return (this.i += 8), Infinity;
    if (s.startsWith("-Infinity", this.i)) return (this.i += 9), -Infinity;
    if (s.startsWith("true", this.i)) return (this.i += 4), true;
    if (s.startsWith("false", this.i)) return (this.i += 5), false;
    if (s.startsWith("null", this.i)) return (this.i += 4), null;
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(this.i, this.i + 64));
    if (!m) this.fail(`unexpected "${c ?? "end of input"}"`);
    this.i += m[0].length;
    return Number(m[0]);
  }

  private string(): string {
    const s = this.s;
    let j = this.i + 1;
    while (j < s.length) {
      const c = s[j];
      if (c === "\\") j += 2;
      else if (c === '"') break;
      else j++;
    }
    if (j >= s.length) this.fail("unterminated string");
    const out = JSON.parse(s.slice(this.i, j + 1)) as string;
    this.i = j + 1;
    return out;
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === "]") return this.i++, out;
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return out;
      if (c !== ",") this.fail('expected "," or "]"');
    }
  }

  private object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === "}") return this.i++, out;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expected a key");
      const k = this.string();
      this.ws();
      if (this.s[this.i++] !== ":") this.fail('expected ":"');
      out[k] = this.value();
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return out;
      if (c !== ",") this.fail('expected "," or "}"');
    }
  }
}

/** The result of reading a JSONL file. */
export interface JsonLines<T> {
  /** Parsed records in file order. */
  records: T[];
  /** Lines that did not parse (a torn last line after a crash counts here). */
  skipped: number;
}

const decoder = new TextDecoder();

/**
 * Parses JSONL bytes or text. A line that does not parse (typically a torn last line after a
 * crash) is skipped and counted; the records around it are kept.
 */
export function parseJsonLines<T = unknown>(input: Uint8Array | string): JsonLines<T> {
  const text = typeof input === "string" ? input : decoder.decode(input);
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const nonEmpty = lines.filter((l) => l.trim() !== "");
  if (nonEmpty.length === 0) return { records: [], skipped: 0 };
  // Fast path: one JSON.parse over the whole file.
  try {
    return { records: JSON.parse("[" + nonEmpty.join(",") + "]") as T[], skipped: 0 };
  } catch {
    // fall through to line-by-line (NaN tokens or a torn line)
  }
  const records: T[] = [];
  let skipped = 0;
  for (const line of nonEmpty) {
    try {
      records.push(parsePyJson(line) as T);
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}
