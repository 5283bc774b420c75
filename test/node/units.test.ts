/** Pure units: prefix parsing, the Python JSON codec (property tests), timestamps, values. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parsePrefix, ValidationError } from "../../src/index.ts";
import { isoMicros } from "../../src/internal/clock.ts";
import { unflatten } from "../../src/model/flatten.ts";
import { normalizeValue } from "../../src/model/values.ts";
import { parseJsonLines, parsePyJson } from "../../src/layout/py-json-parse.ts";
import { pyJson, pyString } from "../../src/layout/py-json.ts";

/** Property tests (fast-check, hundreds to thousands of cases): CPU-bound, several seconds on a loaded machine. */
const CPU_TIMEOUT_MS = 30_000;

describe("prefix", () => {
  test("1, 2 and 3+ segments parse as Python parses them", () => {
    expect(parsePrefix("solo")).toMatchObject({ path: "solo", owner: undefined, project: undefined, name: "solo", folders: [] });
    expect(parsePrefix("a/b")).toMatchObject({ path: "a/b", owner: "a", project: "b", name: "b", folders: [] });
    expect(parsePrefix("a/b/c")).toMatchObject({ owner: "a", project: "b", name: "c", folders: [] });
    expect(parsePrefix("alice/proj/folderA/sub/exp1")).toMatchObject({ owner: "alice", project: "proj", name: "exp1", folders: ["folderA", "sub"] });
    expect(parsePrefix("/a/b/c/")).toMatchObject({ path: "a/b/c", owner: "a", project: "b", name: "c" });
    expect(parsePrefix("a b/ü/run 1").name).toBe("run 1");
  });

  test("invalid prefixes throw ValidationError naming the problem", () => {
    const cases: [unknown, RegExp][] = [
      ["", /empty/],
      ["///", /empty/],
      ["a//b", /empty segment/],
      ["a/../b", /"\.\." segment/],
      ["a/./b", /"\." segment/],
      ["a/b\u0000c", /control character/],
      ["a/b\nc", /control character/],
      ["a\\b/c", /backslash/],
      [42, /expected a string/],
    ];
    for (const [p, msg] of cases) {
      expect(() => parsePrefix(p), String(p)).toThrow(ValidationError);
      expect(() => parsePrefix(p), String(p)).toThrow(msg);
    }
  });
});

// Values that survive a round trip through JSON text (no -0: JSON has no negative zero).
const plain: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.double().filter((d) => !Object.is(d, -0)),
    fc.integer(),
    fc.string({ unit: "binary" }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "binary" }), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("Python JSON codec", () => {
  test("property: pyJson output parses back to the same value (NaN and ±Infinity included)", () => {
    fc.assert(
      fc.property(plain, (v) => {
        const text = pyJson(v);
        expect(parsePyJson(text)).toEqual(v);
      }),
      { numRuns: 500 },
    );
  }, CPU_TIMEOUT_MS);

  test("property: output is pure ASCII, as Python's ensure_ascii writes it", () => {
    fc.assert(
      fc.property(plain, (v) => {
        expect(/[^\x00-\x7f]/.test(pyJson(v))).toBe(false);
      }),
      { numRuns: 300 },
    );
  }, CPU_TIMEOUT_MS);

  test("Python's separators, tokens and escapes", () => {
    expect(pyJson({ a: 1, b: [1, 2, { c: null }], d: "é", e: NaN, f: -Infinity, g: true })).toBe(
      '{"a": 1, "b": [1, 2, {"c": null}], "d": "\\u00e9", "e": NaN, "f": -Infinity, "g": true}',
    );
    expect(pyJson([])).toBe("[]");
    expect(pyJson({})).toBe("{}");
    expect(pyString("tab\tquote\"\u2028")).toBe('"tab\\tquote\\"\\u2028"');
  });

  test("the tolerant parser reads Python's tokens and rejects garbage", () => {
    expect(parsePyJson('{"loss": NaN, "acc": Infinity, "w": -Infinity, "s": "NaN"}')).toEqual({ loss: NaN, acc: Infinity, w: -Infinity, s: "NaN" });
    expect(() => parsePyJson('{"a": NaN')).toThrow(SyntaxError);
    expect(() => parsePyJson("NaNx")).toThrow(SyntaxError);
  });

  test("JSONL: a torn last line (and any corrupt line) is skipped and counted; the rest is kept", () => {
    const r = parseJsonLines('{"i": 0}\n{"i": NaN}\n{"i": 2}\n{"i": 3, "dat');
    expect(r.records).toEqual([{ i: 0 }, { i: NaN }, { i: 2 }]);
    expect(r.skipped).toBe(1);
    expect(parseJsonLines("")).toEqual({ records: [], skipped: 0 });
    expect(parseJsonLines('{"a": 1}\n\n{"a": 2}\n').records).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe("timestamps", () => {
  test("UTC ISO with microseconds and Z; no fraction when the microseconds are zero (as Python)", () => {
    expect(isoMicros(0)).toBe("1970-01-01T00:00:00Z");
    expect(isoMicros(Date.UTC(2026, 10, 26, 6, 18, 0, 515) + 0.354)).toBe("2026-11-26T06:18:00.515354Z");
    expect(isoMicros(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe("2026-01-02T03:04:05.006000Z");
  });
});

describe("values", () => {
  test("typed arrays become arrays, Dates ISO strings, undefined keys vanish and undefined array items become null", () => {
    expect(normalizeValue({ a: new Uint8Array([1, 2]), b: new Date(0), c: undefined, d: [undefined, 1] }, "", "t")).toEqual({
      a: [1, 2],
      b: "1970-01-01T00:00:00.000Z",
      d: [null, 1],
    });
  });

  test("a shared (non-cyclic) reference is fine; a cycle is not", () => {
    const shared = { x: 1 };
    expect(normalizeValue({ a: shared, b: shared }, "", "t")).toEqual({ a: { x: 1 }, b: { x: 1 } });
    const c: Record<string, unknown> = {};
    c["me"] = [c];
    expect(() => normalizeValue(c, "", "t")).toThrow(/"me\[0\]" contains a cycle/);
  });

  test("unflatten keeps a dotted key that collides with a leaf", () => {
    expect(unflatten({ "a.b": 1, "a.c.d": 2, e: 3 })).toEqual({ a: { b: 1, c: { d: 2 } }, e: 3 });
    expect(unflatten({ a: 1, "a.b": 2 })).toEqual({ a: 1, "a.b": 2 });
  });
});

describe("batch encoding", () => {
  test("a batch encoded slice by slice is byte for byte its lines as one text, across slice and block edges", async () => {
    const { encodeBatchBytes } = await import("../../src/backends/local/encode-batch.ts");
    const { encodeLogLines, encodeMetricLines, encodeTrackLines } = await import("../../src/layout/records.ts");
    const { newColumnBlock } = await import("../../src/model/metric-block.ts");
    const te = new TextEncoder();
    const createdAt = "2026-11-26T13:00:00.123456Z";
    const cols = (n: number, seed: number) => {
      const b = newColumnBlock(["loss", "step"], Math.max(n, 1));
      for (let i = 0; i < n; i++) {
        b.cols[0]![i] = i % 7 === 0 ? NaN : Math.sin(seed + i);
        b.cols[1]![i] = seed + i;
        b.ts[i] = 1795677564.479939 + (seed + i) * 1e-6;
      }
      b.length = n;
      return b;
    };
    for (const sizes of [[1], [511, 1, 513], [1024], [2000, 3], [0, 700]]) {
      const blocks = [...sizes.map((n, k) => cols(n, k * 1000)), { kind: "rows" as const, rows: [{ note: "é ✓", v: [1, Infinity], _ts: 5 }], length: 1 }];
      const job = { data: { kind: "metric" as const, blocks }, first: 17, createdAt };
      expect(Buffer.from(encodeBatchBytes(job)).equals(Buffer.from(te.encode(encodeMetricLines(17, blocks, createdAt))))).toBe(true);
    }
    const logs = Array.from({ length: 1300 }, (_, i) => ({ level: "info" as const, message: `step ${i} — ok`, timeMs: 1795677564479 + i, metadata: i % 3 ? { i } : undefined }));
    expect(Buffer.from(encodeBatchBytes({ data: { kind: "log", records: logs }, first: 3, createdAt })).equals(Buffer.from(te.encode(encodeLogLines(3, logs))))).toBe(true);
    const entries = Array.from({ length: 1100 }, (_, i) => ({ timestamp: i / 10, data: { x: i, "a/b": [i, i + 1] } }));
    expect(Buffer.from(encodeBatchBytes({ data: { kind: "track", records: entries }, first: 0, createdAt })).equals(Buffer.from(te.encode(encodeTrackLines(entries))))).toBe(true);
  });
});

describe("batch bytes", () => {
  test("property: column blocks written byte by byte equal their lines as text, for every kind of number", async () => {
    const { encodeBatchBytes } = await import("../../src/backends/local/encode-batch.ts");
    const { encodeMetricLines } = await import("../../src/layout/records.ts");
    const te = new TextEncoder();
    const special = fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53 - 1, 2 ** 53, -(2 ** 53) - 2, 1e21, 4e9, 3999999999.999999, 1e-6, 1e-7, 0.1 + 0.2);
    const grid = fc.tuple(fc.integer({ min: -4_000_000_000, max: 4_000_000_000 }), fc.integer({ min: 0, max: 999_999 })).map(([i, f]) => (i * 1e6 + (i < 0 ? -f : f)) / 1e6);
    const value = fc.oneof(special, grid, fc.integer(), fc.maxSafeInteger(), fc.double());
    const rows = fc.array(fc.tuple(value, value, value), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(rows, fc.constantFrom(["loss", "é/acc"], []), fc.nat(), (points, keys, first) => {
        const n = points.length;
        const cols = keys.map(() => new Float64Array(n));
        const ts = new Float64Array(n);
        points.forEach(([a, b, t], i) => {
          if (cols[0]) cols[0][i] = a;
          if (cols[1]) cols[1][i] = b;
          ts[i] = t;
        });
        const blocks = [{ kind: "cols" as const, keys, cols, ts, length: n }];
        const bytes = encodeBatchBytes({ data: { kind: "metric", blocks }, first, createdAt: "2026-11-26T13:00:00.123456Z" });
        expect(Buffer.from(bytes).toString("latin1")).toBe(Buffer.from(te.encode(encodeMetricLines(first, blocks, "2026-11-26T13:00:00.123456Z"))).toString("latin1"));
      }),
      { numRuns: 3_000 },
    );
  }, CPU_TIMEOUT_MS);
});

describe("number formatting", () => {
  /** String(v), except where Python must read back the same float: -0.0, and integral floats past 2^53 in Python's repr. */
  const pyText = (v: number): string => (Object.is(v, -0) ? "-0.0" : Math.abs(v) >= 2 ** 53 ? (Math.abs(v) < 1e16 ? String(v) + ".0" : v.toExponential()) : String(v));

  test("property: decimalString(v) is exactly String(v) for every finite double (bar -0 and integral floats past 2^53)", async () => {
    const { decimalString } = await import("../../src/layout/py-json.ts");
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        expect(decimalString(v)).toBe(pyText(v));
      }),
      { numRuns: 20_000 },
    );
  }, CPU_TIMEOUT_MS);

  test("property: … and for integers, formatted from digit tables", async () => {
    const { decimalString } = await import("../../src/layout/py-json.ts");
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: -1001, max: 1001 })), (v) => {
        expect(decimalString(v)).toBe(pyText(v));
      }),
      { numRuns: 50_000 },
    );
    for (const v of [0, -0, 9, 10, 99, 100, 999, 1000, 1001, 100000, 1000999, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, 1e21, 123456789012345680000])
      expect(decimalString(v), String(v)).toBe(pyText(v));
  }, CPU_TIMEOUT_MS);

  test("property: intText(v) is exactly String(v) for every non-negative safe integer", async () => {
    const { intText } = await import("../../src/layout/py-json.ts");
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 2001 })), (v) => {
        expect(intText(v)).toBe(String(v));
      }),
      { numRuns: 50_000 },
    );
    for (const v of [0, 9, 10, 999, 1000, 1001, 1010, 10_000, 999_999, 1_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER]) expect(intText(v)).toBe(String(v));
  }, CPU_TIMEOUT_MS);

  test("property: … and for numbers on the 10⁻⁶ grid, where the fast path runs", async () => {
    const { decimalString } = await import("../../src/layout/py-json.ts");
    const grid = fc.tuple(fc.integer({ min: -4_000_000_000, max: 4_000_000_000 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 6 }));
    fc.assert(
      fc.property(grid, ([i, f, keep]) => {
        const frac = Math.floor(f / 10 ** (6 - keep)) * 10 ** (6 - keep);
        const v = (i * 1e6 + (i < 0 ? -frac : frac)) / 1e6;
        expect(decimalString(v)).toBe(pyText(v));
      }),
      { numRuns: 50_000 },
    );
    for (const v of [1795677564.479940, 1795677564.4799, 0.873, 0.001, 1e-6, 0.000123, 100.5, -2.25, 3999999999.999999, 5, 0, -0, 1e-7, 4e9])
      expect(decimalString(v), String(v)).toBe(pyText(v));
  }, CPU_TIMEOUT_MS);

  test("property: a column block encodes exactly as the same points kept as rows (repeated values reuse their text)", async () => {
    const { encodeMetricLines } = await import("../../src/layout/records.ts");
    // Few distinct values, so runs of equal values (and of NaN, ±Infinity, 0 and -0) are common.
    const value = fc.constantFrom(0, -0, 1, 0.5, 0.1 + 0.2, NaN, Infinity, -Infinity, 1795677564.47994, 2 ** 31, -(2 ** 31) - 1, 1e21);
    const rows = fc.array(fc.tuple(value, value, value), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(rows, (points) => {
        const n = points.length;
        const keys = ["loss", "acc"];
        const cols = [new Float64Array(n), new Float64Array(n)];
        const ts = new Float64Array(n);
        points.forEach(([a, b, t], i) => {
          cols[0]![i] = a;
          cols[1]![i] = b;
          ts[i] = t;
        });
        const asCols = encodeMetricLines(7, [{ kind: "cols", keys, cols, ts, length: n }], "2026-01-01T00:00:00.000000Z");
        const asRows = encodeMetricLines(7, [{ kind: "rows", rows: points.map(([a, b, t]) => ({ loss: a, acc: b, _ts: t })), length: n }], "2026-01-01T00:00:00.000000Z");
        expect(asCols).toBe(asRows);
      }),
      { numRuns: 2_000 },
    );
  }, CPU_TIMEOUT_MS);
});
