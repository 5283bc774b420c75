// An esbuild plugin for builds of src/storage/module-worker.ts (tsup.config.ts, the browser
// benchmarks): in the sources the worker is src/runtime/browser/encoder-worker.ts (Vite and Deno
// load it as is); built, module-worker.ts lands in a chunk at the root of the output (the
// encoder and the OPFS adapter both import it) and the worker is `web-encoder-worker.js` beside
// it. esbuild leaves `new URL(…, import.meta.url)` alone, so the name is rewritten here.
import { readFile } from "node:fs/promises";

const FROM = 'new URL("../runtime/browser/encoder-worker.ts", import.meta.url)';
const TO = 'new URL("./web-encoder-worker.js", import.meta.url)';
// Trees before src/storage/module-worker.ts started the worker from encoder.ts (bench/compare-browser.mjs builds them too).
const OLD_FROM = 'new URL("./encoder-worker.ts", import.meta.url)';

/** The plugin; `to` is the worker's path relative to the chunk that holds module-worker.ts. */
export function encoderWorkerUrl(to = TO) {
  return {
    name: "encoder-worker-url",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]storage[\\/]module-worker\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes(FROM)) throw new Error(`${args.path} no longer holds ${FROM}: update scripts/encoder-worker-url.mjs`);
        return { contents: source.replace(FROM, to), loader: "ts" };
      });
      build.onLoad({ filter: /[\\/]src[\\/]runtime[\\/]browser[\\/]encoder\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        return source.includes(OLD_FROM) ? { contents: source.replace(OLD_FROM, to), loader: "ts" } : undefined;
      });
    },
  };
}
