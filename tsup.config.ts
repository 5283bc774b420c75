import { defineConfig } from "tsup";
import { encoderWorkerUrl } from "./scripts/encoder-worker-url.mjs";

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
    // The module worker of browsers and Deno, a file of its own (strict CSP: no blob: worker).
    "web-encoder-worker": "src/runtime/browser/encoder-worker.ts",
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
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  outDir: "dist",
  external: [/^node:/],
  esbuildPlugins: [encoderWorkerUrl()],
  // The dashboard's browser UI (preact + uPlot) is bundled separately into dist/dashboard/ui/.
  onSuccess: "node scripts/build-dashboard-ui.mjs",
});
