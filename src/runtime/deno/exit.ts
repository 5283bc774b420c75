/**
 * Exit hooks of the Deno runtime: unfinished runs are completed when the program ends normally
 * (`beforeunload`, which Deno fires when the event loop runs dry) and marked CANCELLED on
 * SIGINT/SIGTERM before the program goes down; timers never hold the program open.
 */
import type { ExitReason, RuntimeHooks } from "../../model/runtime-hooks.ts";
import { ExitDrains } from "../exit-drains.ts";
import { deno, type DenoSignal } from "./deno-api.ts";

const SIGNALS: readonly DenoSignal[] = ["SIGINT", "SIGTERM"];

let draining: Promise<void> | undefined;

function runAll(reason: ExitReason): Promise<void> {
  const run = exits.runAll(reason);
  draining = run;
  void run.finally(() => {
    if (draining === run) draining = undefined;
  });
  return run;
}

// Fired when the event loop runs dry. Deno exits after it unless a listener cancels it, even
// with work pending, so we cancel while runs are left to drain; it fires again afterwards.
function onBeforeUnload(event: Event): void {
  if (exits.size > 0) void runAll("exit");
  if (draining) event.preventDefault();
}

/** Keeps a timer from holding the program open: Deno's timers are numbers, or Node-style objects in npm-compat programs. */
export function unrefDenoTimer(handle: unknown): void {
  if (typeof handle === "number") deno().unrefTimer(handle);
  else (handle as { unref?: () => void } | null)?.unref?.();
}

function onSignal(signal: DenoSignal): () => void {
  return () => {
    const deadline = new Promise<void>((r) => unrefDenoTimer(setTimeout(r, 5000)));
    void Promise.race([runAll("signal"), deadline]).finally(() => {
      exits.uninstall();
      deno().kill(deno().pid, signal); // end the way the signal would have without us
    });
  };
}

const signalHandlers = new Map(SIGNALS.map((s) => [s, onSignal(s)]));

const exits = new ExitDrains({
  install() {
    globalThis.addEventListener("beforeunload", onBeforeUnload);
    for (const [s, h] of signalHandlers) {
      try {
        deno().addSignalListener(s, h);
      } catch {
        // SIGTERM cannot be listened to on Windows
      }
    }
  },
  uninstall() {
    globalThis.removeEventListener("beforeunload", onBeforeUnload);
    for (const [s, h] of signalHandlers) {
      try {
        deno().removeSignalListener(s, h);
      } catch {
        // never added
      }
    }
  },
});

/** `onExit` and `unrefTimer` on Deno. */
export const denoExitHooks: Pick<RuntimeHooks, "onExit" | "unrefTimer"> = {
  onExit: exits.add,
  unrefTimer: unrefDenoTimer,
};
