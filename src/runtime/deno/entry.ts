/**
 * `ml-dash` on Deno: zero-config storage is `./.dash` through deno-fs; `ML_DASH_PREFIX` (or
 * `DASH_PREFIX`) supplies a missing prefix and `ML_DASH_TOKEN` a token (with `--allow-env`);
 * unfinished runs are completed when the program ends normally (`beforeunload`) and marked
 * CANCELLED on SIGINT/SIGTERM.
 */
import { denoApi } from "../../../adapters/deno-fs/deno-api.ts";
import { denoFsAdapter } from "../../../adapters/deno-fs/index.ts";
import { Experiment as CoreExperiment } from "../../api/experiment.ts";
import { ExitDrains, sharedStores, type ExitReason, type RuntimeHooks } from "../../model/runtime-hooks.ts";
import type { StorageAdapter } from "../../storage/contract.ts";
import { makeWithExperiment } from "../../api/with-experiment.ts";
import { denoEnv, denoHostHooks } from "./host.ts";

export * from "../../index.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

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
function unrefTimer(handle: unknown): void {
  if (typeof handle === "number") denoApi().unrefTimer(handle);
  else (handle as { unref?: () => void } | null)?.unref?.();
}

function onSignal(signal: (typeof SIGNALS)[number]): () => void {
  return () => {
    const deadline = new Promise<void>((r) => unrefTimer(setTimeout(r, 5000)));
    void Promise.race([runAll("signal"), deadline]).finally(() => {
      exits.uninstall();
      denoApi().kill(denoApi().pid, signal); // end the way the signal would have without us
    });
  };
}

const signalHandlers = new Map(SIGNALS.map((s) => [s, onSignal(s)]));

const exits = new ExitDrains({
  install() {
    globalThis.addEventListener("beforeunload", onBeforeUnload);
    for (const [s, h] of signalHandlers) {
      try {
        denoApi().addSignalListener(s, h);
      } catch {
        // SIGTERM cannot be listened to on Windows
      }
    }
  },
  uninstall() {
    globalThis.removeEventListener("beforeunload", onBeforeUnload);
    for (const [s, h] of signalHandlers) {
      try {
        denoApi().removeSignalListener(s, h);
      } catch {
        // never added
      }
    }
  },
});

/** One deno-fs adapter per root, shared by every experiment of the program. */
export const defaultDenoStorage: (root: string) => StorageAdapter = sharedStores((root) => denoFsAdapter({ root }));

/** The Deno runtime hooks. */
export const denoRuntime: RuntimeHooks = {
  name: "deno",
  defaultStorage: defaultDenoStorage,
  env: denoEnv,
  ...denoHostHooks,
  onExit: exits.add,
  unrefTimer,
};

/** {@inheritDoc CoreExperiment} With no `storage`, writes `./.dash` (or `dashRoot`) through deno-fs. */
export class Experiment extends CoreExperiment {
  static override runtime: RuntimeHooks = denoRuntime;
}

/** {@inheritDoc withExperiment} */
export const withExperiment = makeWithExperiment(Experiment);
