/**
 * The write path as one chunk: the buffer (queues, batching, flush cycles) and the run's
 * writers (`RunContext`). `Experiment` imports this module dynamically when a run starts, so
 * a page that never starts a run never downloads it, and a run loads it in one request.
 */
export { Buffer } from "./buffer.ts";
export { RunContext } from "./run-context.ts";
