/**
 * The encoder worker of browsers and Deno: a module worker that turns the column blocks it is
 * sent (as transferables) into JSONL bytes and sends them back (transferred). Built as its own
 * file, `dist/web-encoder-worker.js`, so a page under a strict Content-Security-Policy
 * (`worker-src 'self'`) can start it: no blob: URL, no eval.
 */
import { handleEncoderRequest, type EncoderRequest } from "../../backends/local/encoder-pool.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<EncoderRequest>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};

scope.onmessage = (e) => {
  const { reply, transfer } = handleEncoderRequest(e.data);
  scope.postMessage(reply, transfer);
};
