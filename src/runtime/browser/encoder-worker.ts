/**
 * ml-dash's module worker of browsers and Deno. By default an encoder: it turns the column blocks
 * it is sent (as transferables) into JSONL bytes and sends them back (transferred). Its first
 * message can give it another role instead: serving a window's IndexedDB store
 * (storage-worker.ts) or the OPFS adapter's file changes (adapters/opfs/io-worker.ts). Built as
 * its own file, `dist/web-encoder-worker.js`, so a page under a strict Content-Security-Policy
 * (`worker-src 'self'`) can start it: no blob: URL, no eval (src/storage/module-worker.ts starts it).
 */
import { handleEncoderRequest, type EncoderRequest } from "../../backends/local/encoder-pool.ts";
import { indexedDBAdapter } from "../../../adapters/indexeddb/index.ts";
import { serveStorage, type StoragePort } from "../../storage/over-port.ts";
import { fileOps } from "../../../adapters/opfs/file-ops.ts";
import { serveFileOps, type IoRequest } from "../../../adapters/opfs/io-serve.ts";

/** The message that makes this worker the one serving a window's IndexedDB store (storage-worker.ts). */
export interface ServeStorageRequest {
  readonly kind: "storage";
  readonly dbName: string;
  readonly port: MessagePort;
}

type FirstMessage = EncoderRequest | ServeStorageRequest | IoRequest;

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<FirstMessage>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};

scope.onmessage = (e) => {
  const m = e.data;
  if ("kind" in m && m.kind === "storage") {
    serveStorage(indexedDBAdapter({ dbName: m.dbName }), m.port as unknown as StoragePort);
    return;
  }
  if ("kind" in m && m.kind === "opfs-io") {
    // From here on this worker answers file changes only (this first message is its ping).
    serveFileOps(fileOps);
    scope.onmessage?.(e);
    return;
  }
  const { reply, transfer } = handleEncoderRequest(m as EncoderRequest);
  scope.postMessage(reply, transfer);
};
