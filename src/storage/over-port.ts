/**
 * A storage adapter served from another thread. `serveStorage` answers a message port's requests
 * with an adapter's operations (in a worker); `storageOverPort` is the adapter on the other side
 * (a window), so the page's storage work runs beside the page instead of on it: IndexedDB clones
 * every value on the thread that puts it (~2.4 µs per 160-byte metric point in Chromium).
 *
 * Requests are answered in the order they arrive and each operation is called as it arrives, so
 * appends to one key land in call order as with the adapter itself. Bytes given away
 * (`appendParts`) are transferred; other bytes are copied by the message, as an adapter copies
 * what it is given. Streams and locks are not carried: the page keeps a direct adapter for them
 * (files and exports; data appends never use them).
 */
import { StorageError } from "../errors.ts";
import type { StorageAdapter } from "./contract.ts";

/** The side of a `MessageChannel` (or a worker's scope) as used here. */
export interface StoragePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

/** The operations carried over the port. */
const OPS = ["read", "readRange", "stat", "write", "append", "appendParts", "truncate", "list", "delete", "deletePrefix", "sync", "close"] as const;
type Op = (typeof OPS)[number];

interface Request {
  readonly id: number;
  readonly op: Op;
  readonly args: unknown[];
}
type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string | undefined };

/** The id of the message that says the worker serves: sent once, first. */
const READY = -1;

/** Serves `adapter` on `port` (in the worker). */
export function serveStorage(adapter: StorageAdapter, port: StoragePort): void {
  port.onmessage = (e: MessageEvent<Request>) => {
    const { id, op, args } = e.data;
    let done: Promise<unknown>;
    try {
      const fn = OPS.includes(op) ? (adapter[op] as ((...a: unknown[]) => Promise<unknown>) | undefined) : undefined;
      done = fn ? fn.apply(adapter, args) : Promise.reject(new StorageError(`The ${adapter.name} store has no ${String(op)}()`, { code: "UNSUPPORTED" }));
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(
      (value) => port.postMessage({ id, ok: true, value: value ?? null } satisfies Reply),
      (err: unknown) => {
        const x = err as { message?: unknown; code?: unknown } | null;
        port.postMessage({ id, ok: false, message: String(x?.message ?? err), code: typeof x?.code === "string" ? x.code : undefined } satisfies Reply);
      },
    );
  };
  port.postMessage({ id: READY, ok: true, value: null } satisfies Reply);
}

/** The buffers of `parts` that they own whole, each once: transferred with the message. */
function ownBuffers(parts: readonly Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const p of parts) if (p.byteOffset === 0 && p.byteLength === p.buffer.byteLength && p.buffer instanceof ArrayBuffer) out.add(p.buffer);
  return [...out];
}

/** A connection made by `storageOverPort`'s `connect`: the port, and how to stop its worker. */
export interface StorageConnection {
  readonly port: StoragePort;
  stop(): void;
}

/**
 * The adapter of the page's side: data operations go over the port once `connect` gave one;
 * streams, locks and capabilities are `direct`'s, and so is everything when `connect` gives
 * none (the worker could not start) or the port broke (`broken()` was called). `close()` stops
 * the worker; the next operation connects again.
 */
export function storageOverPort(connect: () => Promise<StorageConnection | undefined>, direct: StorageAdapter): StorageAdapter & { broken(err: unknown): void } {
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let next = 0;
  let conn: Promise<StorageConnection | undefined> | undefined;
  let dead = false;

  const open = (): Promise<StorageConnection | undefined> =>
    (conn ??= connect().then((c) => {
      if (!c) return undefined;
      c.port.onmessage = (e: MessageEvent<Reply>) => {
        const r = e.data;
        const w = waiting.get(r.id);
        if (!w) return;
        waiting.delete(r.id);
        if (r.ok) w.resolve(r.value);
        else w.reject(new StorageError(r.message, r.code ? { code: r.code } : {}));
      };
      return c;
    }));

  async function call<T>(op: Op, args: unknown[], transfer: Transferable[] = []): Promise<T> {
    const c = dead ? undefined : await open();
    if (!c || dead) return (direct[op] as (...a: unknown[]) => Promise<T>).apply(direct, args);
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: (v) => resolve(v as T), reject });
      c.port.postMessage({ id, op, args } satisfies Request, transfer);
    });
  }

  return {
    name: direct.name,
    capabilities: direct.capabilities,
    read: (key) => call("read", [key]),
    readRange: (key, start, end) => call("readRange", [key, start, end]),
    stat: (key) => call("stat", [key]),
    write: (key, data) => call("write", [key, data]),
    append: (key, data) => call("append", [key, data]),
    appendParts: (key, parts) => call("appendParts", [key, parts], ownBuffers(parts)),
    truncate: (key, size) => call("truncate", [key, size]),
    list: (prefix) => call("list", [prefix]),
    delete: (key) => call("delete", [key]),
    deletePrefix: (prefix) => call("deletePrefix", [prefix]),
    ...(direct.readStream ? { readStream: (key: string) => (direct.readStream as NonNullable<StorageAdapter["readStream"]>)(key) } : {}),
    ...(direct.writeStream ? { writeStream: (key: string) => (direct.writeStream as NonNullable<StorageAdapter["writeStream"]>)(key) } : {}),
    ...(direct.lock ? { lock: <T>(name: string, fn: () => Promise<T>) => (direct.lock as NonNullable<StorageAdapter["lock"]>)(name, fn) } : {}),
    sync: () => call("sync", []),
    close: async () => {
      const c = conn && !dead ? await conn : undefined;
      if (c) {
        try {
          await call("close", []);
        } finally {
          conn = undefined;
          c.stop();
        }
      }
      await direct.close();
    },
    broken(err: unknown) {
      dead = true;
      const error = new StorageError(`The ${direct.name} worker stopped: ${err instanceof Error ? err.message : String(err)}`, { code: "WORKER_FAILED" });
      for (const w of waiting.values()) w.reject(error);
      waiting.clear();
    },
  };
}

/** True when `data` is the first message a served port sends. */
export const isReady = (data: unknown): boolean => (data as { id?: unknown } | null)?.id === READY;
