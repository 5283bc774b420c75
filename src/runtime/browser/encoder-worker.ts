/**
 * The encoder worker of browsers and Deno: a module worker that turns the column blocks it is
 * sent (as transferables) into JSONL bytes and sends them back (transferred). Built as its own
 * file, `dist/web-encoder-worker.js`, so a page under a strict Content-Security-Policy
 * (`worker-src 'self'`) can start it: no blob: URL, no eval.
 */
import { handleEncoderRequest, type EncoderRequest } from "../../backends/local/encoder-pool.ts";
import { indexedDBAdapter } from "../../../adapters/indexeddb/index.ts";
import { serveStorage, type StoragePort } from "../../storage/over-port.ts";

/** The message that makes this worker the one serving a window's IndexedDB store (storage-worker.ts). */
export interface ServeStorageRequest {
  readonly kind: "storage";
  readonly dbName: string;
  readonly port: MessagePort;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<EncoderRequest | ServeStorageRequest>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};

scope.onmessage = (e) => {
  const m = e.data;
  if ("kind" in m && m.kind === "storage") {
    serveStorage(indexedDBAdapter({ dbName: m.dbName }), m.port as unknown as StoragePort);
    return;
  }
  const { reply, transfer } = handleEncoderRequest(m as EncoderRequest);
  scope.postMessage(reply, transfer);
};
