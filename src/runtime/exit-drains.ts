/** The part of `RuntimeHooks.onExit` that every runtime shares (node, deno, browser). */
import type { ExitDrain, ExitReason } from "../model/runtime-hooks.ts";

/**
 * The bookkeeping every runtime's exit hooks share: the drains of running experiments, with the
 * runtime's listeners (`install`) added for the first drain and removed (`uninstall`) when the
 * last one leaves or the drains have run.
 */
export class ExitDrains {
  private readonly drains = new Set<ExitDrain>();
  private installed = false;

  constructor(private readonly listeners: { install(): void; uninstall(): void }) {}

  /** How many experiments wait for a drain. */
  get size(): number {
    return this.drains.size;
  }

  /** `RuntimeHooks.onExit`: registers `drain`; the returned function unregisters it. */
  readonly add = (drain: ExitDrain): (() => void) => {
    this.drains.add(drain);
    this.install();
    return () => {
      this.drains.delete(drain);
      if (this.drains.size === 0) this.uninstall();
    };
  };

  /** Runs every drain once (they are unregistered first) and waits for all of them. */
  async runAll(reason: ExitReason): Promise<void> {
    const all = [...this.drains];
    this.drains.clear();
    await Promise.allSettled(all.map((d) => d(reason)));
  }

  /** Starts every drain and keeps them registered (a hidden page may come back). */
  startAll(reason: ExitReason): void {
    for (const d of this.drains) void d(reason);
  }

  /** Adds the runtime's listeners, once. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    this.listeners.install();
  }

  /** Removes them, once. */
  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    this.listeners.uninstall();
  }
}
