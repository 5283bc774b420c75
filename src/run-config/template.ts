/**
 * Python's `str.format(**fields)` over named fields — `{user}`, `{now:%Y/%m-%d}`,
 * `{jobCounter:03d}`, `{{` and `}}` escapes, `!s`/`!r` conversions, one level of nested fields
 * inside a spec (`{now:{fmt}}`) — and the `{EXP.attr}` substitution of RUN's prefix setter.
 * Every failure is a `ValidationError` naming the option that held the template.
 */
import { ValidationError } from "../errors.ts";
import { formatValue, pyStr, type TemplateValue } from "./format-spec.ts";
import { TemplateError } from "./template-error.ts";

/** Looks a field up by name; `found: false` is Python's `KeyError`. */
export type FieldLookup = (name: string) => { found: true; value: TemplateValue } | { found: false };

const DATE_ATTRS: Record<string, (d: Date) => number> = {
  year: (d) => d.getFullYear(),
  month: (d) => d.getMonth() + 1,
  day: (d) => d.getDate(),
  hour: (d) => d.getHours(),
  minute: (d) => d.getMinutes(),
  second: (d) => d.getSeconds(),
  microsecond: (d) => d.getMilliseconds() * 1000,
};

function repr(value: TemplateValue): string {
  if (typeof value === "string") return value.includes("'") && !value.includes('"') ? `"${value}"` : `'${value.replace(/'/g, "\\'")}'`;
  if (value instanceof Date) {
    const parts = [value.getFullYear(), value.getMonth() + 1, value.getDate(), value.getHours(), value.getMinutes(), value.getSeconds()];
    if (value.getMilliseconds()) parts.push(value.getMilliseconds() * 1000);
    return `datetime.datetime(${parts.join(", ")})`;
  }
  return pyStr(value);
}

/** Resolves `name.attr` / `name[key]` chains: only the attributes of a date (`{now.year}`). */
function resolveField(fieldName: string, lookup: FieldLookup): TemplateValue {
  const m = /^([^.[]*)(.*)$/s.exec(fieldName) as RegExpExecArray;
  const arg = m[1] as string;
  if (arg === "" || /^\d+$/.test(arg)) {
    throw new TemplateError(`positional field {${fieldName}}: name a field instead`, "IndexError");
  }
  const hit = lookup(arg);
  if (!hit.found) throw new TemplateError(arg, "KeyError");
  let value = hit.value;
  let rest = m[2] as string;
  while (rest !== "") {
    const attr = /^\.(\w+)/.exec(rest);
    if (!attr) throw new TemplateError(`only attribute access is supported in {${fieldName}}`, "ValueError");
    const get = value instanceof Date ? DATE_ATTRS[attr[1] as string] : undefined;
    if (!get) throw new TemplateError(`{${fieldName}}: ${typeof value} has no attribute '${attr[1]}'`, "AttributeError");
    value = get(value as Date);
    rest = rest.slice(attr[0].length);
  }
  return value;
}

/** One replacement field's inner text (between the braces). */
function replaceField(inner: string, lookup: FieldLookup, depth: number): string {
  let i = 0;
  while (i < inner.length && inner[i] !== "!" && inner[i] !== ":") {
    if (inner[i] === "[") i = inner.indexOf("]", i) < 0 ? inner.length : inner.indexOf("]", i);
    i++;
  }
  const fieldName = inner.slice(0, i);
  let conversion: string | undefined;
  if (inner[i] === "!") {
    conversion = inner[i + 1];
    i += 2;
    if (conversion === undefined || !"sra".includes(conversion)) throw new TemplateError(`Unknown conversion specifier ${conversion ?? "(none)"}`);
    if (i < inner.length && inner[i] !== ":") throw new TemplateError("expected ':' after conversion specifier");
  }
  let spec = i < inner.length ? inner.slice(i + 1) : "";
  if (spec.includes("{")) {
    if (depth >= 1) throw new TemplateError("Max string recursion exceeded");
    spec = pyFormat(spec, lookup, depth + 1);
  }
  let value = resolveField(fieldName, lookup);
  if (conversion === "s") value = pyStr(value);
  else if (conversion !== undefined) value = repr(value);
  return formatValue(value, spec);
}

/**
 * Python's `template.format(**fields)`. Throws {@link TemplateError} where Python raises.
 *
 * @example pyFormat("{a:03d}/{b}", (n) => ({ found: true, value: n === "a" ? 7 : "x" })) === "007/x"
 */
export function pyFormat(template: string, lookup: FieldLookup, depth = 0): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    if (ch === "}") {
      if (template[i + 1] !== "}") throw new TemplateError("Single '}' encountered in format string");
      out += "}";
      i++;
    } else if (ch !== "{") {
      out += ch;
    } else if (template[i + 1] === "{") {
      out += "{";
      i++;
    } else {
      let level = 1;
      let j = i + 1;
      for (; j < template.length && level > 0; j++) {
        if (template[j] === "{") level++;
        else if (template[j] === "}") level--;
      }
      if (level > 0) throw new TemplateError(j > i + 1 ? "expected '}' before end of string" : "Single '{' encountered in format string");
      out += replaceField(template.slice(i + 1, j - 1), lookup, depth);
      i = j - 1;
    }
  }
  return out;
}

/** Turns a {@link TemplateError} into a `ValidationError` naming `where` (the option) and the template. */
export function templateFailure(err: unknown, where: string, template: string, hint: (key: string) => string): never {
  if (!(err instanceof TemplateError)) throw err;
  const what =
    err.python === "KeyError"
      ? `unknown field {${err.message}} (Python raises KeyError)${hint(err.message)}`
      : `${err.message} (Python raises ${err.python})`;
  throw new ValidationError(`Invalid template in ${where} ${JSON.stringify(template)}: ${what}`, { field: where, cause: err });
}

const EXP_FIELD = /\{EXP\.(\w+)\}/g;

/**
 * The `{EXP.attr}` substitution of Python's RUN prefix setter: each `{EXP.<word>}` becomes
 * `str(getattr(run, word))`. `get` returns `undefined` for an unknown or unset attribute, which
 * throws a `ValidationError` (Python: `AttributeError("RUN has no attribute '<word>'")`).
 */
export function expandExpFields(value: string, get: (name: string) => TemplateValue, where: string): string {
  return value.replace(EXP_FIELD, (_, name: string) => {
    const v = get(name);
    if (v === undefined || v === null) {
      throw new ValidationError(
        `Invalid template in ${where} ${JSON.stringify(value)}: {EXP.${name}} is unknown or unset (Python raises AttributeError: RUN has no attribute '${name}')`,
        { field: where },
      );
    }
    return pyStr(v);
  });
}
