/**
 * The option schemas (`new Experiment` options, `run`, `RUN`): strict objects, optional keys,
 * arrays and leaves checked by a small predicate, walked to the first problem. This is the part
 * of valibot these options used (`strictObject`, `optional`, `array`, `custom`, `safeParse`,
 * `getDotPath`), with valibot's messages and its order of issues (a key's value before the
 * next key, unknown keys last), in a few hundred bytes: it is on every page's initial load,
 * where valibot's walker was 1.2 kB gzip. The server validates requests with valibot itself.
 */

/** The first thing wrong with a value: where (keys and indexes) and what. */
export interface Issue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** A key the object's schema does not name (valibot: `strict_object` expecting `never`). */
  readonly unknownKey: boolean;
}

/** A schema: checks a value, returns its first issue or `undefined`. `T` is what it accepts. */
export interface Schema<T = unknown> {
  readonly check: (x: unknown) => Issue | undefined;
  /** An optional key may be missing or `undefined`. */
  readonly optional?: true;
  /** Type only: what the schema accepts. */
  readonly _type?: T;
}

/** An object schema: its entries stay readable (RUN is checked against its own keys). */
export interface ObjectSchema<T = unknown> extends Schema<T> {
  readonly entries: Readonly<Record<string, Schema>>;
}

/** What the messages say was received: valibot's wording (`"text"`, `12`, `Object`), and "Invalid Date" for a NaN date. */
function received(x: unknown): string {
  if (x instanceof Date) return String(x);
  const type = typeof x;
  if (type === "string") return `"${x as string}"`;
  if (type === "number" || type === "bigint" || type === "boolean") return String(x);
  if (type === "object" || type === "function") return x ? ((Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "null") : "null";
  return type;
}

const issue = (message: string, path: (string | number)[] = [], unknownKey = false): Issue => ({ path, message, unknownKey });
const under = (key: string | number, i: Issue | undefined): Issue | undefined => i && { ...i, path: [key, ...i.path] };
const wrongType = (expected: string, x: unknown): Issue => issue(`Invalid type: Expected ${expected} but received ${received(x)}`);

/** A value `ok` accepts; otherwise `message` (given what was received). */
export function custom<T>(ok: (x: unknown) => boolean, message: string | ((received: string) => string)): Schema<T> {
  return { check: (x) => (ok(x) ? undefined : issue(typeof message === "string" ? message : message(received(x)))) };
}

/**
 * A value `ok` accepts; otherwise `Expected <expected> but received <what it got>`.
 *
 * @example leaf<number>("an integer >= 0", (x) => Number.isInteger(x) && (x as number) >= 0)
 */
export function leaf<T>(expected: string, ok: (x: unknown) => boolean): Schema<T> {
  return custom<T>(ok, (got) => `Expected ${expected} but received ${got}`);
}

/** Any string. */
export const text = leaf<string>("a string", (x) => typeof x === "string");

/** A number `>= min` (not NaN); with `integer`, a whole number. */
export function atLeast(min: number, integer = false): Schema<number> {
  return leaf<number>(`${integer ? "an integer" : "a number"} >= ${min}`, (x) => typeof x === "number" && x >= min && (!integer || Number.isInteger(x)));
}

/** A function. */
export const fn = leaf<(...args: never[]) => unknown>("a function", (x) => typeof x === "function");

/** The schema, or `undefined`. */
export function optional<T>(s: Schema<T>): Schema<T | undefined> {
  return { check: (x) => (x === undefined ? undefined : s.check(x)), optional: true };
}

/** An array whose every item passes `item`. */
export function array<T>(item: Schema<T>): Schema<T[]> {
  return {
    check(x) {
      if (!Array.isArray(x)) return wrongType("Array", x);
      for (let i = 0; i < x.length; i++) {
        const problem = under(i, item.check(x[i]));
        if (problem) return problem;
      }
      return undefined;
    },
  };
}

/** An object with these keys and no others (valibot's `strictObject`). */
export function strictObject<T>(entries: { readonly [K in keyof T]-?: Schema<T[K]> }): ObjectSchema<T> {
  const all = entries as Readonly<Record<string, Schema>>;
  return {
    entries: all,
    check(x) {
      if (!x || typeof x !== "object") return wrongType("Object", x);
      const o = x as Record<string, unknown>;
      for (const key in all) {
        const s = all[key] as Schema;
        if (key in o) {
          const problem = under(key, s.check(o[key]));
          if (problem) return problem;
        } else if (!s.optional) return issue(`Invalid key: Expected "${key}" but received undefined`, [key]);
      }
      for (const key in o) if (!Object.prototype.hasOwnProperty.call(all, key)) return issue(`Invalid key: Expected never but received "${key}"`, [key], true);
      return undefined;
    },
  };
}

/** The issue's path as `buffer.maxBatch` / `tags.0` (`undefined` for the value itself). */
export function dotPath(i: Issue): string | undefined {
  return i.path.length ? i.path.join(".") : undefined;
}
