/**
 * Adapters reach the SDK through the adapter kit, src/storage/kit.ts, and its front door for
 * what a page loads up front, src/storage/front-kit.ts: an import from an adapter into `src/`
 * anywhere else fails here, so the core can move behind the kit without breaking them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, test } from "vitest";
import { REPO } from "../support/child.ts";

const KIT = "src/storage/kit.ts";
const FRONT_KIT = "src/storage/front-kit.ts";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The relative specifiers that `text` imports or re-exports, statically or dynamically. */
function relativeSpecifiers(text: string): string[] {
  return [...text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] as string);
}

/** What `file` imports, as paths from the repo root. */
function relativeImports(file: string): string[] {
  return relativeSpecifiers(readFileSync(file, "utf8")).map((s) => relative(REPO, resolve(dirname(file), s)).replaceAll("\\", "/"));
}

test("adapters import from src/ only through the adapter kit", () => {
  const files = sources(join(REPO, "adapters"));
  expect(files.length).toBeGreaterThan(10);
  const hits: string[] = [];
  for (const f of files) {
    const own = relative(REPO, f).split("/").slice(0, 2).join("/"); // adapters/<name>
    for (const target of relativeImports(f)) {
      if (target.startsWith(`${own}/`) || target === KIT || target === FRONT_KIT) continue;
      hits.push(`${relative(REPO, f)} imports ${target}`);
    }
  }
  expect(hits).toEqual([]);
});

test("the front door names only what the whole kit names", () => {
  const names = (file: string): string[] =>
    [...readFileSync(join(REPO, file), "utf8").matchAll(/^export (?:type )?\{([^}]*)\}/gm)].flatMap((m) => (m[1] as string).split(",").map((n) => n.trim().replace(/^type\s+/, "")));
  const front = names(FRONT_KIT);
  expect(front.length).toBeGreaterThan(2);
  expect(front.filter((n) => !names(KIT).includes(n))).toEqual([]);
});

test("the check sees static, dynamic, side-effect and re-export imports", () => {
  const text = 'import { a } from "../../src/errors.ts";\nexport { b } from "./b.ts";\nimport "../c.ts";\nconst d = await import("../../src/internal/mutex.ts");\nimport { e } from "idb";\n';
  expect(relativeSpecifiers(text)).toEqual(["../../src/errors.ts", "./b.ts", "../c.ts", "../../src/internal/mutex.ts"]);
});
