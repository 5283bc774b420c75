// What a page (or a worker) under test watches: what the Content-Security-Policy refused and what
// ml-dash warned in the console (the warning still reaches the console). Used by the pages of the
// Chromium policy tests (test/node/chromium/*-csp-page.ts) and by the consumer page the package
// test builds with webpack, Vite and esbuild (scripts/package-in-browser.mjs copies it beside
// the page). Plain JavaScript: webpack builds that page with no TypeScript loader.

/**
 * Starts watching this realm: a window (refusals reach it from its document) or a worker (its
 * refusals and console are its own, not the page's). The arrays fill as events come; call
 * `settled()` before reading them.
 */
export function watchPage() {
  const violations = [];
  globalThis.addEventListener("securitypolicyviolation", (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  const warnings = [];
  const warn = console.warn.bind(console);
  console.warn = (...args) => {
    if (typeof args[0] === "string" && args[0].startsWith("[ml-dash]")) warnings.push(args[0]);
    warn(...args);
  };
  return { violations, warnings };
}

/** Resolves after the events queued so far (policy violations are reported in tasks). */
export const settled = () => new Promise((r) => setTimeout(r, 0));
