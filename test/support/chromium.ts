/**
 * Real headless Chromium from Node tests and scripts (Playwright with Debian's chromium):
 * bundle a browser script with esbuild, serve it from a loopback HTTP server, open a page.
 * For what vitest's browser mode cannot do: a fresh origin per test (quota overrides), a
 * whole example app, benchmarks.
 */
import { build } from "esbuild";
import { chromium, type Browser } from "playwright";
import { serveStatic } from "../../scripts/static-server.mjs";

/** Debian's chromium (Playwright cannot download its own here). */
export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Launches headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** Bundles a browser module (resolving "ml-dash" through the `browser` export condition). */
export async function bundleForBrowser(entry: string, options: { minify?: boolean } = {}): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["browser"],
    minify: options.minify ?? false,
    write: false,
    logLevel: "error",
  });
  return out.outputFiles[0]!.text;
}

/** A loopback server for `routes` (path → body) and, below them, the files of `dir`; every answer carries `headers`. */
export async function serve(routes: Record<string, string>, dir?: string, headers: Record<string, string> = {}): Promise<{ url: string; close(): Promise<void> }> {
  return serveStatic({ files: routes, ...(dir === undefined ? {} : { dir }), headers });
}

/**
 * Serves `page` (a bundled module, at /page.js under an HTML page) and the files of `dir` with
 * `policy` as the Content-Security-Policy header, opens it in a fresh context of `browser` and
 * returns what `globalThis[fn](arg)` resolves to in the page.
 */
export async function evaluateUnderPolicy<T>(browser: Browser, page: string, policy: string, fn: string, arg: unknown, dir?: string): Promise<T> {
  const server = await serve({ "/": `<!doctype html><script type="module" src="/page.js"></script>`, "/page.js": page }, dir, { "content-security-policy": policy });
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(server.url);
    await tab.waitForFunction((name) => name in globalThis, fn);
    return await tab.evaluate(([name, a]) => (globalThis as unknown as Record<string, (x: unknown) => Promise<T>>)[name as string]!(a), [fn, arg] as const);
  } finally {
    await context.close();
    await server.close();
  }
}
