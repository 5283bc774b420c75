/**
 * The OPFS adapter's I/O worker: a dedicated worker, started from its own source text (a Blob
 * URL, so no extra file has to be served or bundled), that makes every file change with sync
 * access handles. Windows get appends that do not rewrite files (writable streams copy them),
 * and workers get their writes done beside the thread that encodes the next batch.
 *
 * One worker per realm, shared by every adapter. When it cannot start (no Worker, or a Content
 * Security Policy without `worker-src blob:`), `ioWorkerOps()` resolves to `undefined` and the
 * adapter does the changes itself.
 */
import { fileOps, type FileOps } from "./file-ops.ts";

type Reply = { id: number; ok: boolean; name?: string; message?: string };
type Request = { id: number; op: keyof FileOps | "ping"; args: unknown[] };

/** The worker's message loop (self-contained, like `fileOps`, for the same reason). */
function serve(makeOps: typeof fileOps): void {
  const scope = self as unknown as { onmessage: (e: MessageEvent<Request>) => void; postMessage(m: Reply): void };
  const ops = makeOps("sync", 25) as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  scope.onmessage = (e) => {
    const m = e.data;
    const run = m.op === "ping" ? Promise.resolve() : (ops[m.op] as (...args: unknown[]) => Promise<void>).apply(ops, m.args);
    run.then(
      () => scope.postMessage({ id: m.id, ok: true }),
      (err: unknown) => {
        const x = err as { name?: string; message?: string } | null;
        scope.postMessage({ id: m.id, ok: false, name: String((x && x.name) || "Error"), message: String((x && x.message) || err) });
      },
    );
  };
}

const SOURCE = `(${serve.toString()})(${fileOps.toString()});`;
const START_TIMEOUT_MS = 10_000;

let shared: Promise<FileOps | undefined> | undefined;

/** The realm's I/O worker, started on first use; `undefined` when workers cannot start here. */
export function ioWorkerOps(): Promise<FileOps | undefined> {
  return (shared ??= start());
}

async function start(): Promise<FileOps | undefined> {
  if (typeof Worker !== "function" || typeof Blob !== "function" || typeof URL.createObjectURL !== "function") return undefined;
  let worker: Worker;
  const url = URL.createObjectURL(new Blob([SOURCE], { type: "text/javascript" }));
  try {
    worker = new Worker(url);
  } catch {
    URL.revokeObjectURL(url);
    return undefined;
  }
  const waiting = new Map<number, { resolve(): void; reject(e: unknown): void }>();
  let next = 0;
  let broken: Error | undefined;
  worker.onmessage = (e: MessageEvent<Reply>) => {
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
  const call = (op: Request["op"], args: unknown[], transfer: Transferable[] = []): Promise<void> => {
    if (broken) return Promise.reject(broken);
    const id = next++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, args } satisfies Request, transfer);
    });
  };
  const started = await Promise.race([
    call("ping", []).then(() => true, () => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), START_TIMEOUT_MS)),
  ]);
  URL.revokeObjectURL(url);
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
  };
}
