/**
 * Encoder workers on node:worker_threads (Node and Bun). The worker is the built file
 * `dist/encoder-worker.js`; when it is not next to this module (running from TypeScript sources,
 * or inside a user's own bundle) no worker is offered and encoding runs inline. Workers are
 * unref'd while idle (they never keep a process alive) and ref'd while encoding (so a process
 * cannot exit with a batch half-way through).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EncoderWorker } from "../../backends/local/encoder-pool.ts";

function findWorkerFile(): URL | undefined {
  if (!import.meta.url.startsWith("file:")) return undefined;
  for (const rel of ["./encoder-worker.js", "../encoder-worker.js"]) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

const workerFile = findWorkerFile();

/**
 * Starts one encoder worker thread. Its young generation: 4 MB had it spend a second per million
 * points in GC (8fde0ba); 48 MB held ~25 MB more of the process's peak RSS than 16 MB at the same
 * speed (10M points, node-fs: 243–257 vs 218–228 MB, 1.25–1.34M vs 1.21–1.27M points/s,
 * alternating, 3 each), and up to four workers each keep theirs. Since the worker reuses its
 * input and output buffers, 8 MB holds ~13 MB less than 16 MB at the same speed (10M points:
 * 150–156 vs 159–175 MB, 1.20–1.66M vs 1.25–1.51M points/s, alternating, 7 and 4 runs); 6 MB
 * and 4 MB were slower (1.15–1.44M, 1.18–1.20M).
 */
function spawn(file: URL, role: EncoderRole): EncoderWorker {
  const w = new Worker(file, { workerData: { role }, resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 } });
  return {
    post: (message, transfer) => w.postMessage(message, transfer),
    listen(onMessage, onError) {
      w.on("message", onMessage);
      w.on("error", onError);
      w.on("exit", (code) => code !== 0 && onError(new Error(`encoder worker exited with code ${code}`)));
      w.unref(); // after the listeners: adding a "message" listener refs the worker again
    },
    terminate: () => void w.terminate(),
    setBusy: (busy) => (busy ? w.ref() : w.unref()),
  };
}

/**
 * Whom an encoder thread works for. `background`: a training process, whose loop must never wait
 * for encoding (on Linux the thread lowers its priority). `server`: `ml-dash serve`, where encoding
 * is the request's own work and a niced thread only made clients wait: with a training process on
 * the same two cores, 1M points over loopback went from 1.23–1.41M (median 1.32M) to 1.27–1.55M
 * (median 1.44M) points/s (alternating, 6 runs each).
 */
export type EncoderRole = "background" | "server";

/** `RuntimeHooks.spawnEncoder` for Node and Bun, or undefined when the worker file is absent. */
export const spawnNodeEncoder: (() => EncoderWorker) | undefined = workerFile ? () => spawn(workerFile, "background") : undefined;

/** The server's encoder threads (`encoderPoolFor(serverEncoders)`: a pool of their own, at normal priority). */
export const serverEncoders: { spawnEncoder?(): EncoderWorker } = workerFile ? { spawnEncoder: () => spawn(workerFile, "server") } : {};
