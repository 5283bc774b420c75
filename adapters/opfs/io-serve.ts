/**
 * The message loop of the OPFS adapter's I/O worker: requests `{ id, op, args }` answered with
 * `{ id, ok }` (or the error's name and message). It runs in ml-dash's module worker file (the
 * role `opfs-io`) and, where that file is not served, in a worker started from its source text
 * (io-worker.ts), so like `fileOps` it stays self-contained: nothing from outside its body.
 */
import type { fileOps } from "./file-ops.ts";

/** A request to the I/O worker; `kind` picks the role of the module worker file (ignored after). */
export type IoRequest = { id: number; op: string; args: unknown[]; kind?: "opfs-io" };
/** Its answer. */
export type IoReply = { id: number; ok: boolean; name?: string; message?: string };

/** Makes this worker answer file operations (`ping` answers at once). */
export function serveFileOps(makeOps: typeof fileOps): void {
  const scope = self as unknown as { onmessage: (e: MessageEvent<IoRequest>) => void; postMessage(m: IoReply): void };
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
