/**
 * Runs the scenario scripts (test/python/*.py) against a real `ml-dash serve`, each through its
 * own recording proxy, and reads their results: `ok(doc, "step")` is a step's value (the test
 * fails naming the step and its error otherwise), `failed(doc, "step")` its error.
 * `ml-dash serve` answers the REST calls and `POST /graphql` itself; the proxy only records.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./node-fixtures.ts";
import { installPythonClient, REPO, runPython, type PythonClient, type PythonRun } from "./python.ts";
import { signature, startRecordingProxy, type RecordedRequest } from "./recording-proxy.ts";
import { startServe, type ServeProcess } from "./serve-process.ts";

/** A step of a scenario, as scenario.py records it. */
export type Step = { ok: true; value: unknown } | { ok: false; error: { type: string; message: string; cause: string | null; trace: string } };

/** The document a scenario prints. */
export interface ScenarioDoc {
  scenario: string;
  info: Record<string, unknown>;
  steps: Record<string, Step>;
  order: string[];
  aborted?: string;
}

/** One finished scenario. */
export interface ScenarioRun {
  readonly doc: ScenarioDoc;
  readonly requests: readonly RecordedRequest[];
  readonly run: PythonRun;
}

/** The server a bench runs scenarios against (by default `ml-dash serve` over a fresh `.dash` root). */
export interface BenchServer {
  /** `http://127.0.0.1:<port>` (the API under `/api`). */
  readonly url: string;
  stop(): Promise<unknown>;
}

/** Starts the server of a bench: `token` stands for user `user`. */
export type BenchServerFactory<S extends BenchServer> = (o: { token: string; user: string }) => Promise<S>;

/** A server for Python scenarios. */
export interface PythonBench<S extends BenchServer = ServeProcess> {
  readonly serve: S;
  readonly py: PythonClient;
  readonly token: string;
  /** `ml-dash serve` answered a GraphQL probe (`{ me { username } }`) with the bench's user. */
  readonly graphqlServed: boolean;
  /** Runs `script` with `args` ("URL" becomes the proxy's URL) through a fresh recording proxy. */
  scenario(script: string, args: readonly string[], env?: Record<string, string>): Promise<ScenarioRun>;
  stop(): Promise<void>;
}

/**
 * Starts a server with a token for user `namespace` — `ml-dash serve` over a fresh root, or what
 * `o.server` starts (the team server, say) — and installs the Python client.
 */
export async function startPythonBench(o: { namespace: string; token?: string }): Promise<PythonBench>;
export async function startPythonBench<S extends BenchServer>(o: { namespace: string; token?: string; server: BenchServerFactory<S> }): Promise<PythonBench<S>>;
export async function startPythonBench(o: { namespace: string; token?: string; server?: BenchServerFactory<BenchServer> }): Promise<PythonBench<BenchServer>> {
  const token = o.token ?? "py-token-" + Math.random().toString(36).slice(2);
  const server = o.server ?? ((a) => startServe({ root: tempDir("py-serve"), token: a.token, user: a.user }));
  const [py, serve] = await Promise.all([installPythonClient(), server({ token, user: o.namespace })]);
  const probe = await fetch(`${serve.url}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ query: "{ me { username } }" }),
  });
  const graphqlServed = probe.status === 200 && ((await probe.json()) as { data?: { me?: { username?: string } } }).data?.me?.username === o.namespace;
  return {
    serve,
    py,
    token,
    graphqlServed,
    async scenario(script, args, env) {
      const proxy = await startRecordingProxy(serve.url, {});
      try {
        const run = await runPython(py, script, args.map((a) => (a === "URL" ? proxy.url : a)), { token, ...(env ? { env } : {}) });
        if (!run.json) throw new Error(`${script} ${args.join(" ")} printed no result (exit ${run.code} ${run.signal ?? ""}):\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
        return { doc: run.json as ScenarioDoc, requests: [...proxy.requests].sort((a, b) => a.seq - b.seq), run };
      } finally {
        await proxy.close();
      }
    },
    async stop() {
      await serve.stop();
    },
  };
}

function describeError(s: Step | undefined): string {
  if (!s) return "was never run";
  return s.ok ? "succeeded" : `raised ${s.error.type}: ${s.error.message}\n${s.error.trace}`;
}

/** The value step `name` returned; throws (naming the step and its error) if it raised. */
export function ok<T = any>(doc: ScenarioDoc, name: string): T {
  const s = doc.steps[name];
  if (!s?.ok) throw new Error(`step ${JSON.stringify(name)} of ${doc.scenario} ${describeError(s)}${doc.aborted ? `\n(${doc.aborted})` : ""}`);
  return s.value as T;
}

/** The error step `name` raised; throws if it did not. */
export function failed(doc: ScenarioDoc, name: string): { type: string; message: string; cause: string | null } {
  const s = doc.steps[name];
  if (!s || s.ok) throw new Error(`step ${JSON.stringify(name)} of ${doc.scenario} ${describeError(s)}, expected it to raise`);
  return s.error;
}

/**
 * Writes the requests a scenario sent to `.test-out/python-requests/<name>.json` (signatures and
 * records), for the comparison with our own SDK's requests and for people reading along.
 */
export function saveRecording(name: string, run: ScenarioRun): string {
  const dir = join(REPO, ".test-out", "python-requests");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ scenario: run.doc.scenario, info: run.doc.info, signatures: run.requests.map(signature), requests: run.requests }, null, 1));
  return file;
}
