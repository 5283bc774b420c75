/**
 * Two real processes writing one server experiment at once (issue 13 item 9): each opens the
 * same prefix while the other has opened it too (so both see the same stream ends), then logs
 * `n` points `{w, i}` to metric `train` and three log lines, and completes. Used against the
 * `.dash` store (test/node/remote/many-writers.test.ts) and the team store (test/node/team/).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundle, start, type ChildResult } from "./child.ts";
import { call } from "./http.ts";
import { tempDir } from "./node-fixtures.ts";

const SCRIPT = `
  import { existsSync } from "node:fs";
  import { Experiment } from "ml-dash";
  import { nodeFsAdapter } from "ml-dash/adapters/node-fs";
  const [mode, url, token, prefix, who, n, root, go] = process.argv.slice(2);
  const errors = [];
  const exp = new Experiment(prefix, { dashUrl: url, token, storage: mode === "hybrid" ? nodeFsAdapter({ root }) : null, echo: false, onError: (e) => errors.push(e.code) });
  await exp.run.start();
  console.log("started");
  while (!existsSync(go)) await new Promise((r) => setTimeout(r, 5)); // both have opened the run
  exp.logs.info("hello from " + who);
  for (let i = 0; i < Number(n); ) {
    for (const end = Math.min(Number(n), i + 1000); i < end; i++) exp.metrics("train").log({ w: who, i });
    await new Promise((r) => setImmediate(r));
  }
  exp.logs.info("logged " + n);
  await exp.flush();
  exp.logs.info("bye from " + who);
  await exp.run.complete();
  console.log("done dropped=" + exp.stats.dropped + " errors=" + JSON.stringify(errors));
`;

let script: Promise<string> | undefined;

/** Runs writers "A" and "B" (`mode`: remote-only or hybrid, each with its own local store) on `prefix`; resolves with their results. */
export async function twoWriters(url: string, token: string, mode: "remote" | "hybrid", prefix: string, n: number): Promise<ChildResult[]> {
  script ??= bundle(SCRIPT);
  const file = await script;
  const go = join(tempDir("go"), "go");
  let started = 0;
  const run = (who: string): Promise<ChildResult> =>
    start(file, {
      args: [mode, url, token, prefix, who, String(n), tempDir(`writer-${who}`), go],
      onLine: (line) => {
        if (line === "started" && ++started === 2) writeFileSync(go, "go");
      },
    });
  const results = await Promise.all([run("A"), run("B")]);
  if (!existsSync(go)) throw new Error(`a writer ended before both had started:\n${results.map((r) => r.stdout + r.stderr).join("\n")}`);
  return results;
}

/** What the server holds of the run: its metric points (index, writer, i) and log messages, read through the REST API. */
export async function serverHolds(url: string, token: string, prefix: string): Promise<{ points: [number, string, number][]; logs: string[] }> {
  const o = { token };
  const listed = await call<{ experiments: { id: string; prefix: string }[] }>(url, "GET", `experiments?prefix=${encodeURIComponent(prefix)}`, o);
  const id = listed.body.experiments.find((e) => e.prefix === prefix)?.id;
  if (id === undefined) throw new Error(`${prefix} is not on the server: ${JSON.stringify(listed.body)}`);
  const points: [number, string, number][] = [];
  for (let from = 0; ; ) {
    const page = await call<{ data: { index: number | string; data: { w: string; i: number } }[]; hasMore: boolean }>(url, "GET", `experiments/${id}/metrics/train/data?startIndex=${from}&limit=10000`, o);
    if (page.status !== 200) throw new Error(`metric page at ${from}: ${page.status} ${JSON.stringify(page.body)}`);
    for (const p of page.body.data) points.push([Number(p.index), p.data.w, p.data.i]);
    if (!page.body.hasMore || page.body.data.length === 0) break;
    from += page.body.data.length;
  }
  const logs = await call<{ logs: { message: string }[] }>(url, "GET", `experiments/${id}/logs?limit=100`, o);
  return { points, logs: logs.body.logs.map((l) => l.message) };
}

/** Problems with what the server holds: every (writer, i) exactly once, indices 0..2n-1 in order. */
export function missing(points: readonly [number, string, number][], n: number): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  points.forEach(([index, w, i], k) => {
    if (index !== k && out.length < 5) out.push(`point ${k} has index ${index}`);
    const key = `${w}:${i}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  for (const w of ["A", "B"]) {
    let lost = 0;
    let doubled = 0;
    for (let i = 0; i < n; i++) {
      const c = seen.get(`${w}:${i}`) ?? 0;
      if (c === 0) lost++;
      if (c > 1) doubled++;
    }
    if (lost > 0) out.push(`${lost} of writer ${w}'s ${n} points are missing`);
    if (doubled > 0) out.push(`${doubled} of writer ${w}'s points are stored more than once`);
  }
  return out;
}
