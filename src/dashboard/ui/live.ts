/**
 * Polling while a run is RUNNING: every `ms` while the tab is visible, paused while hidden
 * (timers in hidden tabs are throttled anyway, and nobody is looking), resumed at once — with an
 * immediate poll — when the tab becomes visible again.
 */
import { useEffect, useRef } from "preact/hooks";

/** Polls calls counted for tests (`window.__dash.polls`). */
export const pollStats = { polls: 0 };

/** Calls `fn` every `ms` while `enabled` and the document is visible; never overlaps calls. */
export function usePoll(fn: () => Promise<unknown> | void, ms: number, enabled: boolean): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let busy = false;
    const tick = async (): Promise<void> => {
      timer = undefined;
      if (stopped || document.hidden || busy) return;
      busy = true;
      pollStats.polls++;
      try {
        await ref.current();
      } catch {
        // a failed poll is retried at the next tick
      } finally {
        busy = false;
      }
      schedule();
    };
    const schedule = (): void => {
      if (!stopped && !document.hidden && timer === undefined) timer = setTimeout(tick, ms);
    };
    const onVis = (): void => {
      if (document.hidden) {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      } else if (timer === undefined) void tick();
    };
    document.addEventListener("visibilitychange", onVis);
    schedule();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVis);
    };
  }, [ms, enabled]);
}
