// What the pages of the Chromium policy tests watch: what the Content-Security-Policy refused
// and what ml-dash warned in the console (the warning still reaches the console).

/** Starts watching; the arrays fill as events come (call `settled()` before reading them). */
export function watchPage(): { violations: string[]; warnings: string[] } {
  const violations: string[] = [];
  document.addEventListener("securitypolicyviolation", (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  const warnings: string[] = [];
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith("[ml-dash]")) warnings.push(args[0]);
    warn(...args);
  };
  return { violations, warnings };
}

/** Resolves after the events queued so far (policy violations are reported in tasks). */
export const settled = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
