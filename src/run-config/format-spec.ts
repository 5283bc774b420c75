/**
 * Python's format-spec mini-language (`[[fill]align][sign][z][#][0][width][,|_][.precision][type]`)
 * for the values a RUN template holds: integers (`{jobCounter:03d}`), floats, strings, booleans,
 * `None` and dates (the spec of a date is a strftime format: `{now:%Y/%m-%d}`).
 *
 * JavaScript has one number type, so an integral number formats as a Python `int` and any other
 * number as a `float` (so `1e16` formats as the int `10000000000000000`). Rounding is Python's:
 * an exact tie goes to the even digit (`{x:.0f}` of 2.5 is `2`), where JavaScript rounds it up.
 */
import { pyDatetimeStr, strftime } from "./strftime.ts";
import { TemplateError } from "./template-error.ts";

/** A value a template can format. `undefined` and `null` are Python's `None`. */
export type TemplateValue = string | number | bigint | boolean | Date | null | undefined;

interface Spec {
  fill: string;
  align: string | undefined;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string | undefined;
  precision: number | undefined;
  type: string | undefined;
}

const SPEC = /^(?:([\s\S])?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function parseSpec(text: string): Spec {
  const m = SPEC.exec(text);
  if (!m) throw new TemplateError(`Invalid format specifier "${text}"`);
  return {
    fill: m[1] ?? (m[6] ? "0" : " "), // the 0 flag fills with zeros whatever the alignment
    align: m[2],
    sign: m[3] ?? "-",
    alt: m[5] !== undefined,
    zero: m[6] !== undefined,
    width: m[7] === undefined ? 0 : Number(m[7]),
    grouping: m[8],
    precision: m[9] === undefined ? undefined : Number(m[9]),
    type: m[10],
  };
}

/** The alignment in effect: explicit, else `=` with the `0` flag for numbers, else right for numbers and left for strings. */
function alignOf(spec: Spec, numeric: boolean): string {
  return spec.align ?? (!numeric ? "<" : spec.zero ? "=" : ">");
}

/**
 * Pads `body` (with its sign/prefix kept apart for `=` alignment) to the spec's width. Numbers
 * align right by default, or after the sign with the `0` flag; strings align left.
 */
function pad(spec: Spec, signPart: string, body: string, numeric: boolean): string {
  const align = alignOf(spec, numeric);
  const len = signPart.length + body.length;
  const n = Math.max(0, spec.width - len);
  const fill = spec.fill.repeat(n);
  if (align === "<") return signPart + body + fill;
  if (align === ">") return fill + signPart + body;
  if (align === "=") return signPart + fill + body;
  const left = spec.fill.repeat(Math.floor(n / 2));
  return left + signPart + body + spec.fill.repeat(n - left.length);
}

function group(digits: string, sep: string, every: number): string {
  let out = "";
  for (let i = digits.length; i > 0; i -= every) out = digits.slice(Math.max(0, i - every), i) + (out ? sep + out : "");
  return out;
}

/**
 * Groups `digits`; when zeros pad after the sign (fill `0`, alignment `=`) they are grouped
 * too, as Python does (`format(7, "08,d")` is `0,000,007`): `minLength` is the room to fill.
 */
function groupDigits(digits: string, spec: Spec, every: number, minLength: number): string {
  const sep = spec.grouping as string;
  let d = digits;
  let out = group(d, sep, every);
  if (spec.fill === "0" && alignOf(spec, true) === "=") {
    while (out.length < minLength) {
      d = "0" + d;
      out = group(d, sep, every);
    }
  }
  return out;
}

function signOf(negative: boolean, sign: string): string {
  return negative ? "-" : sign === "+" ? "+" : sign === " " ? " " : "";
}

function formatInt(value: bigint, spec: Spec): string {
  const type = spec.type ?? "d";
  if ("eEfFgG%".includes(type)) return formatFloat(Number(value), spec);
  if (spec.precision !== undefined) throw new TemplateError("Precision not allowed in integer format specifier");
  if (type === "s") throw new TemplateError(`Unknown format code 's' for object of type 'int'`);
  if (type === "c") {
    if (spec.sign !== "-" || spec.alt) throw new TemplateError("Sign and alternate form are not allowed with integer format specifier 'c'");
    return pad(spec, "", String.fromCodePoint(Number(value)), true);
  }
  const radix = { b: 2, o: 8, x: 16, X: 16, d: 10, n: 10 }[type] ?? 10;
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString(radix);
  if (type === "X") digits = digits.toUpperCase();
  const prefix = signOf(negative, spec.sign) + (spec.alt && radix !== 10 ? "0" + (type === "X" ? "X" : type) : "");
  if (spec.grouping) {
    if (spec.grouping === "," && radix !== 10) throw new TemplateError(`Cannot specify ',' with '${type}'.`);
    digits = groupDigits(digits, spec, radix === 10 ? 3 : 4, spec.width - prefix.length);
  }
  return pad(spec, prefix, digits, true);
}

/** Whether the digits dropped by rounding are exactly one half (`5` then zeros). */
const isTie = (dropped: string): boolean => /^50*$/.test(dropped);

/** `x.toFixed(p)` with Python's half-to-even rounding of exact ties (x ≥ 0, below 1e21). */
function toFixedPy(x: number, p: number): string {
  const s = x.toFixed(p);
  if (p > 75 || x >= 1e21) return s;
  const long = x.toFixed(p + 25); // exact enough to see a tie: doubles this size have fewer digits
  const point = long.indexOf(".");
  const cut = p === 0 ? point : point + 1 + p;
  if (!isTie(long.slice(cut).replace(".", ""))) return s;
  const kept = long.slice(0, cut);
  return Number(kept[kept.length - 1]) % 2 === 0 ? kept : s;
}

/** `x.toExponential(p)` with Python's half-to-even rounding of exact ties (x ≥ 0). */
function toExponentialPy(x: number, p: number): string {
  const s = x.toExponential(p);
  if (p > 75) return s;
  const [mantissa, exponent] = x.toExponential(p + 25).split("e") as [string, string];
  if (!isTie(mantissa.slice(2 + p))) return s; // "d." then p kept digits
  const kept = mantissa.slice(0, p === 0 ? 1 : 2 + p);
  return Number(kept[kept.length - 1]) % 2 === 0 ? `${kept}e${exponent}` : s;
}

/** Python's exponent: at least two digits (`1e-07`, not `1e-7`). */
const pyExponent = (s: string): string => s.replace(/e([+-])(\d)$/, "e$10$2");

function reprFloat(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e16 || a < 1e-4)) return pyExponent(x.toExponential());
  const s = String(x);
  return s.includes(".") ? s : s + ".0";
}

/** Drops trailing zeros of the significand, and its point when nothing follows it ('g' without '#'). */
function stripZeros(s: string): string {
  const [mantissa, exponent] = s.split("e") as [string, string | undefined];
  const m = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
  return exponent === undefined ? m : `${m}e${exponent}`;
}

/**
 * The 'g' presentation. `dotZero` is the no-type-with-precision case (`{x:.3}`): fixed notation
 * keeps a `.0`, so it switches to an exponent one digit earlier, as CPython does.
 */
function generalFloat(x: number, precision: number, alt: boolean, upper: boolean, dotZero = false): string {
  const p = precision === 0 ? 1 : precision;
  const exp = x === 0 ? 0 : Number(toExponentialPy(x, p - 1).split("e")[1]);
  const fixed = exp >= -4 && exp < (dotZero ? p - 1 : p);
  const s = fixed ? toFixedPy(x, p - 1 - exp) : pyExponent(toExponentialPy(x, p - 1));
  const out = alt ? s : stripZeros(s);
  return upper ? out.toUpperCase() : out;
}

function formatFloat(value: number, spec: Spec): string {
  const type = spec.type;
  if (type !== undefined && !"eEfFgGn%".includes(type)) throw new TemplateError(`Unknown format code '${type}' for object of type 'float'`);
  const negative = value < 0 || Object.is(value, -0);
  const x = Math.abs(value);
  const upper = type === "E" || type === "F" || type === "G";
  let body: string;
  if (Number.isNaN(value)) body = upper ? "NAN" : "nan";
  else if (!Number.isFinite(value)) body = upper ? "INF" : "inf";
  else if (type === "f" || type === "F") body = toFixedPy(x, spec.precision ?? 6);
  else if (type === "e" || type === "E") body = pyExponent(toExponentialPy(x, spec.precision ?? 6));
  else if (type === "%") body = toFixedPy(x * 100, spec.precision ?? 6);
  else if (type === "g" || type === "G" || type === "n") body = generalFloat(x, spec.precision ?? 6, spec.alt, upper);
  else if (spec.precision === undefined) body = reprFloat(x);
  else {
    body = generalFloat(x, spec.precision, spec.alt, false, true);
    if (!/[.e]/.test(body)) body += ".0";
  }
  if (upper) body = body.toUpperCase();
  if (type === "%") body += "%";
  const sign = signOf(negative && !Number.isNaN(value), spec.sign);
  const parts = spec.grouping ? /^(\d+)(.*)$/.exec(body) : null;
  if (parts) {
    const rest = parts[2] as string;
    body = groupDigits(parts[1] as string, spec, 3, spec.width - sign.length - rest.length) + rest;
  }
  return pad(spec, sign, body, true);
}

function formatString(value: string, spec: Spec): string {
  if (spec.type !== undefined && spec.type !== "s") throw new TemplateError(`Unknown format code '${spec.type}' for object of type 'str'`);
  if (spec.sign !== "-") throw new TemplateError("Sign not allowed in string format specifier");
  if (spec.alt) throw new TemplateError("Alternate form (#) not allowed in string format specifier");
  if (spec.grouping) throw new TemplateError(`Cannot specify '${spec.grouping}' with 's'.`);
  if (spec.align === "=") throw new TemplateError("'=' alignment not allowed in string format specifier");
  const body = spec.precision === undefined ? value : value.slice(0, spec.precision);
  return pad(spec, "", body, false);
}

/** Python's `str(value)` for a template value. */
export function pyStr(value: TemplateValue): string {
  if (value === undefined || value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value instanceof Date) return pyDatetimeStr(value);
  if (typeof value === "number" && !Number.isInteger(value)) return Number.isFinite(value) ? reprFloat(value) : formatFloat(value, parseSpec(""));
  return String(value);
}

/**
 * Python's `format(value, spec)`.
 *
 * @example formatValue(7, "03d") === "007"
 * @example formatValue(new Date(2026, 10, 26), "%Y/%m-%d") === "2026/11-26"
 */
export function formatValue(value: TemplateValue, spec: string): string {
  if (value instanceof Date) return spec === "" ? pyDatetimeStr(value) : strftime(value, spec);
  if (spec === "") return pyStr(value);
  if (value === undefined || value === null) {
    throw new TemplateError(`unsupported format string "${spec}" for an unset value (Python: NoneType)`, "TypeError");
  }
  const parsed = parseSpec(spec);
  if (typeof value === "string") return formatString(value, parsed);
  if (typeof value === "bigint") return formatInt(value, parsed);
  if (typeof value === "boolean") return formatInt(value ? 1n : 0n, parsed);
  if (Number.isInteger(value)) return formatInt(BigInt(value), parsed);
  return formatFloat(value, parsed);
}
