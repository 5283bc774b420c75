/** See build-inputs.mjs. */
export const BUILD_SOURCES: readonly string[];
export const BUILD_OUTPUTS: readonly string[];
export function distState(root: string): "missing" | "stale" | "fresh";
