/**
 * The core is runtime-agnostic: outside `src/runtime/` (and the CLI), `src/` uses Web APIs only. This test
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

/** The only runtime-specific places in src/: each runtime's folder, the CLI, the dashboard's browser page. */
const RUNTIME_SPECIFIC = [/^src\/dashboard\/ui\//, /^src\/runtime\/(node|bun|deno|browser|workerd|default)\//, /^src\/cli\//];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !RUNTIME_SPECIFIC.some((re) => re.test(relative(REPO, p).replaceAll("\\", "/"))) ? [p] : [];
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

test("only the runtime folders and the CLI are exempt", () => {
  const exempt = (p: string): boolean => RUNTIME_SPECIFIC.some((re) => re.test(p));
  expect(["src/runtime/node/entry.ts", "src/cli/main.ts", "src/runtime/node/serve.ts", "src/runtime/deno/host.ts"].every(exempt)).toBe(true);
  expect(["src/server/index.ts", "src/backends/remote/client.ts", "src/server/node.ts", "src/api/experiment.ts", "src/runtime/x.ts"].some(exempt)).toBe(false);
});

test("the purity check itself catches a violation", () => {
  const sample = code('import { x } from "node:fs";\nconst y = process.env.X; // process. in a comment is fine\n');
  const found = FORBIDDEN.filter(([re]) => re.test(sample)).map(([, w]) => w);
  expect(found).toEqual(["a node: import", "process"]);
});
