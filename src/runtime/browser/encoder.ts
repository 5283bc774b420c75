/**
 * Encoder workers on Web Workers (browsers, Deno): module workers started from the file
 * `encoder-worker.ts` next to this one (`web-encoder-worker.js` next to the bundle's chunks in
 * `dist/`) by src/storage/module-worker.ts. Vite and webpack 5 recognise its `new Worker(new
 * URL(…, import.meta.url), { type: "module" })` and emit the worker with the user's bundle;
 * esbuild leaves it alone, so its users copy the file, which imports nothing
 * (scripts/build-web-worker.mjs; scripts/test-package.mjs runs all three in Chromium). Loaded on
 * first use (`RuntimeHooks.loadEncoder`), never with the page.
 *
 * When no worker can start (no `Worker`, a Content-Security-Policy that forbids it, a missing
 * file) the constructor throws or the worker reports an error, and the pool
 * (src/backends/local/encoder-pool.ts) encodes inline with the same function and the same bytes.
 */
import type { EncoderReply, EncoderWorker } from "../../backends/local/encoder-pool.ts";
import { startModuleWorker } from "../../storage/module-worker.ts";

/** Options of {@link webEncoderSpawner}. */
export interface WebEncoderOptions {
  /**
   * Where a live worker keeps the program running (Deno): an idle worker is stopped after
   * `idleMs` and started again for the next job. Without it, workers live as long as the page.
   */
  readonly idle?: { readonly ms: number; readonly unrefTimer?: (handle: unknown) => void };
}

let warned = false;

/**
 * Says once per realm that the module worker failed, so its work runs on this thread: the same
 * bytes, but the page's thread pays for them, which nothing else would tell a developer. Usually
 * a bundler that did not emit the file (esbuild) or a Content-Security-Policy without
 * `worker-src 'self'`.
 */
function warnWorkerFailed(reason: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `[ml-dash] the module worker web-encoder-worker.js failed (${reason}): its work runs on this thread. ` +
      "With esbuild, copy node_modules/ml-dash/dist/web-encoder-worker.js next to your bundle; under a CSP, allow worker-src 'self'.",
  );
}

/**
 * Starts one module worker running encoder-worker.ts: an encoder, or (`name` "ml-dash storage",
 * storage-worker.ts) the thread that serves a window's IndexedDB store. Its callers fall back to
 * this thread when it throws or reports an error; the first failure is also warned about.
 */
export function startWorker(name = "ml-dash encoder"): Worker {
  let worker: Worker;
  try {
    worker = startModuleWorker(name);
  } catch (err) {
    warnWorkerFailed(err instanceof Error ? err.message : String(err));
    throw err;
  }
  worker.addEventListener("error", (e) => warnWorkerFailed(e.message || "the file did not load"));
  return worker;
}

/**
 * Adapts a started Web Worker to the pool's {@link EncoderWorker}. With `options.idle`, the
 * worker is stopped once it has answered every request and stayed idle, and `start` brings up a
 * new one for the next request.
 */
export function webEncoderWorker(start: () => Worker, options: WebEncoderOptions = {}): EncoderWorker {
  let worker: Worker | undefined = start();
  let onMessage: (reply: EncoderReply) => void = () => undefined;
  let onError: (error: unknown) => void = () => undefined;
  let outstanding = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const attach = (w: Worker): void => {
    w.onmessage = (e: MessageEvent<EncoderReply>) => {
      if (--outstanding === 0) scheduleStop();
      onMessage(e.data);
    };
    w.onerror = (e) => {
      e.preventDefault?.(); // handled: the pool encodes inline
      onError(new Error(`encoder worker failed: ${e.message || "it could not start"}`));
    };
    w.onmessageerror = () => onError(new Error("encoder worker: a reply could not be read"));
  };
  const scheduleStop = (): void => {
    const idle = options.idle;
    if (!idle) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (outstanding === 0 && worker) {
        worker.terminate();
        worker = undefined;
      }
    }, idle.ms);
    idle.unrefTimer?.(idleTimer);
  };
  attach(worker);
  return {
    post(message, transfer) {
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      idleTimer = undefined;
      if (!worker) attach((worker = start()));
      outstanding++;
      worker.postMessage(message, transfer);
    },
    listen(message, error) {
      onMessage = message;
      onError = error;
    },
    terminate() {
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      worker?.terminate();
      worker = undefined;
    },
  };
}

/**
 * `RuntimeHooks.spawnEncoder` on Web Workers, or `undefined` where this realm has no module
 * workers (the pool then encodes inline).
 */
export function webEncoderSpawner(options: WebEncoderOptions = {}): (() => EncoderWorker) | undefined {
  if (typeof Worker !== "function") return undefined;
  return () => webEncoderWorker(() => startWorker(), options);
}
