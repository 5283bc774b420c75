// Page of chromium-encoder-csp.test.ts: the built browser entry (dist/, bundled as a user's
// esbuild would, with dist/web-encoder-worker.js served beside the bundle) logs a
// run into the memory adapter; the page reports how many batches went to module workers, what
// the Content-Security-Policy refused, what ml-dash warned, and whether every point was stored.
import { Experiment } from "ml-dash";
import { memoryAdapter } from "ml-dash/adapters/memory";
import { settled, watchPage } from "../../../scripts/page-watch.mjs";

const { violations, warnings } = watchPage();

(globalThis as { encodeCheck?: (n: number) => Promise<Record<string, unknown>> }).encodeCheck = async (n) => {
  let posted = 0;
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker["postMessage"]>) {
    posted++;
    return post.apply(this, args as never);
  } as Worker["postMessage"];
  const storage = memoryAdapter();
  const exp = new Experiment("csp/page/run", { storage, echo: false });
  await exp.run(async (e) => {
    for (let step = 0; step < n; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
  });
  Worker.prototype.postMessage = post;
  const text = new TextDecoder().decode((await storage.read("csp/page/run/metrics/train/data.jsonl")) ?? new Uint8Array());
  const lines = text.split("\n").filter((l) => l !== "");
  const intact = lines.length === n && lines.every((l, i) => l.startsWith(`{"index": ${i}, "data": {"loss": `) && l.includes(`"step": ${i}`));
  await settled();
  return { posted, lines: lines.length, intact, violations, warnings };
};
