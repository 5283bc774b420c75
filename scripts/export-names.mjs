#!/usr/bin/env node
// The public surface of the built package: for every subpath of package.json "exports", the
// names its type declarations export (values and types), found with the TypeScript compiler on
// dist/*.d.ts. `node scripts/export-names.mjs` prints them as JSON;
// test/node/public-surface.test.ts compares them with test/fixtures/public-exports.json.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";

/** `{ "<subpath>": ["Name", ...] }` for the package at `root` (built into dist/). */
export function exportNames(root = process.cwd()) {
  const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));
  const entries = {};
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") continue; // ./package.json
    // "." has types per export condition; its surface here is Node's (what it was before the split).
    entries[sub] = resolve(root, target.types ?? target.node.types);
  }
  const program = ts.createProgram(Object.values(entries), { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const out = {};
  for (const [sub, file] of Object.entries(entries)) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`${sub}: no declarations at ${file} (run the build first)`);
    const sym = checker.getSymbolAtLocation(sf);
    out[sub] = sym ? checker.getExportsOfModule(sym).map((s) => s.getName()).sort() : [];
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(exportNames(), null, 2));
