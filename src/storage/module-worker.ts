/**
 * ml-dash's module worker file of browsers and Deno, started by name: in the sources
 * `src/runtime/browser/encoder-worker.ts`, in `dist/` `web-encoder-worker.js`
 * (scripts/encoder-worker-url.mjs rewrites the URL; this module lands in a chunk at dist's root,
 * beside the worker, because both the encoder and the OPFS adapter import it, and
 * scripts/build-web-worker.mjs fails the build if it does not). It sits with the storage kit,
 * which hands it to adapters; the file it names belongs to the browser runtime.
 *
 * One file serves every role, chosen by the first message: an encoder, a window's IndexedDB
 * store, the OPFS adapter's I/O. Vite and webpack emit it from this `new Worker(new URL(…))`;
 * esbuild users copy it next to their bundle. A Content-Security-Policy with `worker-src 'self'`
 * allows it: no blob: URL, no eval.
 */

/**
 * Starts the module worker named `name` (the name shows in the browser's developer tools).
 * Throws when no worker can start here (no `Worker`, a policy that refuses it); a file that does
 * not load is reported later, as an `error` event of the worker.
 */
export function startModuleWorker(name: string): Worker {
  return new Worker(new URL("../runtime/browser/encoder-worker.ts", import.meta.url), { type: "module", name });
}
