#!/usr/bin/env node
// `npm run size`: min+gzip size of what a browser app ships for `import { Experiment } from
// "ml-dash"` (the browser entry: core + IndexedDB adapter), bundled and minified by esbuild.
// Prints one line per bundle and fails when the browser entry passes its budget.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";

const BUDGET = 20 * 1024;
const bundles = [
  { name: "ml-dash (browser entry: core + IndexedDB)", entry: "src/entries/browser.ts", budget: BUDGET },
  { name: "ml-dash/core", entry: "src/index.ts" },
  { name: "ml-dash/adapters/opfs", entry: "adapters/opfs/index.ts" },
];

let over = false;
for (const b of bundles) {
  const out = await build({
    entryPoints: [b.entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["browser"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = out.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  const verdict = b.budget ? (gz <= b.budget ? ` (budget ${kb(b.budget)}: ok)` : ` (budget ${kb(b.budget)}: OVER)`) : "";
  if (b.budget && gz > b.budget) over = true;
  console.log(`${b.name}: ${kb(code.length)} min, ${kb(gz)} min+gzip${verdict}`);
  if (process.argv.includes("--why")) {
    const inputs = Object.entries(out.metafile.outputs[Object.keys(out.metafile.outputs)[0]].inputs)
      .sort((x, y) => y[1].bytesInOutput - x[1].bytesInOutput)
      .slice(0, 15);
    for (const [file, info] of inputs) console.log(`  ${String(info.bytesInOutput).padStart(7)}  ${file}`);
  }
}
process.exit(over ? 1 : 0);
