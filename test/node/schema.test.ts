/**
 * The option schemas' walker (src/internal/schema.ts) gives the first issue valibot would give,
 * with valibot's message and dot path: the same schema written in both, over good and bad values.
 */
import * as v from "valibot";
import { describe, expect, test } from "vitest";
import { array, atLeast, custom, dotPath, leaf, optional, strictObject, text } from "../../src/internal/schema.ts";

const isDate = (x: unknown): boolean => x instanceof Date && !Number.isNaN(x.getTime());
const vLeaf = (expected: string, ok: (x: unknown) => boolean) =>
  v.custom<unknown, (i: v.CustomIssue) => string>(ok, (i) => `Expected ${expected} but received ${i.input instanceof Date ? String(i.input) : i.received}`);
const vAtLeast = (min: number, integer = false) =>
  vLeaf(`${integer ? "an integer" : "a number"} >= ${min}`, (x) => typeof x === "number" && x >= min && (!integer || Number.isInteger(x)));
const vText = vLeaf("a string", (x) => typeof x === "string");

const ours = strictObject({
  name: text,
  count: optional(atLeast(1, true)),
  tags: optional(array(text)),
  when: optional(leaf<Date>("a valid Date", isDate)),
  store: optional(custom<object>((x) => x === null || typeof x === "object", "must be an object or null")),
  inner: optional(strictObject({ rate: optional(atLeast(0)), mode: optional(text) })),
});
const theirs = v.strictObject({
  name: vText,
  count: v.optional(vAtLeast(1, true)),
  tags: v.optional(v.array(vText)),
  when: v.optional(vLeaf("a valid Date", isDate)),
  store: v.optional(v.custom<object>((x) => x === null || typeof x === "object", "must be an object or null")),
  inner: v.optional(v.strictObject({ rate: v.optional(vAtLeast(0)), mode: v.optional(vText) })),
});

class Custom {}
const values: unknown[] = [
  { name: "a" },
  { name: "a", count: 3, tags: ["x", "y"], when: new Date(0), store: null, inner: { rate: 0.5, mode: "m" } },
  {},
  { count: 2 },
  { name: 1 },
  { name: "a", count: 0 },
  { name: "a", count: 1.5 },
  { name: "a", count: Number.NaN },
  { name: "a", count: "3" },
  { name: "a", count: 10n },
  { name: "a", tags: "x" },
  { name: "a", tags: ["x", 2, 3] },
  { name: "a", when: new Date(Number.NaN) },
  { name: "a", when: "2026" },
  { name: "a", store: 5 },
  { name: "a", inner: 5 },
  { name: "a", inner: null },
  { name: "a", inner: { rate: -1 } },
  { name: "a", inner: { extra: 1 } },
  { name: "a", inner: { rate: -1, extra: 1 } },
  { name: "a", colour: "red" },
  { name: 2, colour: "red" },
  { name: "a", count: undefined, tags: undefined },
  { name: "a", store: new Custom() },
  { name: "a", count: true },
  { name: "a", count: () => 1 },
  { name: "a", count: Object.create(null) },
  { name: undefined },
  null,
  5,
  "text",
  [],
  undefined,
];

describe("option schemas", () => {
  test("the first issue, its message and its path are valibot's", () => {
    for (const value of values) {
      const mine = ours.check(value);
      const r = v.safeParse(theirs, value);
      const label = `value #${values.indexOf(value)}`;
      if (r.success) {
        expect(mine, label).toBeUndefined();
        continue;
      }
      const first = r.issues[0];
      expect(mine, label).toBeDefined();
      expect(mine?.message, label).toBe(first.message);
      expect(dotPath(mine!), label).toBe(v.getDotPath(first) ?? undefined);
      expect(mine?.unknownKey, label).toBe(first.type === "strict_object" && first.expected === "never");
    }
  });
});
