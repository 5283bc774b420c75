/** The example page's script, bundled with esbuild (`ml-dash` through the `browser` condition). */
export function buildExample(): Promise<string>;
/** The folder of the example (with index.html). */
export const exampleDir: string;
