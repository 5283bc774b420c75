/** Waiting for something, but not for long. */

/**
 * Resolves when `p` settles (either way) or after `ms`, whichever comes first; the timer is
 * cleared, so it keeps nothing alive.
 */
export function waitAtMost(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([p.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}
