/**
 * The dashboard UI's pure pieces, without a browser: the series palette's contrast on both
 * themes, number and x formatting.
 */
import { describe, expect, test } from "vitest";
import { fmtNum, fmtX, xTitle } from "../../src/dashboard/ui/chart/format.ts";
import { BACKGROUNDS, contrast, seriesStyle } from "../../src/dashboard/ui/chart/palette.ts";

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
