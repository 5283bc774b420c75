/**
 * The pieces of the files API on their own: fnmatch globs (property-checked against Python's
 * fnmatch), content types (against Python's mimetypes), names, ids, Python's indented JSON,
 * and the repair of a metadata document torn by a crash.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { globMatch, splitPattern } from "../../src/files/glob.ts";
import { parseTolerant } from "../../src/files/metadata-store.ts";
import { contentTypeOf } from "../../src/files/mime.ts";
import { newFileId } from "../../src/files/local-file-store.ts";
import { contentKey, fullPath, inDir, normalizeDir, resolveTarget } from "../../src/files/names.ts";
import { pyJsonIndent } from "../../src/layout/py-json-indent.ts";

/** Property checks against python3 child processes (fnmatch, mimetypes) and file I/O: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const hasPython = spawnSync("python3", ["-c", "import fnmatch, mimetypes"]).status === 0;
const python = (script: string, input: unknown): unknown => JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(input), encoding: "utf8" }));

describe("globs", () => {
  test.skipIf(!hasPython)("agree with Python's fnmatch.fnmatchcase on random patterns and paths (no **)", () => {
    const atom = fc.constantFrom("a", "b", "c", "/", ".", "*", "?", "[ab]", "[!a]", "[a-c]", "[]a]", "[!]]", "x.png", "[");
    const patterns = fc.sample(fc.array(atom, { minLength: 1, maxLength: 6 }).map((a) => a.join("")), { numRuns: 300, seed: 42 });
    const texts = fc.sample(fc.stringMatching(/^[abc./]{0,7}(\.png)?$/), { numRuns: 60, seed: 7 });
    const pairs = patterns.flatMap((p) => texts.map((t) => [p, t] as const)).filter(([p]) => !p.includes("**"));
    const expected = python("import fnmatch, json, sys\nprint(json.dumps([fnmatch.fnmatchcase(t, p) for p, t in json.load(sys.stdin)]))", pairs) as boolean[];
    const got = pairs.map(([p, t]) => globMatch(p, t));
    const diff = pairs.filter((_, i) => got[i] !== expected[i]);
    expect(diff).toEqual([]);
  }, IO_TIMEOUT_MS);

  test("** crosses folders and **/ may match none; * crosses / as in Python", () => {
    expect(globMatch("**/*.png", "a.png")).toBe(true);
    expect(globMatch("**/*.png", "x/y/a.png")).toBe(true);
    expect(globMatch("a/**/b", "a/b")).toBe(true);
    expect(globMatch("a/**/b", "a/x/y/b")).toBe(true);
    expect(globMatch("a/**", "a/x/y")).toBe(true);
    expect(globMatch("*.png", "x/y/a.png")).toBe(true);
    expect(globMatch("a/*", "a/b/c")).toBe(true);
    expect(globMatch("a?c", "a/c")).toBe(true);
    expect(globMatch("*.PNG", "a.png")).toBe(false);
    expect(splitPattern("images/*.png")).toEqual({ dir: "images", pattern: "*.png" });
    expect(splitPattern("/a/b/**/c?.txt")).toEqual({ dir: "a/b", pattern: "**/c?.txt" });
    expect(splitPattern("*.png")).toEqual({ dir: undefined, pattern: "*.png" });
  }, IO_TIMEOUT_MS);
});

describe("content types", () => {
  const names = ["a.json", "a.txt", "a.png", "a.JPG", "a.jpeg", "a.csv", "a.html", "a.pdf", "a.zip", "a.tar", "a.tar.gz", "a.tgz", "a.gz", "a.csv.gz", "a.bin", "a.pt", "a.npy", "noext", ".hidden", "a.", "a.mp4", "a.svg", "a.gif", "a.webp", "a.wav", "a.mp3", "a.md"];
  test.skipIf(!hasPython)("match Python's built-in mimetypes table (default application/octet-stream)", () => {
    // MimeTypes(filenames=()): Python's own table, without the machine's /etc/mime.types (which maps .pt to a SNES format here).
    const expected = python(
      "import json, mimetypes, sys\nm = mimetypes.MimeTypes(filenames=())\nprint(json.dumps([m.guess_type(n)[0] or 'application/octet-stream' for n in json.load(sys.stdin)]))",
      names,
    ) as string[];
    // Python's table grows with its version; compare where this Python knows the type.
    const got = names.map(contentTypeOf);
    const diff = names.map((n, i) => [n, got[i], expected[i]]).filter(([, g, e]) => e !== "application/octet-stream" && g !== e);
    expect(diff).toEqual([]);
    expect(contentTypeOf("model.bin")).toBe("application/octet-stream");
    expect(contentTypeOf("a.tar.gz")).toBe("application/x-tar");
    expect(contentTypeOf("a.gz")).toBe("application/octet-stream");
  }, IO_TIMEOUT_MS);
});

describe("names and ids", () => {
  test("folders, targets, keys", () => {
    expect(normalizeDir(undefined)).toBe("/");
    expect(normalizeDir("/models/")).toBe("/models");
    expect(normalizeDir("a/b")).toBe("/a/b");
    expect(resolveTarget("/models", "ckpt/last.bin")).toEqual({ path: "/models/ckpt", filename: "last.bin" });
    expect(resolveTarget("/", "x.txt")).toEqual({ path: "/", filename: "x.txt" });
    expect(resolveTarget("/", "d/x.txt")).toEqual({ path: "/d", filename: "x.txt" });
    expect(fullPath("/", "x")).toBe("x");
    expect(fullPath("/a/b", "x")).toBe("a/b/x");
    expect(contentKey("e/files", "/", "12", "x")).toBe("e/files/12/x");
    expect(contentKey("e/files", "/a", "12", "x")).toBe("e/files/a/12/x");
    expect(inDir("/images2", "/images")).toBe(false);
    expect(inDir("/images/x", "/images")).toBe(true);
  }, IO_TIMEOUT_MS);

  test("ids have Python's shape and never repeat in a process", () => {
    const now = Date.now();
    const ids = Array.from({ length: 20_000 }, () => newFileId(now));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) expect(BigInt(id) >> 12n).toBe(BigInt(now));
    expect(ids[0]).toMatch(/^\d{16}$/);
  }, IO_TIMEOUT_MS);
});

describe("Python's json.dumps(indent=2)", () => {
  test.skipIf(!hasPython)("is reproduced byte for byte", () => {
    const values = [{ a: 1, b: [1, 2, { c: "é\u2028" }], d: {}, e: [], f: null, g: true, h: -0.5, i: 1e21, j: "\"\\/\n" }, [], {}, [[]], "x", 3];
    const expected = python("import json, sys\nprint(json.dumps([json.dumps(v, indent=2) for v in json.load(sys.stdin)]))", values) as string[];
    expect(values.map((v) => pyJsonIndent(v))).toEqual(expected);
  }, IO_TIMEOUT_MS);
});

describe("a torn .files_metadata.json", () => {
  const a = '{"id": "1", "path": "/", "filename": "a"}';
  const b = '{"id": "2", "path": "/", "filename": "b"}';
  test("is repaired when an in-place add was cut; otherwise treated as Python does (no files)", () => {
    expect(parseTolerant(`{"files": [${a}, ${b}]}`)).toEqual({ files: [JSON.parse(a), JSON.parse(b)], clean: true });
    expect(parseTolerant(`{"files": [${a}, ${b}`)).toEqual({ files: [JSON.parse(a), JSON.parse(b)], clean: false }); // "]}" cut
    expect(parseTolerant(`{"files": [${a}, ${b.slice(0, 12)}`)).toEqual({ files: [JSON.parse(a)], clean: false }); // half a record
    expect(parseTolerant("garbage")).toEqual({ files: [], clean: false });
    // Not safe to add in place: trailing whitespace, another key after or before "files", indentation.
    expect(parseTolerant(`{"files": [${a}]}\n`).clean).toBe(false);
    expect(parseTolerant(`{"files": [${a}], "x": []}`).clean).toBe(false);
    expect(parseTolerant(`{"x": 1, "files": [${a}]}`).clean).toBe(false);
    expect(parseTolerant(`{\n  "files": [\n    ${a}\n  ]\n}`)).toEqual({ files: [JSON.parse(a)], clean: false });
    expect(parseTolerant('{"files": 3}')).toEqual({ files: [], clean: false });
  }, IO_TIMEOUT_MS);
});
