/**
 * ML-Dash Python 0.6.27 (the real client, vendored in `../shared/vendor`) as a test oracle: finds
 * the vendored sources, installs the client's dependencies once into `<repo>/.pyclient`, and runs
 * Python scripts (test/python/*.py) with their own HOME, temp folder and environment, returning
 * their exit code, output and the JSON document they print (`@@result@@ {…}`).
 *
 * @example
 * ```ts
 * const skip = pythonSkipReason();
 * describe.skipIf(skip)("python", () => {
 *   it("runs", async () => {
 *     const py = await installPythonClient();
 *     const run = await runPython(py, "sdk_full.py", ["remote", url, "alice/proj/exp"], { token: "T" });
 *     expect(run.json).toMatchObject({ … });
 *   });
 * });
 * ```
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { tempDir } from "./node-fixtures.ts";

/**
 * How long one Python script may run before it is taken for hung. A scenario script starts the
 * Python CLI dozens of times: about a minute on a quiet machine, 10 minutes and more on two cores
 * busy with other work (the guard once killed one there at 10 minutes). Not a measurement.
 */
export const PYTHON_GUARD_MS = 30 * 60_000;
/** A test that runs Python scenario scripts: the guard plus the rest of the test. */
export const PYTHON_SUITE_TIMEOUT_MS = 40 * 60_000;

export const REPO = resolve(import.meta.dirname, "../..");
/** The scenario scripts. */
export const PYTHON_SCRIPTS = join(REPO, "test/python");
/** Where the client's dependencies are installed (git-ignored). */
export const PYCLIENT_DIR = join(REPO, ".pyclient");
/** The marker before the JSON document a script prints. */
export const RESULT_MARKER = "@@result@@ ";

/**
 * Folders that may be `shared/`: `$ML_DASH_SHARED`, `<repo>/../shared` (where CI has it), and for a
 * git worktree the `../shared` of its main checkout.
 */
function sharedCandidates(): string[] {
  const out: string[] = [];
  const env = process.env["ML_DASH_SHARED"];
  if (env) out.push(resolve(env));
  out.push(resolve(REPO, "../shared"));
  const dotGit = join(REPO, ".git");
  try {
    if (statSync(dotGit).isFile()) {
      // A worktree: ".git" says "gitdir: <main>/.git/worktrees/<name>", and that folder's
      // "commondir" points (relatively) at <main>/.git.
      const gitdir = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
      if (gitdir) {
        const wt = resolve(REPO, gitdir);
        const common = existsSync(join(wt, "commondir")) ? resolve(wt, readFileSync(join(wt, "commondir"), "utf8").trim()) : resolve(wt, "../..");
        out.push(resolve(dirname(common), "../shared"));
      }
    }
  } catch {
    // no .git at all (an unpacked tarball): only the candidates above
  }
  return [...new Set(out)];
}

/** The vendored clients (`shared/vendor`), or undefined when no candidate holds them. */
export function vendorDir(): string | undefined {
  for (const shared of sharedCandidates()) {
    const vendor = join(shared, "vendor");
    if (existsSync(join(vendor, "setup-python.sh")) && existsSync(join(vendor, "ml-dash-python/src/ml_dash/client.py"))) return vendor;
  }
  return undefined;
}

/** The sources of the vendored ML-Dash Python package (`…/src/ml_dash`), or undefined. */
export function mlDashPythonSources(): string | undefined {
  const v = vendorDir();
  return v && join(v, "ml-dash-python/src/ml_dash");
}

let pythonOk: boolean | undefined;

/** Why Python tests cannot run here (for `describe.skipIf`), or undefined when they can. */
export function pythonSkipReason(): string | undefined {
  if (!vendorDir()) return `the vendored ML-Dash Python client is absent (looked in ${sharedCandidates().map((s) => join(s, "vendor")).join(", ")}; set ML_DASH_SHARED to the shared/ folder)`;
  pythonOk ??= spawnSync("python3", ["-c", "import sys; assert sys.version_info >= (3, 9)"]).status === 0;
  if (!pythonOk) return "python3 (3.9 or newer) is not on PATH";
  return undefined;
}

/** An installed client: the PYTHONPATH that imports it, and whether numpy + Pillow (for save_image) and pyarrow are there. */
export interface PythonClient {
  readonly pythonPath: string;
  readonly imageExtras: boolean;
  /** pyarrow imports (it reads back the Parquet files of `tracks.read(format="parquet")`). */
  readonly parquetReader: boolean;
}

let installing: Promise<PythonClient> | undefined;

/**
 * Installs the client's dependencies into `<repo>/.pyclient` (once: later calls, and later test
 * runs, find them there), with `setup-python.sh` from the vendor folder, plus numpy and Pillow
 * (which `files.save_image` needs) and pyarrow (an independent Parquet reader) from the same local
 * package index. Concurrent test files take turns through `flock`.
 */
export function installPythonClient(): Promise<PythonClient> {
  return (installing ??= install());
}

async function install(): Promise<PythonClient> {
  const vendor = vendorDir();
  if (!vendor) throw new Error(pythonSkipReason());
  mkdirSync(PYCLIENT_DIR, { recursive: true });
  const extra = join(PYCLIENT_DIR, "extra");
  // setup-python.sh prints the PYTHONPATH (and nothing else) on stdout. The extras use the
  // local index setup-python.sh uses (pip's file: extra-index-url), else pip's configuration.
  const script = `
set -euo pipefail
path=$(bash "$VENDOR/setup-python.sh" "$DIR")
idx=(); local_idx=$(python3 -m pip config get global.extra-index-url 2>/dev/null | tr ' ' '\\n' | grep -m1 '^file:' || true)
[ -n "$local_idx" ] && idx=(--index-url "$local_idx")
if [ ! -f "$DIR/extra/.done" ]; then
  if python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore "\${idx[@]}" \\
       --target "$DIR/extra" "numpy==2.4.6" "pillow==12.3.0" >&2; then touch "$DIR/extra/.done"; else touch "$DIR/extra/.failed"; fi
fi
if [ ! -f "$DIR/arrow/.done" ] && [ ! -f "$DIR/arrow/.failed" ]; then
  if python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore "\${idx[@]}" \\
       --target "$DIR/arrow" "pyarrow==25.0.1" >&2; then touch "$DIR/arrow/.done"; else mkdir -p "$DIR/arrow"; touch "$DIR/arrow/.failed"; fi
fi
echo "$path"`;
  const run = await spawnCollect("flock", [join(PYCLIENT_DIR, ".install.lock"), "bash", "-c", script], {
    env: { ...process.env, VENDOR: vendor, DIR: PYCLIENT_DIR },
    cwd: REPO,
  });
  if (run.code !== 0) throw new Error(`Installing ML-Dash Python's dependencies failed (exit ${run.code}):\n${run.stderr}`);
  const pythonPath = run.stdout.trim().split("\n").pop() ?? "";
  const imageExtras = existsSync(join(extra, ".done"));
  // pyarrow: an independent reader of the Parquet files the server writes (tracks read as parquet).
  const arrow = join(PYCLIENT_DIR, "arrow");
  const parquetReader = existsSync(join(arrow, ".done"));
  return { pythonPath: [pythonPath, ...(imageExtras ? [extra] : []), ...(parquetReader ? [arrow] : [])].join(":"), imageExtras, parquetReader };
}

/** Options of {@link runPython}. */
export interface RunPythonOptions {
  /** Stored in the isolated HOME's token storage before the script starts (as `ml-dash login` would). */
  readonly token?: string;
  /** Extra environment variables (the rest of the environment is not passed through, bar PATH and locale). */
  readonly env?: Readonly<Record<string, string>>;
  /** The working folder (default: a fresh one). */
  readonly cwd?: string;
  /** HOME (default: a fresh one, so `~/.dash` is never a real one). */
  readonly home?: string;
  /** Ends the process (SIGKILL) if it runs longer than this; a guard against a hung client, not a measurement. Default {@link PYTHON_GUARD_MS}. */
  readonly killAfterMs?: number;
}

/** A finished Python process. */
export interface PythonRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON document after the last `@@result@@ ` line, if the script printed one. */
  readonly json: unknown;
  readonly home: string;
  readonly cwd: string;
  /** The script's temp folder (TMPDIR). */
  readonly tmp: string;
}

/**
 * Runs `script` (a path, or a file name in test/python) with `python3` and the client on
 * PYTHONPATH, in an isolated HOME, TMPDIR and working folder.
 */
export async function runPython(client: PythonClient, script: string, args: readonly string[] = [], o: RunPythonOptions = {}): Promise<PythonRun> {
  const base = tempDir("py");
  const home = o.home ?? join(base, "home");
  const cwd = o.cwd ?? join(base, "work");
  const tmp = join(base, "tmp");
  for (const d of [home, cwd, tmp]) mkdirSync(d, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HOME: home,
    TMPDIR: tmp,
    USER: "pytest",
    PYTHONPATH: `${PYTHON_SCRIPTS}:${client.pythonPath}`,
    PYTHONDONTWRITEBYTECODE: "1", // the vendor folder is read-only
    PYTHONUNBUFFERED: "1",
    PYTHONIOENCODING: "utf-8",
    // rich: plain text, wide enough that tables are not cut
    TERM: "dumb",
    NO_COLOR: "1",
    COLUMNS: "250",
    ...(o.token !== undefined ? { ML_DASH_TEST_TOKEN: o.token } : {}),
    ...o.env,
  };
  const path = script.includes("/") ? script : join(PYTHON_SCRIPTS, script);
  const run = await spawnCollect("python3", [path, ...args], { env, cwd, killAfterMs: o.killAfterMs ?? PYTHON_GUARD_MS });
  return { ...run, json: parseResult(run.stdout), home, cwd, tmp };
}

/** The JSON document after the last result marker in `stdout`, or undefined. */
export function parseResult(stdout: string): unknown {
  const at = stdout.lastIndexOf("\n" + RESULT_MARKER);
  const start = at >= 0 ? at + 1 : stdout.startsWith(RESULT_MARKER) ? 0 : -1;
  if (start < 0) return undefined;
  const end = stdout.indexOf("\n", start);
  return JSON.parse(stdout.slice(start + RESULT_MARKER.length, end < 0 ? undefined : end));
}

interface Collected {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnCollect(cmd: string, args: readonly string[], o: { env: NodeJS.ProcessEnv; cwd: string; killAfterMs?: number }): Promise<Collected> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { env: o.env, cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const guard = o.killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), o.killAfterMs);
    guard?.unref();
    child.on("error", fail);
    child.on("close", (code, signal) => {
      if (guard) clearTimeout(guard);
      done({ code, signal, stdout, stderr });
    });
  });
}
