/**
 * The core is runtime-agnostic: outside `src/entries/`, `src/` uses Web APIs only. This test
 * fails the build when a Node, Deno, Bun or DOM global or a `node:` import appears there.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "vitest";
import { REPO } from "../support/child.ts";

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+["']node:/, "a node: import"],
  [/import\(\s*["']node:/, "a dynamic node: import"],
  [/\brequire\s*\(/, "require()"],
  [/\bprocess\s*\./, "process"],
  [/\bBuffer\s*\./, "Buffer"],
  [/\bDeno\s*\./, "Deno"],
  [/\bBun\s*\./, "Bun"],
  [/\bwindow\s*\./, "window"],
  [/\bdocument\s*\./, "document"],
  [/\b__dirname\b|\b__filename\b/, "__dirname/__filename"],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    // src/dashboard/ui/ is the dashboard's browser page (bundled by esbuild, never imported by the SDK).
    if (statSync(p).isDirectory()) return (n === "entries" && dir.endsWith("src")) || (n === "ui" && dir.endsWith("dashboard")) ? [] : sources(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

/** Code without comments, so prose like "process." in a JSDoc does not count. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

test("src/ (runtime entries aside) touches no runtime-specific API", () => {
  const files = sources(join(REPO, "src"));
  expect(files.length).toBeGreaterThan(20);
  const hits: string[] = [];
  for (const f of files) {
    const lines = code(readFileSync(f, "utf8")).split("\n");
    lines.forEach((line, i) => {
      for (const [re, what] of FORBIDDEN) if (re.test(line)) hits.push(`${relative(REPO, f)}:${i + 1} uses ${what}: ${line.trim()}`);
    });
  }
  expect(hits).toEqual([]);
});

test("the purity check itself catches a violation", () => {
  const sample = code('import { x } from "node:fs";\nconst y = process.env.X; // process. in a comment is fine\n');
  const found = FORBIDDEN.filter(([re]) => re.test(sample)).map(([, w]) => w);
  expect(found).toEqual(["a node: import", "process"]);
});
