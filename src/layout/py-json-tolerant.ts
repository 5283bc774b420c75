/**
 * A JSON parser that also accepts Python's bare `NaN`, `Infinity` and `-Infinity` tokens, for
 * the documents `JSON.parse` refuses or cannot read exactly (see `parsePyJson`): integers beyond
 * 2^53 become `bigint`s, and with `exact`, a number whose text our writer would not reproduce
 * (`1.0`, `1e-05`) becomes an {@link ExactNumber}.
 */
import { ExactNumber, intToken } from "../model/exact.ts";
import { pyNumber } from "./py-json.ts";

/** Parses `text` as JSON with Python's non-finite tokens; throws `SyntaxError` naming the position. */
export function parseTolerantJson(text: string, exact = false): unknown {
  return new TolerantParser(text, exact).parseDocument();
}

/** The value of one JSON number token. */
export function numberToken(tok: string, exact: boolean): number | bigint | ExactNumber {
  if (!/[.eE]/.test(tok)) return intToken(tok);
  const n = Number(tok);
  // -0.0 too: msgpack would send a number -0 as the integer 0.
  return exact && (pyNumber(n) !== tok || (n === 0 && 1 / n < 0)) ? new ExactNumber(tok) : n;
}

class TolerantParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly exact: boolean,
  ) {}

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
    return numberToken(m[0], this.exact);
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
      // As JSON.parse does: "__proto__" is an own key, never the object's prototype.
      if (k === "__proto__") Object.defineProperty(out, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
      else out[k] = this.value();
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return out;
      if (c !== ",") this.fail('expected "," or "}"');
    }
  }
}
