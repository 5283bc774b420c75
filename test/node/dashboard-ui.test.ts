/**
 * The dashboard UI's pure pieces, without a browser: the series palette's contrast on both
 * themes, number and x formatting, the runs table's filter expressions.
 */
import { describe, expect, test } from "vitest";
import { fmtNum, fmtX, xTitle } from "../../src/dashboard/ui/chart/format.ts";
import { BACKGROUNDS, contrast, seriesStyle } from "../../src/dashboard/ui/chart/palette.ts";
import { FilterError, parseFilter } from "../../src/dashboard/ui/table/filter-expr.ts";

describe("palette", () => {
  test("the first 60 series colours keep 3:1 contrast on the light page and both dark surfaces", () => {
    for (let i = 0; i < 60; i++) for (const bg of BACKGROUNDS) expect(contrast(seriesStyle(i).color, bg), `series ${i} on ${bg}`).toBeGreaterThanOrEqual(3);
  });
  test("the 10th series differs from the 1st (hue or dash)", () => {
    const a = seriesStyle(0);
    const b = seriesStyle(9);
    expect(a.color !== b.color || a.dash.join() !== b.dash.join()).toBe(true);
  });
});

describe("format", () => {
  test("numbers keep a few significant digits, grouped", () => {
    expect(fmtNum(1234567)).toBe("1,234,567");
    expect(fmtNum(0.123456)).toBe("0.1235");
    expect(fmtNum(1.5e-7)).toBe("1.5e-7");
    expect(fmtNum(null)).toBe("—");
  });
  test("x values in their axis units", () => {
    expect(fmtX("step", 50)).toBe("50");
    expect(fmtX("relative", 90)).toBe("90s");
    expect(fmtX("_ts", 1795000000)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(xTitle("_ts")).toBe("time");
    expect(xTitle("epoch")).toBe("epoch");
  });
});

describe("runs table filter expressions", () => {
  const row: Record<string, unknown> = { lr: 0.001, status: "COMPLETED", optimizer: "adam", tags: ["baseline", "v2"], "train.loss.min": 0.12, "model.arch": "mlp" };
  const known = (n: string): boolean => n in row || n === "missing";
  const run = (src: string): boolean => parseFilter(src, known)((n) => row[n]);

  test("comparisons, and/or/not, parentheses, quoted and bare values", () => {
    expect(run("lr < 0.01 and status = COMPLETED")).toBe(true);
    expect(run("lr<0.01 and status=completed")).toBe(true);
    expect(run("lr >= 0.01 or optimizer = sgd")).toBe(false);
    expect(run("(optimizer = sgd or optimizer = 'adam') and not lr > 1e-2")).toBe(true);
    expect(run('model.arch == "mlp" and train.loss.min <= 0.12')).toBe(true);
    expect(run("tags ~ base and tags = v2 and tags != v3")).toBe(true);
    expect(run("missing = 1")).toBe(false);
    expect(run("missing != 1")).toBe(true);
    expect(run("")).toBe(true);
  });

  test("bad input names the problem and where, and nothing is evaluated as code", () => {
    expect(() => run("lr <")).toThrow(FilterError);
    expect(() => run("nope = 1")).toThrow(/Unknown column "nope"/);
    expect(() => run("lr < 0.01 and")).toThrow(/Expected a column name at the end/);
    expect(() => run("(lr < 1")).toThrow(/Expected "\)"/);
    expect(() => run("lr 1")).toThrow(/Expected a comparison/);
    expect(() => run("lr < 1; alert(1)")).toThrow(/Unexpected ";"/);
    expect(() => run("status = 'open")).toThrow(/Unclosed quote/);
  });
});
