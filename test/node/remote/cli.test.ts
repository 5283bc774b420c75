/**
 * The `ml-dash` command: `serve` over an existing tree, and `upload` of local runs (Python's
 * and this SDK's) to a server, resumable and idempotent, with a progress line.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { Experiment } from "../../../src/index.ts";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import { formatCount, formatDuration, formatProgress } from "../../../src/cli/progress.ts";
import { bundleCli, REPO, runCli, type ChildResult } from "../../support/child.ts";
import { call } from "../../support/http.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

/** Each test runs the CLI in child processes against servers on loopback: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const PY_RUN = join(REPO, "test/fixtures/python-run"); // vendored: a fresh clone has no ../shared
let cli: string;
let srv: TestServer;

beforeAll(async () => {
  cli = await bundleCli();
  srv = await startServer({ token: "tok-123456789" });
});
afterAll(async () => srv.close());


function run(args: string[], env: Record<string, string> = {}, onLine?: (line: string, stop: () => void) => void): Promise<ChildResult> {
  return runCli(cli, args, { env, ...(onLine ? { onLine } : {}) });
}

/**
 * Runs the CLI with its stdout on a real pseudo-terminal (util-linux `script`), as a person at a
 * terminal would; what the terminal showed comes back as stdout (line ends as CRLF).
 */
function inTerminal(args: string[], env: Record<string, string>): Promise<ChildResult> {
  const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
  return new Promise((done, reject) => {
    // A terminal 120 columns wide (the bar fits in the width the terminal reports).
    const child = spawn("script", ["-q", "-e", "-c", `stty cols 120 rows 40; ${[process.execPath, cli, ...args].map(quote).join(" ")}`, "/dev/null"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => done({ code, signal, stdout: stdout.replace(/\r\n/g, "\n"), stderr }));
  });
}

async function records(key: string): Promise<Record<string, unknown>[]> {
  const b = await srv.storage.read(key);
  return b ? parseJsonLines<Record<string, unknown>>(b).records : [];
}

describe("ml-dash serve", () => {
  test("serves the runs already in --root, requires the token, and stops on SIGTERM", async () => {
    const root = tempDir("cli-serve");
    cpSync(PY_RUN, root, { recursive: true });
    let checked: Promise<void> | undefined;
    const r = await run(["serve", "--root", root, "--port", "0", "--token", "s3cret-token"], {}, (line, stop) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(line);
      if (!m) return;
      checked = (async () => {
        const base = m[1] as string;
        expect((await call(base, "GET", "experiments", { token: null })).status).toBe(401);
        const list = await call<{ experiments: { prefix: string; id: string }[] }>(base, "GET", "experiments", { token: "s3cret-token" });
        expect(list.body.experiments.map((e) => e.prefix)).toEqual(["alice/reference/mlp/python-run"]);
        const id = list.body.experiments[0]?.id;
        const stats = await call(base, "GET", `experiments/${id}/metrics/train/stats`, { token: "s3cret-token" });
        expect(stats.body["totalDataPoints"]).toBe("31");
      })().finally(stop);
    });
    await checked;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 run; bearer token required/);
  }, IO_TIMEOUT_MS);

  test("a --root that does not exist is served (uploads create it), with a note saying so", async () => {
    const root = join(tempDir("cli-serve-missing"), "not-yet");
    let seen = "";
    const r = await run(["serve", "--root", root, "--port", "0"], { ML_DASH_TOKEN: "" }, (line, stop) => {
      seen += line + "\n";
      if (line.startsWith("note:")) stop();
    });
    expect(r.code).toBe(0);
    expect(seen).toContain(`(0 runs; no token required)`);
    expect(seen).toContain(`note: ${root} does not exist yet: it is created when the first run is written (check --root if you meant to serve existing runs)`);
  }, IO_TIMEOUT_MS);

  test("bad arguments exit 2 with a message and the command's usage", async () => {
    const r = await run(["serve", "--port", "99999"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port must be a whole number from 0 to 65535, got "99999"/);
    expect(r.stderr).toMatch(/Usage: ml-dash serve/);
    const u = await run(["upload", "somewhere"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--dash-url/);
  }, IO_TIMEOUT_MS);
});

describe("upload's progress bar (formatting)", () => {
  test("percent, counts, the rate of records sent (not of those already there) and the time left", () => {
    // 10,000 were on the server, 20,000 sent in 10 s: 2,000/s, 30,000 left: 15 s.
    const line = formatProgress({ done: 30_000, total: 60_000, sent: 20_000, elapsedMs: 10_000, label: "[1/2] a/b/c metrics/loss" }, 100);
    expect(line).toMatch(/^\[█+░+\]  50% 30\.0k\/60\.0k records {2}2\.00k\/s {2}ETA 0:15 {2}\[1\/2\] a\/b\/c metrics\/loss$/);
    const filled = (line.match(/█/g) ?? []).length;
    expect(filled).toBe(Math.round((filled + (line.match(/░/g) ?? []).length) / 2));
    expect(formatProgress({ done: 0, total: 10, sent: 0, elapsedMs: 5, label: "x" })).toMatch(/ 0% 0\/10 records {2}-\/s {2}ETA --:--/);
    expect(formatProgress({ done: 5, total: 0, sent: 5, elapsedMs: 1000, label: "x" })).toMatch(/100% 5\/5 records {2}5\/s {2}ETA 0:00/); // a stream whose metadata gave no count
    const narrow = formatProgress({ done: 1, total: 2, sent: 1, elapsedMs: 1, label: "x".repeat(200) }, 60);
    expect(narrow).toHaveLength(59);
    expect(narrow.endsWith("…")).toBe(true);
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Infinity)).toBe("--:--");
    expect(formatCount(4_560_000)).toBe("4.56M");
  });
});

describe("ml-dash: help, checks and exit codes", () => {
  test("<cmd> --help and -h print that command's options and exit 0; help <cmd> too", async () => {
    for (const [cmd, option] of [["serve", "--port PORT"], ["upload", "--dash-url URL"], ["ls", "--json"]] as const) {
      for (const flag of ["--help", "-h"]) {
        const r = await run([cmd, flag]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe("");
        expect(r.stdout).toMatch(new RegExp(`^Usage: ml-dash ${cmd}`));
        expect(r.stdout).toContain(option);
        expect(r.stdout).toContain("-h, --help");
      }
    }
    // --help after other options still wins; after "--" it is an argument.
    expect((await run(["serve", "--port", "abc", "--help"])).code).toBe(0);
    const h = await run(["help", "upload"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: ml-dash upload \[root\] \[options\]/);
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/serve\s+Serve the runs/);
    expect(top.stdout).toMatch(/ml-dash <command> --help/);
  }, IO_TIMEOUT_MS);

  test("bad values say what was expected and what was given (exit 2, usage line, no help dump)", async () => {
    const port = await run(["serve", "--port", "abc"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/^ml-dash serve: --port must be a whole number from 0 to 65535, got "abc"\n/);
    expect(port.stderr).not.toMatch(/NaN/);
    expect(port.stderr).toMatch(/Run "ml-dash serve --help" for the options/);
    expect(port.stderr).not.toContain("--cors-origin"); // the usage line, not the whole help
    const url = await run(["upload", "--dash-url", "ftp://host"]);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/--dash-url must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/host"/);
    const unknown = await run(["ls", "--colour"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--colour'/);
    const both = await run(["ls", ".", "--dash-url", srv.url]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give a root or --dash-url, not both/);
    const cmd = await run(["lss"]);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command "lss"/);
    const none = await run([]);
    expect(none.code).toBe(2);
  }, IO_TIMEOUT_MS);

  test("a missing root is an error (exit 1) for ls and upload; an empty one says how to log a run (exit 0)", async () => {
    const dir = tempDir("cli-roots");
    const missing = join(dir, "missing");
    const ls = await run(["ls", missing]);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toBe(`ml-dash ls: ${missing} does not exist: give the .dash root your runs were written to (ml-dash ls path/to/.dash)\n`);
    expect(ls.stdout).toBe("");
    const up = await run(["upload", missing, "--dash-url", srv.url], { ML_DASH_TOKEN: "tok-123456789" });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/^ml-dash upload: .*missing does not exist/);
    const file = join(dir, "file.txt");
    writeFileSync(file, "x");
    const notDir = await run(["ls", file]);
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toMatch(/is a file, not a folder/);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const e = await run(["ls", empty]);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^No runs under .*empty \(a run is a folder holding experiment\.json\) yet\. Log one with new Experiment/);
    expect((await run(["ls", empty, "--json"])).stdout).toBe("");
  }, IO_TIMEOUT_MS);
});

describe("ml-dash upload", () => {
  test("uploads Python's and this SDK's runs; a second upload sends nothing; new local records are sent next time", async () => {
    const root = tempDir("cli-upload");
    cpSync(PY_RUN, root, { recursive: true });
    const storage = nodeFsAdapter({ root });
    const sdk = new Experiment("bob/cli/run-1", { storage, echo: false });
    await sdk.run(async (e) => {
      e.params.set({ lr: 0.5 });
      for (let i = 0; i < 25_000; i++) e.metrics("train").log({ i, loss: NaN });
      e.tracks("t").append({ v: 1, _ts: 1 });
      e.logs.info("sdk");
    });
    const env = { ML_DASH_TOKEN: "tok-123456789" };
    const first = await run(["upload", root, "--dash-url", srv.url], env);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toMatch(/\[1\/2\] alice\/reference\/mlp\/python-run: 45 records sent, 0 already there/);
    expect(first.stdout).toMatch(/\[2\/2\] bob\/cli\/run-1: 25,002 records sent, 0 already there/);
    expect(first.stdout).toMatch(/Uploaded 2 of 2 run\(s\) to \S+ in \d+:\d\d: 25,047 records sent \([\d.]+k?\/s\), 0 already there/);
    // Not a terminal: no bar, no carriage returns; the result lines and one summary line.
    expect(first.stdout).not.toMatch(/\r|ETA|█/);
    expect(first.stdout.trimEnd().split("\n")).toHaveLength(3);
    const py = "alice/reference/mlp/python-run";
    const local = parseJsonLines<Record<string, unknown>>((await storage.read(`${py}/metrics/eval/data.jsonl`)) as Uint8Array).records;
    expect((await records(`${py}/metrics/eval/data.jsonl`)).map((r) => r["data"])).toEqual(local.map((r) => r["data"])); // NaN, ±Infinity kept
    expect((await records("bob/cli/run-1/metrics/train/data.jsonl")).map((r) => r["index"])).toEqual(Array.from({ length: 25_000 }, (_, i) => i));
    const doc = JSON.parse(new TextDecoder().decode((await srv.storage.read("bob/cli/run-1/experiment.json")) as Uint8Array));
    expect(doc.status).toBe("COMPLETED");

    const again = await run(["upload", root, "--dash-url", srv.url], env);
    expect(again.stdout).toMatch(/python-run: 0 records sent, 45 already there/);
    expect(again.stdout).toMatch(/run-1: 0 records sent, 25,002 already there/);

    const more = new Experiment("bob/cli/run-1", { storage, echo: false });
    await more.run(async (e) => {
      for (let i = 25_000; i < 25_100; i++) e.metrics("train").log({ i });
    });
    const third = await run(["upload", root, "--dash-url", srv.url, "--prefix", "bob"], env);
    expect(third.stdout).toMatch(/\[1\/1\] bob\/cli\/run-1: 100 records sent, 25,002 already there/);
    expect((await records("bob/cli/run-1/metrics/train/data.jsonl")).length).toBe(25_100);
  }, 60_000);

  test("in a terminal (a real pseudo-terminal, util-linux script): a bar with percent, rate and ETA, cleared before the summary", async () => {
    const root = tempDir("cli-upload-tty");
    const sdk = new Experiment("carol/tty/run-1", { storage: nodeFsAdapter({ root }), echo: false });
    await sdk.run(async (e) => {
      for (let i = 0; i < 60_000; i++) e.metrics("train").log({ i });
    });
    const r = await inTerminal(["upload", root, "--dash-url", srv.url], { ML_DASH_TOKEN: "tok-123456789" });
    expect(r.code, r.stdout).toBe(0);
    const frames = r.stdout.split("\r\x1b[K").map((f) => f.trim()).filter((f) => f.startsWith("["));
    const bars = frames.filter((f) => /^\[[█░]+\]/.test(f));
    // One frame per whole percent at least: the first (nothing sent: no rate yet), the last at 100% with a rate and ETA 0:00.
    expect(bars[0]).toMatch(/^\[░+\]\s+0% 0\/60\.0k records {2}-\/s {2}ETA --:-- {2}\[1\/1\] carol\/tty\/run-1 metrics\/train/);
    expect(bars.some((b) => /^\[█+░+\]\s+[1-9]\d?% [\d.]+k\/60\.0k records {2}[\d.]+k?\/s {2}ETA \d+:\d\d /.test(b))).toBe(true);
    expect(bars.at(-1)).toMatch(/^\[█+\] 100% 60\.0k\/60\.0k records {2}[\d.]+k?\/s {2}ETA 0:00 /);
    expect(r.stdout).toMatch(/\[1\/1\] carol\/tty\/run-1: 60,000 records sent, 0 already there/);
    // The bar is cleared, then the summary is the last thing printed.
    expect(r.stdout).toMatch(/\r\x1b\[KUploaded 1 of 1 run\(s\) to \S+ in \d+:\d\d: 60,000 records sent \([\d.]+k?\/s\)[^\r\x1b]*\s*$/);
  }, IO_TIMEOUT_MS);

  test("a wrong token fails with a clear message and exit code 1, without printing the token", async () => {
    const root = tempDir("cli-upload-bad");
    cpSync(PY_RUN, root, { recursive: true });
    const r = await run(["upload", root, "--dash-url", srv.url, "--token", "definitely-wrong-token"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the upload \(the token was not accepted\): pass --token TOKEN or set ML_DASH_TOKEN\. Stopped at run 1 of 1/);
    expect(r.stderr.match(/refused/g)).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain("definitely-wrong-token");
  }, IO_TIMEOUT_MS);

  test("without a token: a server that needs none takes the upload; one that needs one gets a single message", async () => {
    const open = await startServer();
    try {
      const root = tempDir("cli-upload-open");
      cpSync(PY_RUN, root, { recursive: true });
      const ok = await run(["upload", root, "--dash-url", open.url], { ML_DASH_TOKEN: "", HOME: root });
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/Uploaded 1 of 1 run/);
      const refused = await run(["upload", root, "--dash-url", srv.url], { ML_DASH_TOKEN: "", HOME: root });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/refused the upload \(it needs a token\)/);
      expect(refused.stderr.match(/refused/g)).toHaveLength(1);
    } finally {
      await open.close();
    }
  }, IO_TIMEOUT_MS);
});
