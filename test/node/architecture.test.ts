/**
 * The house rules of src/ and adapters/ (issue 12), computed from the source every run: no import
 * circles (static, type or dynamic imports), no upward import between layers, no file over 400
 * lines, at most 6 files loose in src/, and the `.dash` file names written only under
 * src/layout/. Each failure lists what breaks the rule as file:line.
 *
 * The layers, bottom to top (a file imports its own layer and the ones below, never above):
 *
 *   0  src/internal, src/errors.ts              helpers without a domain; the one error hierarchy
 *   1  src/model                                the data model: ids, batches, records, options, defaults
 *   2  src/layout, src/protocol, src/storage,   the .dash layout, the wire format, the storage contract;
 *      src/auth, src/run-config                 token files and RUN templates (they need only the model)
 *   3  src/write, src/files, src/backends,      the write path, the files API's machinery, the
 *      adapters                                 backends, and the storage adapters (they implement layer 2)
 *   4  src/replicate                            the hybrid wrapper (local + remote)
 *   5  src/api, src/index.ts, src/exports.ts    Experiment and its builders; the core entry (ml-dash/core)
 *   6  src/server, src/dashboard, src/archive,  features built on the SDK, host-neutral (Web APIs only)
 *      src/tfjs
 *   7  src/runtime                              each host's bindings and entries (they bind the server and
 *                                               the dashboard to node:http, Deno.serve, …)
 *   8  src/cli                                  the `ml-dash` command, a Node program on top of everything
 *
 * A folder of src/ that is in no layer fails the layering test until it is placed here.
 */
import { describe, expect, test } from "vitest";
import { REPO } from "../support/child.ts";
import { codeStrings, importCircles, importEdges, importSpecifiers, lineCount, parse, pathSegmentsIn, sourceFiles, type ImportEdge } from "../support/source-graph.ts";

const LAYERS: readonly (readonly string[])[] = [
  ["src/internal", "src/errors.ts"],
  ["src/model"],
  ["src/layout", "src/protocol", "src/storage", "src/auth", "src/run-config"],
  ["src/write", "src/files", "src/backends", "adapters"],
  ["src/replicate"],
  ["src/api", "src/index.ts", "src/exports.ts"],
  ["src/server", "src/dashboard", "src/archive", "src/tfjs"],
  ["src/runtime"],
  ["src/cli"],
];
const MAX_LINES = 400;
const MAX_LOOSE_IN_SRC = 6;
/** The file names of the `.dash` layout: only src/layout/ spells them. */
const DASH_NAMES = ["experiment.json", "parameters.json", "data.jsonl", "metadata.json", "logs.jsonl", ".log_sequence", ".files_metadata.json", ".dashrc"];
const LAYOUT_DIR = "src/layout/";

const files = sourceFiles(REPO, ["src", "adapters"]);
const edges = importEdges(files);

/** The layer of a file: the longest folder (or file) of LAYERS it is in; undefined when none. */
function layerOf(path: string): { layer: number; place: string } | undefined {
  let best: { layer: number; place: string } | undefined;
  LAYERS.forEach((places, layer) => {
    for (const place of places) {
      if ((path === place || path.startsWith(place + "/")) && (!best || place.length > best.place.length)) best = { layer, place };
    }
  });
  return best;
}

const where = (e: ImportEdge): string => `${e.from}:${e.line}${e.kind === "static" ? "" : ` (${e.kind})`}`;

describe("architecture", () => {
  test("the tree is read: files and imports are found", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(files.length);
  });

  test("no import circles among src/ and adapters/ (static, type and dynamic imports)", () => {
    const circles = importCircles(
      files.map((f) => f.path),
      edges,
    ).map((c) => {
      const inside = new Set(c);
      const links = edges.filter((e) => inside.has(e.from) && inside.has(e.to)).map((e) => `${where(e)} → ${e.to}`);
      return `circle of ${c.length}: ${c.join(", ")}\n    ${links.join("\n    ")}`;
    });
    expect(circles, `${circles.length} import circle(s):\n  ${circles.join("\n  ")}`).toEqual([]);
  });

  test("no upward imports: each file imports only its own layer and those below", () => {
    const unplaced = [...new Set(files.filter((f) => !layerOf(f.path)).map((f) => f.path.split("/").slice(0, 2).join("/")))].map((p) => `${p}: in no layer (place it in LAYERS of test/node/architecture.test.ts)`);
    const upward = edges.flatMap((e) => {
      const a = layerOf(e.from);
      const b = layerOf(e.to);
      return a && b && b.layer > a.layer ? [`${where(e)} (layer ${a.layer}, ${a.place}) imports ${e.to} (layer ${b.layer}, ${b.place})`] : [];
    });
    const problems = [...unplaced, ...upward];
    expect(problems, `${upward.length} upward import(s), ${unplaced.length} unplaced folder(s):\n  ${problems.join("\n  ")}`).toEqual([]);
  });

  test(`no file over ${MAX_LINES} lines in src/ and adapters/`, () => {
    const long = files.filter((f) => lineCount(f.text) > MAX_LINES).map((f) => `${f.path}:${lineCount(f.text)} (${lineCount(f.text)} lines)`);
    expect(long, `${long.length} file(s) over ${MAX_LINES} lines:\n  ${long.join("\n  ")}`).toEqual([]);
  });

  test(`at most ${MAX_LOOSE_IN_SRC} files directly in src/`, () => {
    const loose = files.filter((f) => /^src\/[^/]+$/.test(f.path)).map((f) => f.path);
    expect(loose.length, `${loose.length} files loose in src/: ${loose.join(", ")}`).toBeLessThanOrEqual(MAX_LOOSE_IN_SRC);
  });

  test(".dash path strings are written only under src/layout/ (in code; comments and prose do not count)", () => {
    const found = files
      .filter((f) => !f.path.startsWith(LAYOUT_DIR))
      .flatMap((f) => codeStrings(f).flatMap((s) => pathSegmentsIn(s.text, DASH_NAMES).map((name) => `${f.path}:${s.line} ${name} in ${JSON.stringify(s.text)}`)));
    expect(found, `${found.length} .dash path string(s) outside ${LAYOUT_DIR}:\n  ${found.join("\n  ")}`).toEqual([]);
  });
});

describe("the checks themselves", () => {
  test("the circle finder finds a planted circle, a self-import, and nothing in a chain", () => {
    const nodes = ["a", "b", "c", "d", "e", "f"];
    const e = (from: string, to: string): { from: string; to: string } => ({ from, to });
    expect(importCircles(nodes, [e("a", "b"), e("b", "c"), e("c", "a"), e("d", "a"), e("e", "f")])).toEqual([["a", "b", "c"]]);
    expect(importCircles(nodes, [e("a", "b"), e("b", "c"), e("e", "e")])).toEqual([["e"]]);
    expect(importCircles(nodes, [e("a", "b"), e("b", "c"), e("a", "c"), e("d", "c")])).toEqual([]);
    // Two circles joined through one file are one component.
    expect(importCircles(nodes, [e("a", "b"), e("b", "a"), e("b", "c"), e("c", "d"), e("d", "b")])).toEqual([["a", "b", "c", "d"]]);
  });

  test("imports are found by kind, in code only, and resolved to files", () => {
    const f = parse(
      "src/x/a.ts",
      [
        `import { b } from "./b.ts";`,
        `import type { C } from "../c.ts";`,
        `import { type D } from "./d.ts";`,
        `export * from "./e.ts";`,
        `export type { F } from "./f.ts";`,
        `// import { nope } from "./commented.ts";`,
        `/** @example import { nope } from "./jsdoc.ts"; */`,
        `const g = () => import("./g.ts");`,
        `let h: typeof import("./h.ts");`,
        `import { z } from "zod";`,
      ].join("\n"),
    );
    expect(importSpecifiers(f)).toEqual([
      { spec: "./b.ts", line: 1, kind: "static" },
      { spec: "../c.ts", line: 2, kind: "type" },
      { spec: "./d.ts", line: 3, kind: "type" },
      { spec: "./e.ts", line: 4, kind: "static" },
      { spec: "./f.ts", line: 5, kind: "type" },
      { spec: "./g.ts", line: 8, kind: "dynamic" },
      { spec: "./h.ts", line: 9, kind: "type" },
    ]);
    const b = parse("src/x/b.ts", `import { a } from "./a.ts";\n`);
    expect(importEdges([f, b])).toEqual([
      { from: "src/x/a.ts", to: "src/x/b.ts", line: 1, kind: "static" },
      { from: "src/x/b.ts", to: "src/x/a.ts", line: 1, kind: "static" },
    ]);
    expect(importCircles(["src/x/a.ts", "src/x/b.ts"], importEdges([f, b]))).toEqual([["src/x/a.ts", "src/x/b.ts"]]);
  });

  test("path strings: in literals, templates and regexps of code, as path segments only", () => {
    const f = parse(
      "src/x/p.ts",
      [
        `/** Reads experiment.json (a comment). */`,
        `const a = "experiment.json";`,
        "const b = `${dir}/metrics/${m}/data.jsonl`;",
        `const c = /\\/metadata\\.json$/;`,
        `throw new Error("a .dashrc must be a mapping");`,
        `const d = key.endsWith("/.files_metadata.json");`,
        `const e = "metadata.json.bak";`,
      ].join("\n"),
    );
    const hits = codeStrings(f).flatMap((s) => pathSegmentsIn(s.text, DASH_NAMES).map((n) => `${s.line}:${n}`));
    expect(hits).toEqual(["2:experiment.json", "3:data.jsonl", "4:metadata.json", "6:.files_metadata.json"]);
  });

  test("lines are counted as an editor counts them", () => {
    expect([lineCount(""), lineCount("a"), lineCount("a\n"), lineCount("a\nb"), lineCount("a\nb\n")]).toEqual([0, 1, 1, 2, 2]);
  });
});
