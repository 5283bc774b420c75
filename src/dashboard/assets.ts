/**
 * The dashboard's static files (HTML, JS, CSS built from `src/dashboard/ui/` into
 * `dist/dashboard/ui/`). The app takes them from an {@link AssetSource}, so it runs wherever the
 * bytes can come from: the package folder on Node/Bun/Deno (`nodeDashboardAssets`), or a map
 * bundled into a Worker ({@link assetsFromMap}).
 */

/** One static file. */
export interface DashboardAsset {
  readonly body: Uint8Array | string;
  readonly type: string;
}

/** Looks up a built UI file by name (`index.html`, `app-1a2b3c.js`). */
export type AssetSource = (name: string) => Promise<DashboardAsset | null>;

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json",
};

/** The content type of an asset name. */
export function assetType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}

/**
 * An asset source over an in-memory map (name → contents).
 *
 * @example
 * ```ts
 * createDashboardApp({ storage, assets: assetsFromMap({ "index.html": html, "app.js": js }) });
 * ```
 */
export function assetsFromMap(files: Readonly<Record<string, Uint8Array | string>>): AssetSource {
  return async (name) => {
    const body = Object.hasOwn(files, name) ? files[name] : undefined;
    return body === undefined ? null : { body, type: assetType(name) };
  };
}

/** The page shown when the UI was not built (`npm run build` builds it). */
export const MISSING_UI_HTML = `<!doctype html><meta charset="utf-8"><title>ml-dash</title>
<body style="font:16px system-ui;margin:3em">
<h1>ml-dash dashboard</h1><p>The dashboard's UI files were not found. Build the package (<code>npm run build</code>);
the API is up at <a href="/dash/api/runs">/dash/api/runs</a>.</p>`;
