// src/internal/check.ts stands in for valibot in option checking (bundle size): on the same
// schemas and inputs it must accept and refuse the same values, with the same first issue
// (type, path, message).
import * as v from "valibot";
import { describe, expect, test } from "vitest";
import * as c from "../../src/internal/check.ts";
import { validateOptions } from "../../src/options.ts";
import { ValidationError } from "../../src/errors.ts";

type Pair = [name: string, valibot: v.GenericSchema, check: c.Schema];

const pairs: Pair[] = [
  ["string", v.string(), c.string()],
  ["number", v.number(), c.number()],
  ["boolean", v.boolean(), c.boolean()],
  ["function", v.function(), c.function()],
  ["literal", v.literal(true), c.literal(true)],
  ["optional", v.optional(v.string()), c.optional(c.string())],
  ["nullable", v.nullable(v.pipe(v.string(), v.minLength(1))), c.nullable(c.pipe(c.string(), c.minLength(1)))],
  ["int ≥ 1", v.pipe(v.number(), v.integer(), v.minValue(1)), c.pipe(c.number(), c.integer(), c.minValue(1))],
  ["array", v.array(v.string()), c.array(c.string())],
  ["record", v.record(v.string(), v.unknown()), c.record(c.string(), c.unknown())],
  ["url", v.pipe(v.string(), v.url()), c.pipe(c.string(), c.url())],
  ["union", v.union([v.literal(true), v.pipe(v.string(), v.url())]), c.union([c.literal(true), c.pipe(c.string(), c.url())])],
  ["bigint", v.bigint(), c.bigint()],
  ["date + check", v.pipe(v.date(), v.check((d: Date) => !Number.isNaN(d.getTime()), "must be a valid Date")), c.pipe(c.date(), c.check((d: Date) => !Number.isNaN(d.getTime()), "must be a valid Date"))],
  ["instance", v.instance(URL), c.instance(URL)],
  ["picklist", v.picklist(["msgpack", "json"]), c.picklist(["msgpack", "json"])],
  ["regex", v.union([v.pipe(v.string(), v.regex(/^\d+$/)), v.bigint()]), c.union([c.pipe(c.string(), c.regex(/^\d+$/)), c.bigint()])],
  ["object", v.object({ a: v.optional(v.number()), b: v.string() }), c.object({ a: c.optional(c.number()), b: c.string() })],
  [
    "strictObject",
    v.strictObject({ a: v.optional(v.number()), b: v.optional(v.strictObject({ c: v.optional(v.array(v.string())) })) }),
    c.strictObject({ a: c.optional(c.number()), b: c.optional(c.strictObject({ c: c.optional(c.array(c.string())) })) }),
  ],
];

const inputs: unknown[] = [
  undefined, null, true, false, 0, 1, 2.5, -3, NaN, "", "x", "http://a.b/c", "not a url", [], ["a"], ["a", 1],
  {}, { a: 1 }, { a: "1" }, { z: 1 }, { b: { c: ["x", 2] } }, { b: { d: 1 } }, { b: "x", z: 1 }, () => 1, new Date(0), new Date(NaN),
  "json", "123", 12n, new URL("http://x/"),
];

describe("check.ts agrees with valibot", () => {
  for (const [name, vs, cs] of pairs) {
    test(name, () => {
      for (const input of inputs) {
        const a = v.safeParse(vs, input);
        const b = c.safeParse(cs, input);
        expect(b.success, `${name} ${String(input)}`).toBe(a.success);
        if (!a.success && !b.success) {
          const [ia, ib] = [a.issues[0], b.issues[0]];
          expect({ type: ib.type, path: c.getDotPath(ib), message: ib.message }, `${name} ${String(input)}`).toEqual({
            type: ia.type,
            path: v.getDotPath(ia),
            message: ia.message,
          });
        }
      }
    });
  }
});

describe("experiment options", () => {
  test("valid options pass; a wrong one throws ValidationError naming it", () => {
    expect(() => validateOptions({ prefix: "a/b", tags: ["x"], buffer: { maxBatch: 10 }, dashUrl: true })).not.toThrow();
    const cases: [unknown, string, RegExp][] = [
      [{ tags: ["x", 1] }, "tags.1", /Invalid experiment option "tags\.1"/],
      [{ buffer: { maxBatch: 0 } }, "buffer.maxBatch", /Invalid experiment option "buffer\.maxBatch"/],
      [{ buffer: { nope: 1 } }, "buffer.nope", /Unknown experiment option "buffer\.nope"/],
      [{ dashUrl: "not a url" }, "dashUrl", /Invalid experiment option "dashUrl"/],
      [{ storage: {} }, "storage", /must be a storage adapter/],
      [{ token: 5 }, "token", /"token": it must be a string or a function/],
      [{ colour: "red" }, "colour", /Unknown experiment option "colour"/],
    ];
    for (const [opts, field, message] of cases) {
      let err: unknown;
      try {
        validateOptions(opts);
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
      expect((err as Error).message).toMatch(message);
    }
  });
});
