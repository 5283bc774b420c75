// Dedicated-worker side of the browser benchmark: runs one measurement per message.
import { benchStore, type BenchStore } from "./stores.ts";

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
scope.onmessage = async (e: MessageEvent<{ store: BenchStore; n: number; repeat: number }>) => {
  try {
    scope.postMessage({ ok: true, result: await benchStore(e.data.store, e.data.n, e.data.repeat) });
  } catch (err) {
    scope.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
  }
};
