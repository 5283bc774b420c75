#!/usr/bin/env node
// Builds the dashboard's browser UI (src/dashboard/ui/, preact + uPlot) into dist/dashboard/ui/:
// app-<hash>.js, app-<hash>.css and an index.html that loads them. Run by tsup's onSuccess (so
// `npm run build` and `npm test` build it) and by the dashboard test runner.
// Prints the gzip size of the JavaScript, which the first-load budget (≤ 80 kB) is about.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "dist", "dashboard", "ui");

export async function buildDashboardUi({ quiet = false } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: { app: join(root, "src/dashboard/ui/main.tsx") },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "[name]-[hash]",
    outdir: out,
    metafile: true,
    legalComments: "none",
    logLevel: "error",
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((n) => n.endsWith(".js"));
  const css = outputs.find((n) => n.endsWith(".css"));
  const html = readFileSync(join(root, "src/dashboard/ui/index.html"), "utf8")
    .replace("%CSS%", css ? `<link rel="stylesheet" href="/dash/ui/${css}">` : "")
    .replace("%JS%", `<script type="module" src="/dash/ui/${js}"></script>`);
  writeFileSync(join(out, "index.html"), html);
  const gz = gzipSync(readFileSync(join(out, js)), { level: 9 }).length;
  if (!quiet) console.log(`dashboard UI: ${js} ${(gz / 1024).toFixed(1)} kB gzip${css ? `, ${css}` : ""}`);
  return { js, css, gzipBytes: gz };
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDashboardUi();
