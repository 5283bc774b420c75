/**
 * The dashboard UI's pure pieces, without a browser: the series palette's contrast on both
 * themes, number and x formatting, the runs table's filter expressions.
 */
import { describe, expect, test } from "vitest";
import { fmtNum, fmtX, xTitle } from "../../src/dashboard/ui/chart/format.ts";
import { BACKGROUNDS, contrast, seriesStyle } from "../../src/dashboard/ui/chart/palette.ts";
import { FilterError, parseFilter } from "../../src/dashboard/ui/table/filter-expr.ts";
import { mustMove, OVERSCAN, ROW_PX_GUESS, rowWindow, WINDOW_FROM } from "../../src/dashboard/ui/table/window.ts";

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

describe("runs table window", () => {
  const at = (viewTop: number, count = 1000) => rowWindow({ count, rowPx: 30, bodyTop: 200, viewTop, viewBottom: viewTop + 900 });

  test(`a table of up to ${WINDOW_FROM} rows is drawn whole, wherever it is scrolled`, () => {
    expect(at(0, WINDOW_FROM)).toEqual({ first: 0, end: WINDOW_FROM, viewFirst: 0, viewEnd: WINDOW_FROM });
    expect(at(5000, 40)).toMatchObject({ first: 0, end: 40 });
  });

  test("a longer one draws the rows in view and the overscan either side, clamped to the table", () => {
    expect(at(0)).toEqual({ first: 0, end: 24 + OVERSCAN, viewFirst: 0, viewEnd: 24 }); // 700 px of rows below the body's top
    expect(at(200 + 30 * 500)).toEqual({ first: 500 - OVERSCAN, end: 530 + OVERSCAN, viewFirst: 500, viewEnd: 530 });
    expect(at(200 + 30 * 990)).toEqual({ first: 990 - OVERSCAN, end: 1000, viewFirst: 990, viewEnd: 1000 });
    expect(at(10 ** 7)).toEqual({ first: 1000 - OVERSCAN, end: 1000, viewFirst: 1000, viewEnd: 1000 }); // scrolled past the end: the last rows
    // An unmeasured row height falls back to the guess.
    expect(rowWindow({ count: 1000, rowPx: 0, bodyTop: 0, viewTop: 0, viewBottom: ROW_PX_GUESS * 10 })).toMatchObject({ viewEnd: 10 });
  });

  test("the window moves only when the rows in view near its edge, and always when they leave it", () => {
    const now = at(200 + 30 * 500);
    expect(mustMove(now, at(200 + 30 * 505), 1000)).toBe(false); // a few rows: still well inside
    expect(mustMove(now, at(200 + 30 * 525), 1000)).toBe(true); // within a third of the overscan of the bottom edge
    expect(mustMove(now, at(200 + 30 * 490), 1000)).toBe(false);
    expect(mustMove(now, at(200 + 30 * 475), 1000)).toBe(true);
    expect(mustMove(now, at(0), 1000)).toBe(true); // jumped to the top
    expect(mustMove(at(0), at(30), 1000)).toBe(false); // at the top edge the window cannot start earlier
    const end = at(200 + 30 * 990);
    expect(mustMove(end, at(200 + 30 * 995), 1000)).toBe(false); // nor end later at the bottom
  });

  test("scrolling through the whole table in small steps always has every row in view drawn", () => {
    let win = at(0);
    for (let top = 0; top < 200 + 30 * 1000; top += 37) {
      const next = at(top);
      if (mustMove(win, next, 1000)) win = next;
      expect(win.first, `top ${top}`).toBeLessThanOrEqual(next.viewFirst);
      expect(win.end, `top ${top}`).toBeGreaterThanOrEqual(next.viewEnd);
    }
  });
});
