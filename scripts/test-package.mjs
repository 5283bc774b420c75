#!/usr/bin/env node
// The package as a user gets it (issue 17, items 13-16): `npm pack`, the tarball unpacked into a
// temporary project outside the repo, then
//   - its contents: LICENSE, no source maps, no src/;
//   - a strict browser consumer (lib ES2022 + DOM, skipLibCheck false, no @types/node) and a
//     Node consumer (nodenext) typecheck; the browser one does not see nodeRuntime/defaultFsStorage;
//   - esbuild (browser, node, workerd conditions), vite, webpack and wrangler bundle it with 0 warnings;
//   - a page built from it by webpack, Vite and esbuild runs in Chromium under a strict CSP, with
//     ml-dash in the window and in the page's own worker, its batches encoded on the module worker
//     (scripts/package-in-browser.mjs);
//   - publint --strict and attw --profile esm-only find nothing; `deno publish --dry-run` passes.
// Offline: the project's dependencies are links to this repo's node_modules (the packed package
// resolves them as an installed one would); the tools are this repo's pinned devDependencies.
//
// Usage: node scripts/test-package.mjs [--junit FILE] [--keep]   (needs a built dist/: npx tsup)
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pageHtml, pageSources, runPage, serveDir, webpackBuild } from "./package-in-browser.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(REPO, "node_modules/.bin");
const args = process.argv.slice(2);
const junitFile = args.includes("--junit") ? args[args.indexOf("--junit") + 1] : undefined;
const keep = args.includes("--keep");
const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" };

/** Runs a command; its output is kept for the report. */
function sh(cmd, argv, cwd) {
  const r = spawnSync(cmd, argv, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
  return { ok: r.status === 0, status: r.status, output };
}

const results = [];
/** One check: `fn` throws (or returns a failure text) when it fails. */
async function check(name, fn) {
  const t0 = performance.now();
  let failure;
  try {
    const r = await fn();
    if (typeof r === "string") failure = r;
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  const seconds = (performance.now() - t0) / 1000;
  results.push({ name, failure, seconds });
  console.log(`${failure ? "FAIL" : "ok  "} ${name} (${seconds.toFixed(1)} s)${failure ? `\n${failure.replace(/^/gm, "     ")}` : ""}`);
}

function fail(what, output) {
  throw new Error(`${what}\n${output.trim().split("\n").slice(-60).join("\n")}`);
}

const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "ml-dash-package-"));
const project = join(work, "consumer");
const installed = join(project, "node_modules/ml-dash");
let tarball;

await check("npm pack: LICENSE, README, dist without source maps or src/", () => {
  const r = sh("npm", ["pack", "--json", "--pack-destination", work], REPO);
  if (!r.ok) fail("npm pack failed", r.output);
  const info = JSON.parse(r.output.slice(r.output.indexOf("[")))[0];
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path);
  const problems = [];
  for (const need of ["LICENSE", "README.md", "package.json", "dist/entries/browser.d.ts", "dist/entries/node.d.ts", "dist/cli.js"]) if (!files.includes(need)) problems.push(`missing ${need}`);
  const maps = files.filter((f) => f.endsWith(".map"));
  if (maps.length > 0) problems.push(`${maps.length} source maps (${maps[0]}, …)`);
  const src = files.filter((f) => f.startsWith("src/") || f.startsWith("adapters/"));
  if (src.length > 0) problems.push(`${src.length} source files (${src[0]}, …)`);
  // "repository" waits for the project's public URL (none is known here; an invented one would mislead).
  for (const field of ["keywords", "license"]) if (!pkg[field]) problems.push(`package.json has no ${field}`);
  console.log(`     ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
  return problems.length > 0 ? problems.join("; ") : undefined;
});

await check("install the tarball into a temporary project (dependencies linked from this repo)", () => {
  mkdirSync(installed, { recursive: true });
  const r = sh("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], work);
  if (!r.ok) fail("tar failed", r.output);
  // What an install would add: the package's dependencies (their own resolve from the repo), and the consumer's @types/node.
  for (const dep of [...Object.keys(pkg.dependencies ?? {}), "@types/node"]) {
    const link = join(project, "node_modules", dep);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(join(REPO, "node_modules", dep))) return `dependency ${dep} is not in this repo's node_modules`;
    symlinkSync(join(REPO, "node_modules", dep), link, "dir");
  }
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
});

/** The package's subpaths a browser (or worker) program may import; the others need Node. */
const BROWSER_SUBPATHS = ["ml-dash", "ml-dash/core", "ml-dash/adapters/memory", "ml-dash/adapters/indexeddb", "ml-dash/adapters/opfs", "ml-dash/archive", "ml-dash/dashboard", "ml-dash/server", "ml-dash/tfjs"];
const NODE_SUBPATHS = [...BROWSER_SUBPATHS, "ml-dash/adapters/node-fs", "ml-dash/adapters/deno-fs", "ml-dash/dashboard/node", "ml-dash/server/node"];
const ns = (s) => s.replace(/[^a-z0-9]/gi, "_");

writeFileSync(
  join(project, "browser.ts"),
  `${BROWSER_SUBPATHS.map((s) => `import * as ${ns(s)} from "${s}";`).join("\n")}
import { Experiment, browserRuntime } from "ml-dash";

const exp: Experiment = new Experiment("alice/demo/run-1");
exp.metrics("train").log({ step: 1, loss: 0.5 });
export const all = [${BROWSER_SUBPATHS.map(ns).join(", ")}, browserRuntime, exp];
`,
);
// Typechecked only (a bundler rightly refuses these imports: the browser build does not have them).
writeFileSync(
  join(project, "browser-not-node.ts"),
  `// @ts-expect-error a browser program does not see Node's runtime
import { nodeRuntime } from "ml-dash";
// @ts-expect-error nor its file storage
import { defaultFsStorage } from "ml-dash";
export const none = [nodeRuntime, defaultFsStorage];
`,
);
writeFileSync(
  join(project, "node.ts"),
  `${NODE_SUBPATHS.map((s) => `import * as ${ns(s)} from "${s}";`).join("\n")}
import { Experiment, nodeRuntime, defaultFsStorage } from "ml-dash";

const exp: Experiment = new Experiment("alice/demo/run-1");
export const all = [${NODE_SUBPATHS.map(ns).join(", ")}, nodeRuntime, defaultFsStorage, exp];
`,
);
writeFileSync(
  join(project, "worker.ts"),
  `import { Experiment } from "ml-dash";
export default {
  async fetch(): Promise<Response> {
    const exp = new Experiment("alice/edge/run-1");
    return new Response(String(typeof exp.metrics));
  },
};
`,
);
const strict = { strict: true, noEmit: true, skipLibCheck: false, target: "ES2022", exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, isolatedModules: true, verbatimModuleSyntax: true };
writeFileSync(
  join(project, "tsconfig.browser.json"),
  JSON.stringify({ compilerOptions: { ...strict, lib: ["ES2022", "DOM"], module: "ESNext", moduleResolution: "bundler", customConditions: ["browser"], types: [] }, files: ["browser.ts", "browser-not-node.ts"] }, null, 2),
);
writeFileSync(
  join(project, "tsconfig.node.json"),
  JSON.stringify({ compilerOptions: { ...strict, lib: ["ES2022"], module: "NodeNext", moduleResolution: "NodeNext", types: ["node"] }, files: ["node.ts"] }, null, 2),
);

for (const [name, config] of [
  ["browser consumer typechecks (lib ES2022+DOM, skipLibCheck false, no @types/node); nodeRuntime/defaultFsStorage not visible", "tsconfig.browser.json"],
  ["Node consumer typechecks (nodenext, skipLibCheck false); every subpath, nodeRuntime visible", "tsconfig.node.json"],
]) {
  await check(name, () => {
    const r = sh(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-p", config], project);
    if (!r.ok) fail("tsc reported errors", r.output);
  });
}

/** Bundler warnings as text, for the failure message. */
const describe = (warnings) => warnings.map((w) => `${w.text ?? w.message ?? String(w)}${w.location ? ` (${w.location.file}:${w.location.line})` : ""}`).join("\n");

const { build: esbuild } = await import("esbuild");
for (const [label, entry, options] of [
  ["browser", "browser.ts", { platform: "browser" }],
  ["node", "node.ts", { platform: "node" }],
  ["workerd", "worker.ts", { platform: "neutral", conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"] }],
]) {
  await check(`esbuild bundles it for ${label} with 0 warnings`, async () => {
    const r = await esbuild({ entryPoints: [join(project, entry)], absWorkingDir: project, bundle: true, format: "esm", write: false, logLevel: "silent", external: ["node:*", "cloudflare:*"], target: "es2022", ...options });
    if (r.warnings.length > 0) return `${r.warnings.length} warning(s):\n${describe(r.warnings.slice(0, 10))}`;
    if (r.errors.length > 0) return describe(r.errors);
  });
}

await check("vite builds a page that imports it with 0 warnings", async () => {
  const { build, createLogger } = await import("vite");
  const warnings = [];
  const logger = createLogger("warn", { allowClearScreen: false });
  logger.warn = (msg) => warnings.push(msg);
  logger.warnOnce = (msg) => warnings.push(msg);
  writeFileSync(join(project, "index.html"), `<!doctype html><script type="module" src="./browser.ts"></script>\n`);
  await build({
    root: project,
    configFile: false,
    logLevel: "warn",
    customLogger: logger,
    // The page pulls in every browser subpath (the server and GraphQL too): its size is not what this checks.
    build: { outDir: join(work, "vite-out"), emptyOutDir: true, chunkSizeWarningLimit: 100_000, rollupOptions: { onwarn: (w) => warnings.push(w.message) } },
  });
  if (warnings.length > 0) return `${warnings.length} warning(s):\n${warnings.slice(0, 10).join("\n")}`;
});

await check("webpack builds a page that imports it with 0 warnings", async () => {
  writeFileSync(join(project, "browser-all.js"), `${BROWSER_SUBPATHS.map((s) => `import * as ${ns(s)} from "${s}";`).join("\n")}\nexport const all = [${BROWSER_SUBPATHS.map(ns).join(", ")}];\n`);
  const warnings = await webpackBuild(project, "./browser-all.js", join(work, "webpack-all"));
  if (warnings.length > 0) return `${warnings.length} warning(s):\n${warnings.slice(0, 10).join("\n")}`;
});

// The same page built by each bundler, run in Chromium under a strict Content-Security-Policy,
// with ml-dash in the window and in a worker the page starts (a page that trains in a worker).
// Vite and webpack emit the module worker from the package's `new Worker(new URL(…))`; esbuild
// does not, and its users copy dist/web-encoder-worker.js next to the bundle (README "Bundlers").
const POINTS = 30_000;
const pageDirs = {};
for (const where of ["window", "worker"]) {
  const dir = (pageDirs[where] = join(project, `page-${where}`));
  mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(pageSources({ inWorker: where === "worker" }))) writeFileSync(join(dir, name), source);
  writeFileSync(join(dir, "index.html"), pageHtml("./page.js"));
}
const builds = {
  async webpack(src, out) {
    const warnings = await webpackBuild(src, "./page.js", out);
    if (warnings.length > 0) throw new Error(warnings.join("\n"));
    writeFileSync(join(out, "index.html"), pageHtml("./page.js", false));
  },
  async vite(src, out) {
    const { build } = await import("vite");
    await build({ root: src, configFile: false, logLevel: "silent", build: { outDir: out, emptyOutDir: true } });
  },
  async esbuild(src, out, copyWorker) {
    // The page's own worker is a second entry point: esbuild leaves `new URL("./train.worker.js", …)` as written.
    const entryPoints = ["page.js", "train.worker.js"].filter((f) => existsSync(join(src, f))).map((f) => join(src, f));
    await esbuild({ entryPoints, absWorkingDir: src, bundle: true, splitting: true, format: "esm", platform: "browser", target: "es2022", outdir: out, logLevel: "silent" });
    writeFileSync(join(out, "index.html"), pageHtml("./page.js"));
    if (copyWorker) copyFileSync(join(installed, "dist/web-encoder-worker.js"), join(out, "web-encoder-worker.js"));
  },
};
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const browser = existsSync(chromiumPath) ? await (await import("playwright")).chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] }) : undefined;
/** What every page must report: the run completed with every point in the store, nothing refused. */
const stored = (r) => {
  const problems = [];
  if (r.status !== "COMPLETED") problems.push(`status ${r.status}`);
  if (r.total !== POINTS || r.last?.step !== POINTS - 1) problems.push(`${r.total} points stored, last ${JSON.stringify(r.last)}`);
  if (r.violations.length > 0) problems.push(`the policy refused: ${r.violations.join("; ")}`);
  return problems;
};
/** Runs the page built into `out` under the strict policy: its answer and the files it requested. */
async function runBuilt(out) {
  const server = await serveDir(out);
  try {
    return { ...(await runPage(browser, server.url, POINTS)), requests: server.requests };
  } finally {
    await server.close();
  }
}
/** What a page whose module worker encoded must report. */
const encodedOnWorker = (r) => {
  const problems = stored(r);
  if (r.replies === 0 || r.workerErrors > 0) problems.push(`${r.replies} encoder replies from workers, ${r.workerErrors} worker errors`);
  if (r.opfsIo !== "worker" || !r.opfsIntact) problems.push(`opfsAdapter changed files through "${r.opfsIo}"${r.opfsIntact ? "" : " and lost lines"} (want its I/O worker, the module worker file)`);
  if (r.warnings.length + r.errors.length > 0) problems.push(`console: ${[...r.warnings, ...r.errors].join(" | ")}`);
  return problems.length > 0 ? `${problems.join("; ")}${r.requests ? `\nrequested: ${r.requests.join(", ")}` : ""}` : undefined;
};
for (const where of ["window", "worker"]) {
  const scope = where === "window" ? "" : ", ml-dash in the page's own worker";
  for (const [label, bundler, copyWorker] of [
    ["webpack", "webpack", false],
    ["Vite", "vite", false],
    ["esbuild, with dist/web-encoder-worker.js copied beside the bundle", "esbuild", true],
  ]) {
    await check(`Chromium, strict CSP, a page built by ${label}${scope}: the module worker encodes and does opfsAdapter's I/O, every point is stored`, async () => {
      if (!browser) return `${chromiumPath} is missing`;
      const out = join(work, `page-${where}-${bundler}${copyWorker ? "-copied" : ""}`);
      await builds[bundler](pageDirs[where], out, copyWorker);
      return encodedOnWorker(await runBuilt(out));
    });
  }
  await check(`Chromium, the page on Vite's dev server${scope}: the module worker encodes and does opfsAdapter's I/O, every point is stored`, async () => {
    if (!browser) return `${chromiumPath} is missing`;
    const { createServer } = await import("vite");
    // The package's dependencies are links into this repo: the dev server may serve files from there.
    const server = await createServer({ root: pageDirs[where], configFile: false, logLevel: "silent", server: { host: "127.0.0.1", port: 0, fs: { allow: [project, REPO] } } });
    await server.listen();
    try {
      return encodedOnWorker(await runPage(browser, server.resolvedUrls.local[0], POINTS));
    } finally {
      await server.close();
    }
  });
}
await check("Chromium, strict CSP, a page built by esbuild without the worker file: encoded on the page, OPFS through createWritable, every point stored, a warning from each that says what to copy", async () => {
  if (!browser) return `${chromiumPath} is missing`;
  const out = join(work, "page-esbuild");
  await builds.esbuild(pageDirs.window, out, false);
  const r = await runBuilt(out);
  // The OPFS adapter then tries a blob: worker, which this policy refuses: that, and only that.
  const problems = stored({ ...r, violations: r.violations.filter((v) => !v.startsWith("worker-src blob")) });
  if (!r.violations.some((v) => v.startsWith("worker-src blob"))) problems.push("no blob: worker was tried (the OPFS adapter's second choice)");
  if (r.replies > 0) problems.push(`${r.replies} encoder replies from a worker that should not exist`);
  if (r.opfsIo !== "writable" || !r.opfsIntact) problems.push(`opfsAdapter changed files through "${r.opfsIo}"${r.opfsIntact ? "" : " and lost lines"} (no worker can start: want createWritable)`);
  // One from the encoder, one from opfsAdapter: each names the file to copy.
  const copy = "copy node_modules/ml-dash/dist/web-encoder-worker.js";
  if (r.warnings.length !== 2 || !r.warnings.every((w) => w.includes(copy)) || !r.warnings.some((w) => w.includes("opfsAdapter"))) problems.push(`ml-dash warned ${r.warnings.length} time(s): ${r.warnings.join(" | ")}`);
  return problems.length > 0 ? problems.join("; ") : undefined;
});
await browser?.close();

await check("wrangler bundles a Worker that imports it with 0 warnings (deploy --dry-run)", () => {
  writeFileSync(join(project, "wrangler.jsonc"), JSON.stringify({ name: "ml-dash-consumer", main: "worker.ts", compatibility_date: "2026-04-01", compatibility_flags: ["nodejs_compat"] }, null, 2));
  const r = sh(join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", join(work, "wrangler-out")], project);
  if (!r.ok) fail("wrangler failed", r.output);
  const warnings = r.output.split("\n").filter((l) => /\[WARNING\]/.test(l));
  if (warnings.length > 0) return `${warnings.length} warning(s):\n${warnings.slice(0, 10).join("\n")}`;
});

await check("publint --strict: no issues", () => {
  const r = sh(join(BIN, "publint"), ["--strict"], REPO);
  if (!r.ok || /warning|suggestion|error/i.test(r.output.replace(/All good!/, ""))) fail("publint found issues", r.output);
});

await check("attw --profile esm-only: no problems", () => {
  const r = sh(join(BIN, "attw"), [tarball, "--profile", "esm-only", "--format", "ascii"], REPO);
  if (!r.ok) fail("attw found problems", r.output);
});

await check("deno publish --dry-run (JSR: scoped name, no slow types)", () => {
  const r = sh(join(BIN, "deno"), ["publish", "--dry-run", "--allow-dirty"], REPO);
  if (!r.ok) fail("deno publish --dry-run failed", r.output);
});

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);

const failed = results.filter((r) => r.failure).length;
if (junitFile) {
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const total = results.reduce((s, r) => s + r.seconds, 0);
  const cases = results.map((r) => `  <testcase classname="package" name="${esc(r.name)}" time="${r.seconds.toFixed(3)}">${r.failure ? `<failure message="${esc(r.failure.split("\n")[0])}">${esc(r.failure)}</failure>` : ""}</testcase>`);
  mkdirSync(dirname(resolve(junitFile)), { recursive: true });
  writeFileSync(junitFile, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${results.length}" failures="${failed}" errors="0" time="${total.toFixed(3)}">\n<testsuite name="package" tests="${results.length}" failures="${failed}" errors="0">\n${cases.join("\n")}\n</testsuite>\n</testsuites>\n`);
}
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
