/**
 * Templates, checked against what CPython gives (test/fixtures/templates/vectors.ts, written by
 * make.py): strftime, the format-spec mini-language, str.format errors; plus snowflake ids and
 * entry paths. Pure units, portable to every host.
 */
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../src/index.ts";
import { normalizePath, parentDir, pathStem, resolveEntry, searchProjectRoot, stripExtension } from "../../src/run-config/entry-path.ts";
import { formatValue } from "../../src/run-config/format-spec.ts";
import { SnowflakeGenerator, SNOWFLAKE_EPOCH_MS, generateSnowflakeId, parseSnowflakeId } from "../../src/run-config/snowflake.ts";
import { strftime } from "../../src/run-config/strftime.ts";
import { pyFormat, templateFailure, type FieldLookup } from "../../src/run-config/template.ts";
import { TemplateError } from "../../src/run-config/template-error.ts";
import { webEntry, webUser } from "../../src/run-config/web-context.ts";
import { DATES, FORMAT_CASES, FORMAT_ERRORS, STRFTIME_CASES, VALUES } from "../fixtures/templates/vectors.ts";

const date = (name: string): Date => {
  const [y, mo, d, h, mi, s, us] = DATES[name] as number[] as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s, us / 1000);
};

const lookup: FieldLookup = (name) => {
  if (name === "now") return { found: true, value: date("d1") };
  return name in VALUES ? { found: true, value: VALUES[name] } : { found: false };
};

/** Formats like Python, turning a TemplateError into a ValidationError naming "prefix". */
const format = (template: string): string => {
  try {
    return pyFormat(template, lookup);
  } catch (err) {
    return templateFailure(err, "prefix", template, () => "");
  }
};

export function templatesSuite(name: string): void {
  describe(`templates: ${name}`, () => {
    test("strftime gives what CPython gives for every supported directive", () => {
      const wrong = STRFTIME_CASES.filter((c) => strftime(date(c.date), c.format) !== c.expected).map((c) => `${c.date} ${c.format}: ${strftime(date(c.date), c.format)} ≠ ${c.expected}`);
      expect(wrong).toEqual([]);
      expect(STRFTIME_CASES.length).toBeGreaterThan(100);
    });

    test("an unknown strftime directive is an error (glibc would pass it through)", () => {
      expect(() => strftime(date("d1"), "%Q")).toThrow(TemplateError);
      expect(() => strftime(date("d1"), "%Y%")).toThrow(/lone "%"/);
      expect(() => format("{now:%Q}")).toThrow(ValidationError);
      expect(() => strftime(new Date(Number.NaN), "%Y")).toThrow(/invalid/);
    });

    test("format specs and str.format give what CPython gives", () => {
      const attempt = (t: string): string => {
        try {
          return format(t);
        } catch (err) {
          return `threw ${(err as Error).message}`;
        }
      };
      const wrong = FORMAT_CASES.filter((c) => attempt(c.template) !== c.expected).map((c) => `${c.template}: ${JSON.stringify(attempt(c.template))} ≠ ${JSON.stringify(c.expected)}`);
      expect(wrong).toEqual([]);
      expect(FORMAT_CASES.length).toBeGreaterThan(200);
    });

    test("where CPython raises, a ValidationError names the field and the Python exception", () => {
      for (const c of FORMAT_ERRORS) {
        let err: unknown;
        try {
          format(c.template);
        } catch (e) {
          err = e;
        }
        expect(err, c.template).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).field).toBe("prefix");
        expect((err as Error).message, c.template).toContain(`Python raises ${c.python}`);
        expect((err as Error).message).toContain(JSON.stringify(c.template));
      }
    });

    test("bigint and unset values format like Python ints and None", () => {
      expect(formatValue(392837465012345678n, "d")).toBe("392837465012345678");
      expect(formatValue(undefined, "")).toBe("None");
      expect(formatValue(null, "")).toBe("None");
      expect(() => formatValue(undefined, ">3")).toThrow(/unset value/);
    });
  });

  describe(`snowflake ids: ${name}`, () => {
    test("Python's layout: ms since 2024-01-01 << 22 | worker << 12 | sequence, 18 digits today", () => {
      const t = Date.UTC(2026, 10, 26, 6, 20, 53, 123);
      const gen = new SnowflakeGenerator({ workerId: 517, now: () => t });
      const a = gen.next();
      const b = gen.next();
      expect(a).toBe((((BigInt(t - SNOWFLAKE_EPOCH_MS) << 22n) | (517n << 12n)) | 0n).toString());
      expect(a).toMatch(/^\d{18}$/);
      expect(parseSnowflakeId(b)).toEqual({ timestamp: t, workerId: 517, sequence: 1 });
      expect(parseSnowflakeId(BigInt(a)).sequence).toBe(0);
      expect(generateSnowflakeId()).toMatch(/^\d{18}$/);
      const before = Date.now();
      const now = parseSnowflakeId(generateSnowflakeId()).timestamp;
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(Date.now());
    });

    test("after 4096 ids in one millisecond it waits for the next; ids only grow", () => {
      let t = 1_800_000_000_000;
      let reads = 0;
      // The clock advances only after it has been read 10 times past the overflow.
      const gen = new SnowflakeGenerator({ workerId: 1, now: () => (reads++ > 4096 + 10 ? t + 1 : t) });
      const ids = Array.from({ length: 4097 }, () => gen.next());
      expect(new Set(ids).size).toBe(4097);
      expect(parseSnowflakeId(ids[4095] as string)).toMatchObject({ timestamp: t, sequence: 4095 });
      expect(parseSnowflakeId(ids[4096] as string)).toMatchObject({ timestamp: t + 1, sequence: 0 });
      const sorted = [...ids].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
      expect(sorted).toEqual(ids);
    });

    test("a clock that goes back does not throw or repeat an id (Python raises)", () => {
      let t = 1_800_000_000_000;
      const gen = new SnowflakeGenerator({ workerId: 2, now: () => t });
      const a = gen.next();
      t -= 5000;
      const b = gen.next();
      expect(BigInt(b) > BigInt(a)).toBe(true);
      expect(() => new SnowflakeGenerator({ workerId: 1024 })).toThrow(RangeError);
    });
  });

  describe(`entry paths: ${name}`, () => {
    test("an entry becomes an absolute path: file URLs, URLs, relative and Windows paths", () => {
      expect(resolveEntry("file:///home/alice/proj/scripts/train.ts", undefined)).toEqual({ path: "/home/alice/proj/scripts/train.ts", kind: "file" });
      expect(resolveEntry(new URL("file:///home/a%20b/x.ts"), undefined).path).toBe("/home/a b/x.ts");
      expect(resolveEntry("file:///C:/Users/al/proj/train.ts", undefined).path).toBe("C:/Users/al/proj/train.ts");
      expect(resolveEntry("http://localhost:5173/src/train.ts?t=1", undefined)).toEqual({ path: "/src/train.ts", kind: "url" });
      expect(resolveEntry("scripts/../scripts/./train.ts", "/home/alice/proj").path).toBe("/home/alice/proj/scripts/train.ts");
      expect(resolveEntry("C:\\Users\\al\\proj\\train.ts", undefined).path).toBe("C:/Users/al/proj/train.ts");
      expect(normalizePath("/a/../../b//c/.")).toBe("/b/c");
      expect(parentDir("/a")).toBe("/");
      expect(parentDir("/")).toBe("/");
      expect(parentDir("C:/a")).toBe("C:/");
    });

    test("pathStem is the path below the root without its extension (Python's splitext)", () => {
      expect(pathStem("/home/alice/proj/scripts/train.ts", "/home/alice/proj")).toBe("scripts/train");
      expect(pathStem("/home/alice/proj/scripts/train.ts", "/home/alice/proj/")).toBe("scripts/train");
      expect(pathStem("/home/alice/proj/train.test.ts", "/home/alice/proj")).toBe("train.test");
      expect(pathStem("/src/train.ts", "/")).toBe("src/train");
      expect(pathStem("C:/p/scripts/train.py", "C:/p")).toBe("scripts/train");
      // Outside the root: Python drops as many leading segments as the root has.
      expect(pathStem("/tmp/other/x/train.py", "/home/alice")).toBe("x/train");
      expect(stripExtension("a/.bashrc")).toBe("a/.bashrc");
      expect(stripExtension("a.b/c")).toBe("a.b/c");
      expect(stripExtension("..a.b")).toBe("..a");
    });

    test("the project root is the nearest folder with a marker; a folder entry starts at itself", () => {
      const tree: Record<string, "file" | "dir"> = {
        "/home/alice/proj": "dir",
        "/home/alice/proj/package.json": "file",
        "/home/alice/proj/scripts": "dir",
        "/home/alice/proj/scripts/train.ts": "file",
        "/home/alice/py/pyproject.toml": "file",
        "/home/alice/py/deep/er/run.py": "file",
        "/home/alice/dn/deno.json": "file",
        "/home/alice/dn/main.ts": "file",
        "/home/alice/lone/x.ts": "file",
      };
      const stat = (p: string): "file" | "dir" | undefined => tree[p];
      expect(searchProjectRoot("/home/alice/proj/scripts/train.ts", stat)).toBe("/home/alice/proj");
      expect(searchProjectRoot("/home/alice/proj", stat)).toBe("/home/alice/proj");
      expect(searchProjectRoot("/home/alice/py/deep/er/run.py", stat)).toBe("/home/alice/py");
      expect(searchProjectRoot("/home/alice/dn/main.ts", stat)).toBe("/home/alice/dn");
      expect(searchProjectRoot("/home/alice/lone/x.ts", stat)).toBeUndefined();
    });

    test("browsers and workers: the user is the page stem or the worker name; the entry is the page URL", () => {
      expect(webUser({ location: { pathname: "/lab/train.html", href: "http://x/lab/train.html" } })).toBe("train");
      expect(webUser({ location: { pathname: "/" } })).toBe("index");
      expect(webUser({ location: { pathname: "/w/worker.js" }, name: "trainer-3", importScripts: () => undefined })).toBe("trainer-3");
      expect(webUser({ location: { pathname: "/w/worker.js" }, name: "", importScripts: () => undefined })).toBe("worker");
      expect(webUser({ name: "tab-name" })).toBeUndefined();
      expect(webUser({})).toBeUndefined();
      expect(webEntry({ location: { href: "http://x/lab/train.html" } })).toBe("http://x/lab/train.html");
      expect(webEntry({})).toBeUndefined();
    });
  });
}
