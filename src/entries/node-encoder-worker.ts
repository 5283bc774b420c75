/** The encoder worker thread for Node and Bun (built as `dist/encoder-worker.js`). */
import { parentPort } from "node:worker_threads";
import { handleEncoderRequest, type EncoderRequest } from "../encoding/encoder-pool.ts";

const port = parentPort;
if (port) {
  port.on("message", (req: EncoderRequest) => {
    const { reply, transfer } = handleEncoderRequest(req);
    port.postMessage(reply, transfer);
  });
}
