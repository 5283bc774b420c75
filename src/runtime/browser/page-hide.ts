/**
 * The exit hook of browser windows: every running experiment flushes when the page is hidden
 * (`visibilitychange`) or unloaded (`pagehide`). The runs stay open, because a hidden tab may
 * come back. Workers have no page to hide, so there the hook registers nothing.
 */
import type { ExitDrain } from "../../model/runtime-hooks.ts";
import { ExitDrains } from "../exit-drains.ts";

const exits = new ExitDrains({
  install() {
    if (typeof document === "undefined") return;
    document.addEventListener("visibilitychange", onVisibility);
    globalThis.addEventListener("pagehide", flushAll);
  },
  uninstall() {
    if (typeof document === "undefined") return;
    document.removeEventListener("visibilitychange", onVisibility);
    globalThis.removeEventListener("pagehide", flushAll);
  },
});

function flushAll(): void {
  exits.startAll("hide");
}

function onVisibility(): void {
  if (document.visibilityState === "hidden") flushAll();
}

/** `RuntimeHooks.onExit` in browsers: `drain("hide")` when the page is hidden or unloaded. */
export const onPageHide: (drain: ExitDrain) => () => void = exits.add;
