#!/usr/bin/env node
// Builds dist/web-encoder-worker.js, the module worker of browsers and Deno, as ONE file with
// nothing to import (its dependencies, idb included, are inside). Run by tsup's onSuccess.
//
// Vite and webpack find the worker through `new Worker(new URL("./web-encoder-worker.js",
// import.meta.url), { type: "module" })` in the package and bundle it themselves. esbuild leaves
// that URL alone, so its users copy this file next to their bundle (README: "Bundlers"); as a
// tsup entry it imported three of the package's shared chunks, so the copy failed to load and
// every batch was encoded on the page's thread.
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const outfile = join(root, "dist", "web-encoder-worker.js");

/** Bundles the worker into dist/web-encoder-worker.js; returns its size in bytes. */
export async function buildWebWorker() {
  await build({
    entryPoints: [join(root, "src/runtime/browser/encoder-worker.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    outfile,
    legalComments: "none",
    logLevel: "error",
  });
  return statSync(outfile).size;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = await buildWebWorker();
  console.log(`web encoder worker: dist/web-encoder-worker.js ${(size / 1024).toFixed(1)} kB, self-contained`);
}
