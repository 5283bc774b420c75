#!/usr/bin/env node
// `npm run size`: min+gzip size of what a browser app ships for `import { Experiment } from
// "ml-dash"` (the browser entry: core + IndexedDB adapter), each file gzipped as it is served.
// The app is built twice, as app bundlers do it: by Vite (Rolldown: the bundler most browser apps
// use) and by esbuild with code splitting (which puts every module shared by the entry and a
// lazy chunk in a chunk of its own, so the same code arrives in ~17 files instead of 3).
// "initial" is what a page loads up front: the entry and every chunk it imports statically.
// "lazy" is every chunk it can load later. Then, in Chromium (scripts/size-first-use.mjs), what a
// page really downloads on its first run: local, and with a `dashUrl`.
// Exits 1 when a budget is passed.
import { build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { firstUse, PAGE_SCRIPT } from "./size-first-use.mjs";

const REPO = resolve(import.meta.dirname, "..");
// Issue 18's targets: ≤ 15 kB initial with either bundler, ≤ 50 kB loaded on first use. esbuild's
// splitting costs ~1.3 kB of gzip over one file (see the concatenated figure), and it follows every
// module a barrel names: a factory that a page loads up front imports the adapter kit's front door.
const BUDGET = { vite: 15 * 1024, esbuild: 15 * 1024, firstUse: 50 * 1024 };
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const failures = [];
const budget = (what, n, max) => {
  const ok = n <= max;
  if (!ok) failures.push(`${what}: ${kb(n)} > ${kb(max)}`);
  return ` (budget ${kb(max)}: ${ok ? "ok" : "OVER"})`;
};

const work = mkdtempSync(join(tmpdir(), "mldash-size-"));
const app = join(work, "app.js");
writeFileSync(app, PAGE_SCRIPT(join(REPO, "src/runtime/browser/entry.ts")));
writeFileSync(join(work, "index.html"), `<!doctype html><meta charset="utf-8"><script type="module" src="./app.js"></script>\n`);

/** Files that load up front: from `roots`, following static imports. */
function closure(roots, importsOf) {
  const seen = new Set();
  const visit = (k) => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const i of importsOf(k)) visit(i);
  };
  roots.forEach(visit);
  return seen;
}

/**
 * `--why`: each initial file with its gzip size, and from `explain` the modules in it and, for a
 * chunk, the lazily loaded entries that import it too: a module shared with lazy code is why a
 * splitting bundler gives it a file of its own in the page's first download.
 */
function report(name, files, initial, budgetMax, explain = () => "") {
  const init = [...initial].reduce((a, k) => ({ min: a.min + files.get(k).length, gz: a.gz + gz(files.get(k)) }), { min: 0, gz: 0 });
  const lazy = [...files.keys()].filter((k) => k.endsWith(".js") && !initial.has(k));
  const lazyGz = lazy.reduce((n, k) => n + gz(files.get(k)), 0);
  const joined = gz(Buffer.concat([...initial].map((k) => files.get(k))));
  console.log(
    `${name}: ${kb(init.gz)} min+gzip initial in ${initial.size} files (${kb(init.min)} min; ${kb(joined)} if one file)${budget(name, init.gz, budgetMax)}; ` +
      `${kb(lazyGz)} in ${lazy.length} lazy chunks (every one a page could load)`,
  );
  if (process.argv.includes("--why")) for (const k of initial) console.log(`  ${String(gz(files.get(k))).padStart(7)}  ${k}${explain(k)}`);
}

const shortName = (path) => path.replace(/\0/g, "").replace(/^.*?\/(src|adapters|node_modules)\//, "$1/");

try {
  // Vite, as an app builds for production (its defaults).
  const { build: viteBuild } = await import("vite");
  const out = await viteBuild({ root: work, configFile: false, logLevel: "silent", build: { write: false } });
  const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
  const viteFiles = new Map(outputs.map((o) => [`/${o.fileName}`, Buffer.from(o.type === "chunk" ? o.code : o.source)]));
  const chunks = new Map(outputs.filter((o) => o.type === "chunk").map((o) => [`/${o.fileName}`, o]));
  const viteInitial = closure(
    [...chunks.values()].filter((c) => c.isEntry).map((c) => `/${c.fileName}`),
    (k) => chunks.get(k).imports.map((i) => `/${i}`),
  );
  const viteWhy = (k) => `: ${Object.keys(chunks.get(k)?.modules ?? {}).map(shortName).join(" ")}`;
  report("Vite: ml-dash (browser entry)", viteFiles, viteInitial, BUDGET.vite, viteWhy);

  // esbuild with code splitting.
  const es = await build({ entryPoints: { main: app }, bundle: true, splitting: true, minify: true, format: "esm", platform: "browser", target: "es2022", conditions: ["browser"], outdir: "/size-out", write: false, metafile: true, logLevel: "silent" });
  const strip = (k) => k.replace(/^.*size-out\//, "");
  const esFiles = new Map(es.outputFiles.map((f) => [strip(f.path), Buffer.from(f.contents)]));
  const meta = Object.fromEntries(Object.entries(es.metafile.outputs).map(([k, v]) => [strip(k), v]));
  const esInitial = closure(["main.js"], (k) => meta[k].imports.filter((i) => i.kind === "import-statement").map((i) => strip(i.path)));
  const esWhy = (k) => {
    const modules = Object.keys(meta[k].inputs).map(shortName);
    const lazyImporters = Object.entries(meta)
      .filter(([o, v]) => !esInitial.has(o) && v.entryPoint && v.imports.some((i) => i.kind === "import-statement" && strip(i.path) === k))
      .map(([, v]) => shortName(v.entryPoint));
    return `: ${modules.join(" ") || "(esbuild's runtime helpers)"}${lazyImporters.length ? `; also imported by lazy ${lazyImporters.join(" ")}` : ""}`;
  };
  report("esbuild: ml-dash (browser entry)", esFiles, esInitial, BUDGET.esbuild, esWhy);

  // What a first run downloads, in Chromium, from the Vite build.
  const measured = await firstUse(viteFiles, { distDir: join(REPO, "dist") });
  if (measured.skipped) console.log(`first use in Chromium: not measured (${measured.skipped})`);
  for (const r of measured.rows ?? []) {
    console.log(
      `first run, ${r.scenario}: ${kb(r.firstUse.gz)} in ${r.firstUse.files} files loaded on first use${budget(`first use, ${r.scenario}`, r.firstUse.gz, BUDGET.firstUse)} ` +
        `after ${kb(r.initial.gz)} initial`,
    );
    if (process.argv.includes("--why")) {
      // Largest first, each with its gzip size and (Vite's) modules: where a saving would come from.
      const rows = r.firstUse.names.map((n) => ({ n, size: viteFiles.has(n) ? gz(viteFiles.get(n)) : 0 })).sort((a, b) => b.size - a.size);
      for (const { n, size } of rows) console.log(`  ${String(size).padStart(7)}  ${n}${chunks.has(n) ? viteWhy(n) : ""}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) console.log(`over budget: ${failures.join("; ")}`);
process.exit(failures.length ? 1 : 0);
