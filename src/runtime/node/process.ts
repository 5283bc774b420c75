/**
 * Process hooks shared by the Node and Bun entries: drain unfinished runs before a normal exit
 * (`beforeExit`), cancel them on SIGINT/SIGTERM before the process goes down, and unref timers
 * so a pending flush never keeps the process alive.
 */
import type { ExitDrain, RuntimeHooks } from "../../model/runtime-hooks.ts";
import { ExitDrains } from "../exit-drains.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function onBeforeExit(): void {
  if (exits.size > 0) void exits.runAll("exit"); // new work keeps the loop alive; beforeExit fires again after
}

function onSignal(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  const deadline = new Promise<void>((r) => setTimeout(r, 5000).unref());
  void Promise.race([exits.runAll("signal"), deadline]).finally(() => {
    exits.uninstall();
    // With no other handler, re-raise so the process ends the way it would have without us.
    if (alone) process.kill(process.pid, signal);
  });
}

const exits = new ExitDrains({
  install() {
    process.on("beforeExit", onBeforeExit);
    for (const s of SIGNALS) process.on(s, onSignal);
  },
  uninstall() {
    process.off("beforeExit", onBeforeExit);
    for (const s of SIGNALS) process.off(s, onSignal);
  },
});

/** `onExit` for Node-compatible runtimes. */
export const onProcessExit: (drain: ExitDrain) => () => void = exits.add;

/** Reads `process.env`. */
export function processEnv(name: string): string | undefined {
  return process.env[name];
}

/** Unrefs a Node timer. */
export function unrefTimer(handle: unknown): void {
  (handle as { unref?: () => void }).unref?.();
}

/** Hooks common to Node and Bun, minus the storage. */
export const processHooks: Pick<RuntimeHooks, "env" | "onExit" | "unrefTimer"> = {
  env: processEnv,
  onExit: onProcessExit,
  unrefTimer,
};
