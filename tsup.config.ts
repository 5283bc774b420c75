import { defineConfig, type Options } from "tsup";
import { encoderWorkerUrl } from "./scripts/encoder-worker-url.mjs";

type Plugin = NonNullable<Options["plugins"]>[number];

/**
 * Drops the bare `import "./chunk-X.js";` lines esbuild's code splitting writes to keep module
 * evaluation order. Our modules have no side effects at load (package.json says
 * `"sideEffects": false`), so the lines change nothing — but every bundler that reads the package
 * (esbuild, wrangler, vite) warned once per line that it ignores them (51 warnings in `wrangler
 * dev`). Named imports of a chunk stay, so everything a module uses still loads.
 */
const dropBareChunkImports: Plugin = {
  name: "drop-bare-chunk-imports",
  renderChunk(code) {
    return { code: code.replace(/^import\s*["'](?:\.\.?\/)+chunk-[A-Za-z0-9_-]+\.js["'];?[ \t]*\r?\n/gm, "") };
  },
};

/** One ESM build of every entry; shared chunks keep one copy of the classes across entries. */
export default defineConfig({
  entry: {
    index: "src/index.ts",
    "entries/node": "src/runtime/node/entry.ts",
    "entries/bun": "src/runtime/bun/entry.ts",
    "entries/deno": "src/runtime/deno/entry.ts",
    "entries/browser": "src/runtime/browser/entry.ts",
    "entries/workerd": "src/runtime/workerd/entry.ts",
    "entries/default": "src/runtime/default/entry.ts",
    "encoder-worker": "src/runtime/node/encoder-worker.ts",
    // The module worker of browsers and Deno (dist/web-encoder-worker.js, a file of its own for a
    // strict CSP: no blob: worker) is built by onSuccess as one file that imports nothing, so an
    // esbuild user can copy it next to their bundle (scripts/build-web-worker.mjs).
    "adapters/memory": "adapters/memory/index.ts",
    "adapters/node-fs": "adapters/node-fs/index.ts",
    dashboard: "src/dashboard/index.ts",
    "dashboard-node": "src/runtime/node/dashboard.ts",
    tfjs: "src/tfjs/index.ts",
    "adapters/deno-fs": "adapters/deno-fs/index.ts",
    "adapters/indexeddb": "adapters/indexeddb/index.ts",
    "adapters/opfs": "adapters/opfs/index.ts",
    archive: "src/archive/index.ts",
    "server/index": "src/server/index.ts",
    "server/node": "src/runtime/node/serve.ts",
    cli: "src/cli/bin.ts",
  },
  format: ["esm"],
  target: "es2022",
  platform: "neutral",
  dts: {
    // `await using exp` needs Symbol.asyncDispose in the types; a program whose lib is ES2022
    // (no esnext.disposable) gets it from here, declared as @types/node and lib.esnext do.
    banner: "declare global { interface SymbolConstructor { readonly asyncDispose: unique symbol; } }",
  },
  // No source maps: they were 1.4 MB of the 3.2 MB package and pointed into src/, shipped only for them.
  sourcemap: false,
  clean: true,
  splitting: true,
  treeshake: true,
  outDir: "dist",
  external: [/^node:/],
  plugins: [dropBareChunkImports],
  esbuildPlugins: [encoderWorkerUrl()],
  // The dashboard's browser UI (preact + uPlot) is bundled separately into dist/dashboard/ui/.
  onSuccess: "node scripts/build-dashboard-ui.mjs && node scripts/build-web-worker.mjs",
});
