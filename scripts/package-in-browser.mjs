// The installed package in a user's page (scripts/test-package.mjs): a page that imports
// `Experiment` from "ml-dash", in the window or in a worker of its own, is built by webpack, Vite
// or esbuild, served on 127.0.0.1 under a strict Content-Security-Policy, and run in Chromium: it
// logs points into the zero-config store (IndexedDB) and reports whether the module worker
// encoded them, whether opfsAdapter's I/O ran on it, what the policy refused and what ml-dash warned.
import { readFileSync } from "node:fs";
import { serveStatic } from "./static-server.mjs";

/** The policy every page is served with: no eval, no blob: worker, no inline script. */
export const STRICT_CSP = "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'";

/**
 * The check, a module for a window or a dedicated worker (plain JavaScript: webpack has no
 * TypeScript loader by default). `bundlerCheck(n)` logs `n` points in a run and answers how many
 * encoder replies came back from workers, what failed, what the policy refused, what ml-dash
 * warned and what the store holds; then it writes a few lines through `opfsAdapter()` and
 * answers how the adapter changed files (its I/O worker is the same module worker file).
 */
const CHECK_SOURCE = `import { Experiment } from "ml-dash";
import { opfsAdapter } from "ml-dash/adapters/opfs";
import { settled, watchPage } from "./page-watch.js";

const { violations, warnings } = watchPage();
// Counts what encoder workers answer: their replies arrive as "message" events on the Worker
// (the storage worker answers on a MessagePort instead; the OPFS I/O worker is counted apart).
let replies = 0;
let workerErrors = 0;
const Base = globalThis.Worker;
globalThis.Worker = class extends Base {
  constructor(url, options) {
    super(url, options);
    if (options?.name === "ml-dash encoder") this.addEventListener("message", () => replies++);
    this.addEventListener("error", () => workerErrors++);
  }
};

/** opfsAdapter() in this realm: how it changes files (its I/O worker is the same module worker file) and whether lines and a replace come back. */
async function opfsCheck() {
  const root = "bundlers-" + Date.now().toString(36);
  const store = opfsAdapter({ root });
  const io = await store.ioMode();
  const enc = new TextEncoder();
  for (let i = 0; i < 3; i++) await store.append("run/data.jsonl", enc.encode("line " + i + "\\n"));
  await store.write("run/meta.json", enc.encode("{}"));
  const text = new TextDecoder().decode(await store.read("run/data.jsonl"));
  const meta = new TextDecoder().decode(await store.read("run/meta.json"));
  await store.close();
  await (await navigator.storage.getDirectory()).removeEntry(root, { recursive: true });
  return { opfsIo: io, opfsIntact: text === "line 0\\nline 1\\nline 2\\n" && meta === "{}" };
}

export async function bundlerCheck(n) {
  const exp = new Experiment("bundlers/page/run-" + Date.now().toString(36), { echo: false });
  await exp.run(async (e) => {
    for (let step = 0; step < n; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
  });
  const stats = await exp.metrics("train").stats();
  const last = await exp.metrics("train").read({ startIndex: n - 1, limit: 1 });
  const opfs = await opfsCheck();
  await settled();
  return { replies, workerErrors, violations, warnings, status: exp.status, total: Number(stats.totalDataPoints), last: last.data[0]?.data ?? null, ...opfs };
}
`;

/**
 * A user's page: its entry is page.js. `inWorker` false: the page runs the check itself. `inWorker`
 * true: the page starts its own module worker (train.worker.js, as a page that trains in a worker
 * does) and the check runs there; ml-dash then starts its module worker from inside that worker.
 * Either way the page answers `bundlerCheck(n)`. Returns file name → source.
 */
export function pageSources({ inWorker = false } = {}) {
  const check = { "page-watch.js": readFileSync(new URL("./page-watch.mjs", import.meta.url), "utf8"), "check.js": CHECK_SOURCE };
  if (!inWorker) return { ...check, "page.js": `import { bundlerCheck } from "./check.js";\nglobalThis.bundlerCheck = bundlerCheck;\n` };
  return {
    ...check,
    "train.worker.js": `import { bundlerCheck } from "./check.js";
onmessage = async (e) => {
  try {
    postMessage({ ok: true, result: await bundlerCheck(e.data) });
  } catch (err) {
    postMessage({ ok: false, error: String(err?.stack ?? err) });
  }
};
`,
    "page.js": `const violations = [];
document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective + " " + e.blockedURI));
globalThis.bundlerCheck = (n) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./train.worker.js", import.meta.url), { type: "module" });
    worker.onerror = (e) => reject(new Error("the page's worker failed: " + (e.message || "it did not load")));
    worker.onmessage = (e) => {
      worker.terminate();
      if (!e.data.ok) return reject(new Error(e.data.error));
      resolve({ ...e.data.result, violations: [...violations, ...e.data.result.violations] });
    };
    worker.postMessage(n);
  });
`,
  };
}

/** The page's HTML for a bundle whose entry is `script` (`module`: an ES module bundle). */
export const pageHtml = (script, module = true) => `<!doctype html><meta charset="utf-8"><script ${module ? 'type="module" ' : ""}src="${script}"></script>\n`;

/** Builds `entry` (in `context`) with webpack for browsers into `outDir`; resolves to its warnings (errors throw). */
export async function webpackBuild(context, entry, outDir) {
  const { default: webpack } = await import("webpack");
  // Size hints are not what this checks (the page takes every browser subpath).
  const compiler = webpack({ mode: "production", context, entry, target: "web", output: { path: outDir, filename: "page.js", clean: true }, performance: { hints: false } });
  const stats = await new Promise((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : resolve(s))));
  await new Promise((resolve) => compiler.close(resolve));
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  if (info.errors.length > 0) throw new Error(info.errors.map((e) => e.message).join("\n"));
  return info.warnings.map((w) => w.message);
}

/** Serves the files of `dir` (index.html at "/") on 127.0.0.1 with `csp`; missing files are 404s (`requests` lists them). */
export function serveDir(dir, csp = STRICT_CSP) {
  return serveStatic({ dir, headers: { "content-security-policy": csp } });
}

/**
 * Opens the page at `url` in a fresh context of `browser` and runs `bundlerCheck(n)`: its answer,
 * with the page's console errors other than ml-dash's warnings.
 */
export async function runPage(browser, url, n) {
  const context = await browser.newContext();
  const console_ = [];
  try {
    const tab = await context.newPage();
    // A page without a favicon: the browser's request for one is a 404, not the page's problem.
    tab.on("console", (m) => (m.type() === "warning" || m.type() === "error") && !m.location().url.endsWith("/favicon.ico") && console_.push(m.text()));
    tab.on("pageerror", (e) => console_.push(`page error: ${e.message}`));
    await tab.goto(url);
    await tab.waitForFunction(() => "bundlerCheck" in globalThis, null, { timeout: 30_000 });
    const result = await tab.evaluate((count) => globalThis.bundlerCheck(count), n);
    // ml-dash's warnings come from the check's realm (`result.warnings`), the rest from the page.
    return { ...result, errors: console_.filter((t) => !t.startsWith("[ml-dash]")) };
  } finally {
    await context.close();
  }
}
