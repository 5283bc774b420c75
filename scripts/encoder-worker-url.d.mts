import type { Plugin } from "esbuild";
/** See encoder-worker-url.mjs. */
export function encoderWorkerUrl(to?: string): Plugin;
