#!/usr/bin/env node
// Runs the example worker in workerd (Miniflare, offline) against the ML-Dash server on
// 127.0.0.1, and checks what the server stored. Part of `npm test`; on its own:
//
//   npm run build && node examples/cloudflare-worker/test.mjs [--junit .test-out/worker-example.xml]
//
// The worker is bundled with tsup (`noExternal: [/.*/]`: workerd needs one self-contained
// file) and imports "ml-dash/core" the way a user's worker does: through the package's exports.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { build } from "tsup";

const here = import.meta.dirname;
const root = resolve(here, "../..");
const out = join(root, ".test-out/worker-example");
const junitPath = process.argv.includes("--junit") ? process.argv[process.argv.indexOf("--junit") + 1] : undefined;
const TOKEN = "edge-example-token";

if (!existsSync(join(root, "dist/server/index.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(1);
}
const { createServer } = await import(join(root, "dist/server/index.js"));
const { serveNode } = await import(join(root, "dist/server/node.js"));
const { memoryAdapter } = await import(join(root, "dist/adapters/memory.js"));

await build({
  entry: { worker: join(here, "src/worker.ts") },
  format: ["esm"],
  platform: "browser",
  target: "es2022",
  outDir: out,
  noExternal: [/.*/],
  splitting: false, // one self-contained module: workerd has no module loader for our chunks
  silent: true,
  clean: true,
  config: false,
});

const results = [];
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ms: Date.now() - t0 });
    console.log(`  ✓ ${name}`);
  } catch (err) {
    results.push({ name, ms: Date.now() - t0, error: err });
    console.log(`  ✗ ${name}\n    ${err?.stack ?? err}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const storage = memoryAdapter();
const server = await serveNode(createServer({ storage, token: TOKEN }), { port: 0 });
const mf = new Miniflare({
  modules: true,
  scriptPath: join(out, "worker.js"),
  compatibilityDate: "2026-04-01",
  bindings: { DASH_URL: server.url, DASH_TOKEN: TOKEN, MODEL: "tiny-sentiment" },
  cf: false,
});

const dec = new TextDecoder();
const lines = async (key) => {
  const b = await storage.read(key);
  return b ? dec.decode(b).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l.replace(/\bNaN\b/g, "null"))) : [];
};
const doc = async (key) => {
  const b = await storage.read(key);
  return b ? JSON.parse(dec.decode(b)) : undefined;
};
/** Waits for waitUntil(exp.run.complete()) to land: the run's status on the server. */
async function completed(dir, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await doc(`${dir}/experiment.json`))?.status === "COMPLETED") return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

console.log("worker example (workerd via Miniflare → ml-dash server on 127.0.0.1)");
try {
  const ids = ["req-1", "req-2", "req-3", "req-4"];
  const texts = ["hello edge", "aeiou", "xyz", "a longer sentence for the model"];
  await check("the worker answers every request (four at once)", async () => {
    const answers = await Promise.all(
      ids.map((id, i) => mf.dispatchFetch(`http://localhost/infer?q=${encodeURIComponent(texts[i])}`, { headers: { "x-request-id": id } })),
    );
    for (const [i, res] of answers.entries()) {
      const text = await res.text();
      assert(res.status === 200, `status ${res.status}: ${text}`);
      const body = JSON.parse(text);
      assert(body.requestId === ids[i] && body.tokens === texts[i].length, JSON.stringify(body));
    }
  });
  await check("ctx.waitUntil(exp.run.complete()) drains every run to the server: COMPLETED", async () => {
    for (const id of ids) assert(await completed(`edge/inference/tiny-sentiment/${id}`), `${id} never completed`);
  });
  await check("the server holds each run's metric, track, params and log as the worker wrote them", async () => {
    for (const [i, id] of ids.entries()) {
      const dir = `edge/inference/tiny-sentiment/${id}`;
      const points = await lines(`${dir}/metrics/inference/data.jsonl`);
      assert(points.length === 1, `${id}: ${points.length} inference points`);
      const p = points[0].data;
      assert(p.tokens === texts[i].length && typeof p.score === "number" && typeof p.latency_ms === "number" && typeof p._ts === "number", JSON.stringify(p));
      const tokens = await lines(`${dir}/tracks/tokens/data.jsonl`);
      assert(tokens.length === texts[i].length && tokens.every((t, k) => t.position === k && t.timestamp === k), `${id}: tokens ${JSON.stringify(tokens.slice(0, 3))}`);
      const params = await doc(`${dir}/parameters.json`);
      assert(params?.data?.model === "tiny-sentiment" && params.data["input.chars"] === texts[i].length, JSON.stringify(params));
      const logs = await lines(`${dir}/logs/logs.jsonl`);
      assert(logs.length === 1 && logs[0].message === "served" && logs[0].metadata?.path === "/infer", JSON.stringify(logs));
      const exp = await doc(`${dir}/experiment.json`);
      assert(JSON.stringify(exp.tags) === '["edge","inference"]' && typeof exp.id === "string", JSON.stringify(exp));
    }
  });
} finally {
  await mf.dispose();
  await server.close();
}

const failed = results.filter((r) => r.error).length;
console.log(`worker example: ${results.length - failed} passed, ${failed} failed`);
if (junitPath) {
  const esc = (s) => String(s).replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]);
  const cases = results
    .map((r) => `    <testcase name="${esc(r.name)}" time="${r.ms / 1000}">${r.error ? `<failure message="${esc(r.error.message ?? r.error)}"/>` : ""}</testcase>`)
    .join("\n");
  mkdirSync(dirname(junitPath), { recursive: true });
  writeFileSync(
    junitPath,
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${results.length}" failures="${failed}" errors="0" skipped="0">\n  <testsuite name="worker-example" tests="${results.length}" failures="${failed}">\n${cases}\n  </testsuite>\n</testsuites>\n`,
  );
}
process.exit(failed === 0 ? 0 : 1);
