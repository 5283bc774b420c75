// Bundles the example page with esbuild. `ml-dash` is resolved through package.json "exports"
// with the `browser` condition (dist/entries/browser.js, so run `npm run build` first), exactly
// as an app's bundler would.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The page's script, bundled. */
export async function buildExample() {
  const out = await build({
    entryPoints: [`${here}main.ts`],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["browser"],
    minify: true,
    write: false,
    logLevel: "error",
  });
  return out.outputFiles[0].text;
}

export const exampleDir = here;
