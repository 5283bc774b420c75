#!/usr/bin/env node
/**
 * The requests ML-Dash Python sends, as a Markdown table: read from the recordings the Python
 * tests leave in .test-out/python-requests/*.json (test/node/python-sdk.test.ts,
 * python-cli.test.ts), one row per distinct request (method, path with ids as placeholders,
 * query keys, GraphQL operation or node type), with the steps that sent it and the statuses
 * `ml-dash serve` answered. GraphQL answered by the test stub shows as "404 (no /graphql)".
 *
 *   npx vitest run --project node test/node/python-sdk.test.ts test/node/python-cli.test.ts
 *   node scripts/python-requests-table.mjs > table.md
 *   node scripts/python-requests-table.mjs --by-endpoint   # metric names and topics as {name}, {topic}
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const dir = resolve(import.meta.dirname, "../.test-out/python-requests");
const byEndpoint = process.argv.includes("--by-endpoint");
const endpoint = (path) => (byEndpoint ? path.replace(/\/metrics\/[^/]+\/(?!$)/, "/metrics/{name}/").replace(/\/tracks\/[^/]+\/(?=[a-z_]+$)/, "/tracks/{topic}/") : path);
const rows = new Map();
for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  const rec = JSON.parse(readFileSync(join(dir, name), "utf8"));
  const who = name.replace(/\.json$/, "");
  for (const r of rec.requests) {
    // GraphQL: the operation, its root selection and variables (two queries share a name in Python's client)
    const what = r.operation ? `${r.operation}: ${r.selection ?? ""}${r.variables?.length ? ` (${r.variables.join(", ")})` : ""}` : (r.nodeType ?? "");
    const path = endpoint(r.path);
    const key = [r.method, path + (r.query.length ? "?" + r.query.join("&") : ""), what].join(" ");
    const row = rows.get(key) ?? { method: r.method, path, query: r.query, what, steps: new Map(), statuses: new Set() };
    row.statuses.add(r.stubbed ? "404 (no /graphql)" : String(r.status));
    const steps = row.steps.get(who) ?? new Set();
    steps.add(r.step ?? "?");
    row.steps.set(who, steps);
    rows.set(key, row);
  }
}

const cell = (s) => String(s).replace(/\|/g, "\\|");
const list = (set, max = 4) => {
  const all = [...set];
  return all.slice(0, max).join(", ") + (all.length > max ? `, … (${all.length})` : "");
};
console.log("| method | path | GraphQL operation: root selection (variables) / node type | sent by (recording: steps) | ml-dash serve today |");
console.log("|---|---|---|---|---|");
const ordered = [...rows.values()].sort((a, b) => (a.path === "/graphql") - (b.path === "/graphql") || a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.what.localeCompare(b.what));
for (const r of ordered) {
  const by = [...r.steps].map(([who, steps]) => `${who}: ${list(steps)}`).join("; ");
  const path = r.path + (r.query.length ? `?${r.query.join("&")}` : "");
  console.log(`| ${r.method} | \`${cell(path)}\` | ${cell(r.what)} | ${cell(by)} | ${[...r.statuses].sort().join(", ")} |`);
}
