/** See page-watch.mjs. */
export function watchPage(): { violations: string[]; warnings: string[] };
/** Resolves after the events queued so far (policy violations are reported in tasks). */
export function settled(): Promise<void>;
