#!/usr/bin/env node
// Builds dist/web-encoder-worker.js, the module worker of browsers and Deno, as ONE file with
// nothing to import (its dependencies, idb included, are inside). Run by tsup's onSuccess.
//
// Vite and webpack find the worker through `new Worker(new URL("./web-encoder-worker.js",
// import.meta.url), { type: "module" })` in the package and bundle it themselves. esbuild leaves
// that URL alone, so its users copy this file next to their bundle (README: "Bundlers"); as a
// tsup entry it imported three of the package's shared chunks, so the copy failed to load and
// every batch was encoded on the page's thread.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const outfile = join(root, "dist", "web-encoder-worker.js");

/** Bundles the worker, minified, into dist/web-encoder-worker.js; returns its size in bytes. */
export async function buildWebWorker() {
  await build({
    entryPoints: [join(root, "src/runtime/browser/encoder-worker.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    outfile,
    legalComments: "none",
    // An esbuild user serves this file as it is (Vite and webpack bundle it again, minifying it
    // themselves): 45 kB raw, 11.4 kB gzip unminified.
    minify: true,
    logLevel: "error",
  });
  return statSync(outfile).size;
}

/**
 * Throws unless every built file that starts the worker by its relative name sits at dist's root,
 * beside it: the code that names it (src/runtime/browser/module-worker.ts) must land in a shared
 * chunk there, as it does while both the encoder and the OPFS adapter import it. Elsewhere (in
 * dist/adapters/, say) `new URL("./web-encoder-worker.js", import.meta.url)` names no file, and
 * the worker's users would silently fall back to this thread.
 */
export function checkWorkerReferences(dir = join(root, "dist")) {
  const misplaced = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".js") && d !== dir && readFileSync(p, "utf8").includes('new URL("./web-encoder-worker.js"')) misplaced.push(relative(dir, p));
    }
  };
  walk(dir);
  if (misplaced.length > 0) throw new Error(`${misplaced.join(", ")} start web-encoder-worker.js by a name relative to themselves, but they are not beside it at dist's root`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = await buildWebWorker();
  checkWorkerReferences();
  console.log(`web encoder worker: dist/web-encoder-worker.js ${(size / 1024).toFixed(1)} kB, self-contained`);
}
