/**
 * The OPFS adapter's I/O worker: a dedicated worker that makes every file change with sync
 * access handles. Windows get appends that do not rewrite files (writable streams copy them),
 * and workers get their writes done beside the thread that encodes the next batch.
 *
 * It is ml-dash's module worker file (`web-encoder-worker.js`, asked for the role `opfs-io`), so
 * a page under a Content-Security-Policy with `worker-src 'self'` and a bundler that emits that
 * file need nothing more. Where the file is not served (an esbuild user who did not copy it), a
 * worker started from this module's source text (a blob: URL) takes its place.
 *
 * One worker per realm, shared by every adapter. When neither can start (no Worker, a policy
 * that refuses both), `ioWorkerOps()` resolves to `undefined` and the adapter does the changes
 * itself.
 */
import { startModuleWorker } from "../../src/storage/kit.ts";
import { fileOps, type FileOps } from "./file-ops.ts";
import { serveFileOps, type IoReply, type IoRequest } from "./io-serve.ts";

const SOURCE = `(${serveFileOps.toString()})(${fileOps.toString()});`;
const START_TIMEOUT_MS = 10_000;

let shared: Promise<FileOps | undefined> | undefined;

/** The realm's I/O worker, started on first use; `undefined` when workers cannot start here. */
export function ioWorkerOps(): Promise<FileOps | undefined> {
  return (shared ??= start());
}

async function start(): Promise<FileOps | undefined> {
  if (typeof Worker !== "function") return undefined;
  const fromFile = await connect(() => startModuleWorker("ml-dash opfs"));
  if (fromFile) return fromFile;
  if (typeof Blob !== "function" || typeof URL.createObjectURL !== "function") return undefined;
  const url = URL.createObjectURL(new Blob([SOURCE], { type: "text/javascript" }));
  try {
    return await connect(() => new Worker(url, { name: "ml-dash opfs" }));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The file operations of the worker `make` starts, once it has answered; `undefined` when it does not. */
async function connect(make: () => Worker): Promise<FileOps | undefined> {
  let worker: Worker;
  try {
    worker = make();
  } catch {
    return undefined;
  }
  const waiting = new Map<number, { resolve(): void; reject(e: unknown): void }>();
  let next = 0;
  let broken: Error | undefined;
  worker.onmessage = (e: MessageEvent<IoReply>) => {
    const w = waiting.get(e.data.id);
    if (!w) return;
    waiting.delete(e.data.id);
    if (e.data.ok) w.resolve();
    else w.reject(Object.assign(new Error(e.data.message), { name: e.data.name }));
  };
  worker.onerror = (e) => {
    e.preventDefault?.();
    broken = new Error(`the OPFS I/O worker failed: ${e.message || "it could not start"}`);
    for (const w of waiting.values()) w.reject(broken);
    waiting.clear();
  };
  const call = (op: keyof FileOps | "ping", args: unknown[], transfer: Transferable[] = []): Promise<void> => {
    if (broken) return Promise.reject(broken);
    const id = next++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      // The first message gives the module worker file its role; the others are file changes.
      const request: IoRequest = id === 0 ? { id, op, args, kind: "opfs-io" } : { id, op, args };
      worker.postMessage(request, transfer);
    });
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = await Promise.race([
    call("ping", []).then(() => true, () => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), START_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (!started) {
    worker.terminate();
    return undefined;
  }
  // The bytes are the adapter's own copy: transfer them instead of copying again.
  const own = (data: Uint8Array): Transferable[] => (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer ? [data.buffer] : []);
  return {
    append: (path, data) => call("append", [path, data], own(data)),
    // The parts are the adapter's (given by appendParts): transferred, each buffer once.
    appendParts: (path, parts) => call("appendParts", [path, parts], [...new Set(parts.flatMap(own))]),
    replace: (path, data) => call("replace", [path, data], own(data)),
    truncate: (path, size) => call("truncate", [path, size]),
    move: (from, to) => call("move", [from, to]),
    remove: (path, recursive) => call("remove", [path, recursive]),
    release: (path) => call("release", [path]),
    flush: (paths) => call("flush", [paths]),
  };
}
