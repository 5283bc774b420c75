#!/usr/bin/env node
// `npm run size`: min+gzip size of what a browser app ships for `import { Experiment } from
// "ml-dash"` (the browser entry: core + IndexedDB adapter), bundled and minified by esbuild with
// code splitting, as app bundlers do. "initial" is what a page loads up front: the entry and
// every chunk it imports statically, each gzipped as it is served. "lazy" are the chunks loaded
// on first use (the remote half when there is a `dashUrl`, the JPEG encoder, …). Exits 1 when
// the initial load of the browser entry passes its budget.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";

// 20.0 kB until issue 13; name rules checked at log() (model/names.ts), exact numbers and
// backpressure on the write path added 0.8 kB (20.3). Issue 18: prefix templates (format spec,
// strftime, {EXP.attr}) load only when a prefix holds one (−2.6 kB), the option schemas are
// walked by internal/schema.ts instead of valibot (−0.9 kB), and the backends' assembly loads
// with the first start (−0.3 kB): 16.5 kB. The target is 15 kB.
const BUDGET = 16.8 * 1024;
const bundles = [
  { name: "ml-dash (browser entry: core + IndexedDB)", entry: "src/runtime/browser/entry.ts", budget: BUDGET },
  { name: "ml-dash/core", entry: "src/index.ts" },
  { name: "ml-dash/adapters/opfs", entry: "adapters/opfs/index.ts" },
];
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;

let over = false;
for (const b of bundles) {
  const out = await build({
    entryPoints: { main: b.entry },
    bundle: true,
    splitting: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["browser"],
    outdir: "/size-out",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = new Map(out.outputFiles.map((f) => [f.path.replace(/^.*\/size-out\//, ""), f.contents]));
  const meta = Object.fromEntries(Object.entries(out.metafile.outputs).map(([k, v]) => [k.replace(/^.*size-out\//, ""), v]));
  const initial = new Set();
  const visit = (k) => {
    if (initial.has(k)) return;
    initial.add(k);
    for (const i of meta[k].imports) if (i.kind === "import-statement") visit(i.path.replace(/^.*size-out\//, ""));
  };
  visit("main.js");
  const total = (keys) =>
    keys.reduce((acc, k) => ({ min: acc.min + code.get(k).length, gz: acc.gz + gzipSync(code.get(k), { level: 9 }).length }), { min: 0, gz: 0 });
  const init = total([...initial]);
  const lazy = total(Object.keys(meta).filter((k) => !initial.has(k)));
  const verdict = b.budget ? ` (budget ${kb(b.budget)}: ${init.gz <= b.budget ? "ok" : "OVER"})` : "";
  if (b.budget && init.gz > b.budget) over = true;
  console.log(`${b.name}: ${kb(init.min)} min, ${kb(init.gz)} min+gzip initial${verdict}${lazy.min ? `; ${kb(lazy.gz)} min+gzip loaded on first use` : ""}`);
  if (process.argv.includes("--why")) {
    const inputs = {};
    for (const k of initial) for (const [f, i] of Object.entries(meta[k].inputs)) inputs[f] = (inputs[f] ?? 0) + i.bytesInOutput;
    for (const [f, n] of Object.entries(inputs).sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`  ${String(n).padStart(7)}  ${f}`);
  }
}
process.exit(over ? 1 : 0);
