// One loopback HTTP server for every page this repository opens in Chromium: the Chromium tests
// (test/support/chromium.ts), the package's bundler pages (scripts/package-in-browser.mjs), the
// size check's first run (scripts/size-first-use.mjs) and the browser benchmarks. Plain
// JavaScript, so Node 20 runs the scripts that use it without a TypeScript step.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm" };

/**
 * Serves `files` (path → body; "/" is "/index.html") and, below them, the files of the folder
 * `dir`, on 127.0.0.1 at a free port. Every answer carries `headers` (a Content-Security-Policy,
 * say); a path that names nothing, or would leave `dir`, is a 404. `requests` lists each request
 * as "path status". `close()` also ends the connections browsers keep alive.
 */
export async function serveStatic({ files = {}, dir, headers = {} } = {}) {
  const table = files instanceof Map ? files : new Map(Object.entries(files));
  const root = dir === undefined ? undefined : dir.endsWith(sep) ? dir : dir + sep;
  const requests = [];
  const server = createServer(async (req, res) => {
    const raw = new URL(req.url ?? "/", "http://x").pathname;
    const path = raw === "/" ? "/index.html" : raw;
    let body = table.get(path) ?? table.get(raw);
    if (body === undefined && root !== undefined) {
      const file = normalize(join(root, path));
      if (file.startsWith(root)) body = await readFile(file).catch(() => undefined);
    }
    requests.push(`${raw} ${body === undefined ? 404 : 200}`);
    if (body === undefined) return void res.writeHead(404).end("not found");
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
