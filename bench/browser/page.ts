// Window side of the browser benchmark: `runBench(...)` measures in the window itself or in a
// dedicated worker it starts from /worker.js. Around the timed part of each run (first `log()` to
// the end of `flush()`) it measures the page's thread: its busy (CPU) time, read by the Node side
// from Chromium (`benchPhase`, the DevTools Performance domain's TaskDuration in thread ticks),
// and the longest gap between two animation frames.
import type { BenchStore, BrowserResult } from "./stores.ts";

interface Job {
  readonly store: BenchStore;
  readonly context: "window" | "worker";
  readonly n: number;
  readonly repeat: number;
}

type Phase = "start" | "end";
/**
 * Exposed by bench/runtimes.mjs: the page thread's busy (CPU) milliseconds so far, and the
 * machine's (every core, every process; bench/compare-browser.mjs has no such reading).
 */
const host = globalThis as unknown as { benchPhase(phase: Phase): Promise<number>; benchMachineCpu?(): Promise<number> };

/** Follows animation frames until `stop()`, which returns the longest gap between two (ms). */
function trackFrames(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  let on = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (on) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return {
    stop() {
      on = false;
      return Math.max(longest, performance.now() - last);
    },
  };
}

/**
 * Follows the page's long tasks (over 50 ms, Long Tasks API) until `stop()`, which returns the
 * longest (ms; 0 when none). A rAF gap as long as the longest task is that task; a gap with no
 * task that long is the scheduler not drawing while the page's tasks keep coming.
 */
function trackLongTasks(): { stop(): number } {
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
  });
  observer.observe({ type: "longtask" });
  return {
    stop() {
      for (const e of observer.takeRecords()) longest = Math.max(longest, e.duration);
      observer.disconnect();
      return longest;
    },
  };
}

let frames: { stop(): number } | undefined;
let longTasks: { stop(): number } | undefined;
let busyAtStart = 0;
let machineAtStart = NaN;

async function phase(p: Phase): Promise<Record<string, number>> {
  if (p === "start") {
    machineAtStart = (await host.benchMachineCpu?.()) ?? NaN;
    busyAtStart = await host.benchPhase("start");
    frames = trackFrames();
    longTasks = trackLongTasks();
    return {};
  }
  const rafGapMs = frames?.stop() ?? NaN;
  const longestTaskMs = longTasks?.stop() ?? NaN;
  const pageBusyMs = (await host.benchPhase("end")) - busyAtStart;
  const machineCpuMs = ((await host.benchMachineCpu?.()) ?? NaN) - machineAtStart;
  return { pageBusyMs, rafGapMs, longestTaskMs, ...(Number.isNaN(machineCpuMs) ? {} : { machineCpuMs }) };
}

const around = { start: async (): Promise<void> => void (await phase("start")), end: () => phase("end") };

async function inWorker(job: Job): Promise<BrowserResult> {
  const w = new Worker("/worker.js", { type: "module" });
  try {
    return await new Promise((resolve, reject) => {
      w.onmessage = (e: MessageEvent<{ phase?: Phase; ok?: boolean; result?: BrowserResult; error?: string }>) => {
        const d = e.data;
        if (d.phase) void phase(d.phase).then((extra) => w.postMessage({ phaseDone: true, extra }), reject);
        else if (d.ok) resolve(d.result!);
        else reject(new Error(d.error));
      };
      w.onerror = (e) => reject(new Error(e.message));
      w.postMessage({ store: job.store, n: job.n, repeat: job.repeat });
    });
  } finally {
    w.terminate();
  }
}

(globalThis as { runBench?: (job: Job) => Promise<BrowserResult> }).runBench = async (job) => {
  const { benchStore } = await import("./stores.ts");
  return job.context === "window" ? benchStore(job.store, job.n, job.repeat, around) : inWorker(job);
};
