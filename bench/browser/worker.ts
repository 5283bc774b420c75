// Dedicated-worker side of the browser benchmark: runs one measurement per message. The page
// measures its own thread around the timed part: the worker tells it when that starts and ends.
import { benchStore, type BenchStore } from "./stores.ts";

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };

let phaseDone: ((extra: Record<string, number>) => void) | undefined;
function askPage(phase: "start" | "end"): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    phaseDone = resolve;
    scope.postMessage({ phase });
  });
}
const around = { start: async (): Promise<void> => void (await askPage("start")), end: () => askPage("end") };

scope.onmessage = async (e: MessageEvent<{ store: BenchStore; n: number; repeat: number } | { phaseDone: true; extra: Record<string, number> }>) => {
  const d = e.data;
  if ("phaseDone" in d) return phaseDone?.(d.extra);
  try {
    scope.postMessage({ ok: true, result: await benchStore(d.store, d.n, d.repeat, around) });
  } catch (err) {
    scope.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
  }
};
