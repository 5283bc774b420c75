/** The encoder worker thread for Node and Bun (built as `dist/encoder-worker.js`). */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { handleEncoderRequest, type EncoderRequest } from "../../backends/local/encoder-pool.ts";

/**
 * In a training process encoding is background work: on Linux this thread lowers its own
 * priority (nice 10, which needs no privilege), so it takes the CPU the training loop leaves and
 * never preempts it. Elsewhere, or where the kernel refuses, it keeps the default priority. A
 * server's encoder (`role: "server"`, see encoder.ts) keeps it: there encoding is the request.
 */
function yieldToTheTrainingLoop(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or no /proc: default priority
  }
}

if ((workerData as { role?: string } | null)?.role !== "server") yieldToTheTrainingLoop();
const port = parentPort;
if (port) {
  port.on("message", (req: EncoderRequest) => {
    const { reply, transfer } = handleEncoderRequest(req);
    port.postMessage(reply, transfer);
  });
}
