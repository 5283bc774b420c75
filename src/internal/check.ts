/**
 * A small schema checker with the part of valibot's API that option checking uses (same names,
 * issue shape and messages), so `options.ts` reads as valibot code. Why not valibot itself:
 * its schemas carry Standard Schema objects, message plumbing and issue collection that cost
 * 2.3 kB min+gzip in every browser bundle, 12% of the 20 kB budget, to check one options
 * object. valibot stays the tool for data crossing a trust boundary (the server).
 *
 * Only the first issue is reported: that is what the caller shows.
 */

/** Where in the input an issue is. */
export interface PathItem {
  readonly key: unknown;
}

/** What is wrong, shaped like valibot's issues. */
export interface Issue {
  /** `string`, `strict_object`, `min_value`, … */
  readonly type: string;
  readonly expected: string | null;
  readonly message: string;
  readonly path: readonly PathItem[] | undefined;
  /** The input had the schema's type (the issue came from an action or from inside it). */
  readonly typed: boolean;
}

/** A schema (or a `pipe` action): the first issue of `input`, or nothing. `e` is what it expects, as valibot words it. */
export type Schema = ((input: unknown, path: readonly PathItem[]) => Issue | undefined) & { readonly e: string; readonly optional?: true };
export type Action = Schema;

function received(x: unknown): string {
  const t = typeof x;
  if (t === "string") return `"${x as string}"`;
  if (t !== "object" && t !== "function") return String(x);
  return (x ? (Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name : undefined) ?? "null";
}

function issue(type: string, what: string, expected: string | null, x: unknown, path: readonly PathItem[], message: string | undefined, typed: boolean): Issue {
  const got = received(x);
  return {
    type,
    expected,
    message: message ?? `Invalid ${what}: ${expected === null ? "R" : `Expected ${expected} but r`}eceived ${got}`,
    path: path.length > 0 ? path : undefined,
    typed,
  };
}

const schema = (e: string, check: (x: unknown, path: readonly PathItem[]) => Issue | undefined): Schema => Object.assign(check, { e });
const typed = (type: string, test: (x: unknown) => boolean, message?: string, e = type): Schema =>
  schema(e, (x, path) => (test(x) ? undefined : issue(type, "type", e, x, path, message, false)));

/** A string. */
export const string = (message?: string): Schema => typed("string", (x) => typeof x === "string", message);
/** A number (not NaN). */
export const number = (message?: string): Schema => typed("number", (x) => typeof x === "number" && x === x, message);
/** A boolean. */
export const boolean = (message?: string): Schema => typed("boolean", (x) => typeof x === "boolean", message);
/** A function. */
const function_ = (message?: string): Schema => typed("function", (x) => typeof x === "function", message, "Function");
export { function_ as function };
/** Anything. */
export const unknown = (): Schema => schema("unknown", () => undefined);
/** Exactly `value`. */
export const literal = (value: string | number | boolean, message?: string): Schema => typed("literal", (x) => x === value, message, received(value));
/** A bigint. */
export const bigint = (message?: string): Schema => typed("bigint", (x) => typeof x === "bigint", message);
/** A Date (valid or not: pipe `check` for that). */
export const date = (message?: string): Schema =>
  schema("Date", (x, path) =>
    x instanceof Date && !Number.isNaN(x.getTime()) ? undefined : issue("date", "type", "Date", x instanceof Date ? "Invalid Date" : x, path, message, false),
  );
/** An instance of `cls`. */
export const instance = (cls: abstract new (...args: never[]) => unknown, message?: string): Schema => typed("instance", (x) => x instanceof cls, message, cls.name);
/** One of `values`. */
export const picklist = (values: readonly (string | number)[], message?: string): Schema => {
  const e = values.length > 1 ? `(${values.map(received).join(" | ")})` : values[0] === undefined ? "never" : received(values[0]);
  return typed("picklist", (x) => values.includes(x as string), message, e);
};
/** Passes `test`. */
export const custom = <T>(test: (x: unknown) => boolean, message?: string): Schema & { readonly _type?: T } =>
  schema("unknown", (x, path) => (test(x) ? undefined : issue("custom", "input", null, x, path, message, false)));

/** `undefined`, or `s`. */
export const optional = (s: Schema): Schema => Object.assign(schema(`(${s.e} | undefined)`, (x, path) => (x === undefined ? undefined : s(x, path))), { optional: true as const });
/** `null`, or `s`. */
export const nullable = (s: Schema): Schema => schema(`(${s.e} | null)`, (x, path) => (x === null ? undefined : s(x, path)));

/** One of `options`: the issue of the one option the input had the type of, else a union issue. */
export const union = (options: readonly Schema[], message?: string): Schema => {
  const list = [...new Set(options.map((o) => o.e))];
  const e = list.length > 1 ? `(${list.join(" | ")})` : (list[0] ?? "never");
  return schema(e, (x, path) => {
    const found: Issue[][] = [[], []]; // untyped, typed
    for (const o of options) {
      const i = o(x, path);
      if (!i) return undefined;
      found[+i.typed]!.push(i);
    }
    const pool = found[1]!.length > 0 ? found[1]! : found[0]!;
    return pool.length === 1 ? pool[0] : issue("union", "type", e, x, path, message, found[1]!.length > 0);
  });
};

/** `s`, then every action in order (issues of actions are typed). */
export const pipe = (s: Schema, ...actions: readonly Action[]): Schema =>
  schema(s.e, (x, path) => {
    let i = s(x, path);
    for (let k = 0; !i && k < actions.length; k++) {
      const a = actions[k]!(x, path);
      if (a) i = { ...a, typed: true };
    }
    return i;
  });

/** The issue of `value` at `key` below `path` (untyped when the value did not have its type, as in valibot). */
function inner(s: Schema, value: unknown, path: readonly PathItem[], key: unknown): Issue | undefined {
  return s(value, [...path, { key }]);
}

// valibot's objects and records accept any non-null object, arrays and dates included.
const container = (type: string, e: string, test: (x: unknown) => boolean, walk: (x: Record<string, unknown>, path: readonly PathItem[]) => Issue | undefined, message?: string): Schema =>
  schema(e, (x, path) => (test(x) ? walk(x as Record<string, unknown>, path) : issue(type, "type", e, x, path, message, false)));
const isObject = (x: unknown): boolean => x !== null && typeof x === "object";
const first = <T>(items: Iterable<T>, f: (item: T) => Issue | undefined): Issue | undefined => {
  for (const item of items) {
    const i = f(item);
    if (i) return i;
  }
  return undefined;
};

/** An array of `item`. */
export const array = (item: Schema, message?: string): Schema =>
  container("array", "Array", Array.isArray, (x, path) => first(Object.keys(x), (k) => inner(item, x[k], path, +k)), message);

/** An object whose values are `value` (keys are checked by `key`). */
export const record = (key: Schema, value: Schema, message?: string): Schema =>
  container("record", "Object", isObject, (x, path) => first(Object.keys(x), (k) => inner(key, k, path, k) ?? inner(value, x[k], path, k)), message);

/** Checks the entries of an object; a missing entry that is not optional is a key issue. */
function entriesIssue(type: string, entries: Readonly<Record<string, Schema>>, x: Record<string, unknown>, path: readonly PathItem[], message?: string): Issue | undefined {
  return first(Object.keys(entries), (k) => {
    const s = entries[k] as Schema;
    if (k in x) return inner(s, x[k], path, k);
    return s.optional ? undefined : issue(type, "key", `"${k}"`, undefined, [...path, { key: k }], message, true);
  });
}

function* keysIn(x: object): Generator<string> {
  for (const k in x) yield k;
}

/** An object with these entries (other keys are allowed and ignored). */
export const object = (entries: Readonly<Record<string, Schema>>, message?: string): Schema =>
  container("object", "Object", isObject, (x, path) => entriesIssue("object", entries, x, path, message), message);

/** An object with exactly these entries (unknown keys are an issue with `expected: "never"`). */
export const strictObject = (entries: Readonly<Record<string, Schema>>, message?: string): Schema =>
  container(
    "strict_object",
    "Object",
    isObject,
    (x, path) =>
      entriesIssue("strict_object", entries, x, path, message) ??
      first(keysIn(x), (k) => (Object.hasOwn(entries, k) ? undefined : issue("strict_object", "key", "never", k, [...path, { key: k }], message, true))),
    message,
  );

const action = (type: string, what: string, expected: string | null, ok: (x: never) => boolean, shown: (x: never) => unknown = (x) => x) => (message?: string): Action =>
  schema("unknown", (x, path) => (ok(x as never) ? undefined : issue(type, what, expected, shown(x as never), path, message, true)));

/** A whole number. */
export const integer: (message?: string) => Action = action("integer", "integer", null, Number.isInteger);
/** At least `min`. */
export const minValue = (min: number, message?: string): Action => action("min_value", "value", `>=${min}`, (x: number) => x >= min)(message);
/** At least `min` long. */
export const minLength = (min: number, message?: string): Action =>
  action("min_length", "length", `>=${min}`, (x: string) => x.length >= min, (x: string) => x.length)(message);
/** Passes `test` (a custom validation step of `pipe`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the piped value's type, as valibot infers it
export const check = <T = any>(test: (x: T) => boolean, message?: string): Action => action("check", "input", null, test as (x: never) => boolean)(message);
/** Matches `pattern`. */
export const regex = (pattern: RegExp, message?: string): Action => action("regex", "format", `${pattern}`, (x: string) => pattern.test(x))(message);
/** An absolute URL. */
export const url: (message?: string) => Action = action("url", "URL", null, (x: string) => {
  try {
    return !!new URL(x);
  } catch {
    return false;
  }
});

/** The result of {@link safeParse}. */
export type SafeParseResult = { readonly success: true; readonly output: unknown } | { readonly success: false; readonly issues: readonly [Issue, ...Issue[]] };

/** Checks `input` against `schema`. */
export function safeParse(s: Schema, input: unknown): SafeParseResult {
  const i = s(input, []);
  return i ? { success: false, issues: [i] } : { success: true, output: input };
}

/** The dot path of an issue (`buffer.maxBatch`), or null at the top. */
export function getDotPath(i: Issue): string | null {
  return i.path?.map((p) => String(p.key)).join(".") ?? null;
}
