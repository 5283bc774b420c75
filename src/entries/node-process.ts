/**
 * Process hooks shared by the Node and Bun entries: drain unfinished runs before a normal exit
 * (`beforeExit`), cancel them on SIGINT/SIGTERM before the process goes down, and unref timers
 * so a pending flush never keeps the process alive.
 */
import type { RuntimeHooks } from "../runtime.ts";

type Drain = (reason: "exit" | "signal") => Promise<void>;

const drains = new Set<Drain>();
let installed = false;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

async function runAll(reason: "exit" | "signal"): Promise<void> {
  const all = [...drains];
  drains.clear();
  await Promise.allSettled(all.map((d) => d(reason)));
}

function onBeforeExit(): void {
  if (drains.size > 0) void runAll("exit"); // new work keeps the loop alive; beforeExit fires again after
}

function onSignal(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  const deadline = new Promise<void>((r) => setTimeout(r, 5000).unref());
  void Promise.race([runAll("signal"), deadline]).finally(() => {
    uninstall();
    // With no other handler, re-raise so the process ends the way it would have without us.
    if (alone) process.kill(process.pid, signal);
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("beforeExit", onBeforeExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("beforeExit", onBeforeExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** `onExit` for Node-compatible runtimes. */
export function onProcessExit(drain: Drain): () => void {
  drains.add(drain);
  install();
  return () => {
    drains.delete(drain);
    if (drains.size === 0) uninstall();
  };
}

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
