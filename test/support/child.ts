/**
 * Runs a TypeScript snippet in a child Node process: bundled with esbuild (the SDK imported from
 * source through absolute paths), so tests can crash, signal or exit real processes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { tempDir } from "./node-fixtures.ts";

export const REPO = resolve(import.meta.dirname, "../..");

/**
 * Bundles `source` (which may import "ml-dash", "ml-dash/core" or adapters) into a runnable .mjs
 * file. With `file` (a .ts path), the source is written there and the bundle beside it, so
 * `import.meta.url` points into that folder.
 */
export async function bundle(source: string, file?: string): Promise<string> {
  const entry = file ?? join(tempDir("child"), "main.ts");
  writeFileSync(entry, source);
  const out = entry.replace(/\.ts$/, "") + ".mjs";
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: out,
    logLevel: "error",
    alias: {
      "ml-dash/core": join(REPO, "src/index.ts"),
      "ml-dash/adapters/node-fs": join(REPO, "adapters/node-fs/index.ts"),
      "ml-dash/adapters/memory": join(REPO, "adapters/memory/index.ts"),
      "ml-dash": join(REPO, "src/runtime/node/entry.ts"),
    },
    nodePaths: [join(REPO, "node_modules")],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return out;
}

/**
 * The `ml-dash` command (src/cli/main.ts) as a runnable bundle that calls main(): bin.ts itself
 * would be tree-shaken away ("sideEffects": false). `file` as for {@link bundle}.
 */
export function bundleCli(file?: string): Promise<string> {
  return bundle(`import { main } from ${JSON.stringify(join(REPO, "src/cli/main.ts"))}; process.exitCode = await main(process.argv.slice(2));`, file);
}

/** Runs the bundled CLI with `args` in this process's folder; `onLine` sees each stdout line and may stop it (SIGTERM). */
export function runCli(cli: string, args: string[], options: { env?: Record<string, string>; onLine?: (line: string, stop: () => void) => void } = {}): Promise<ChildResult> {
  const { onLine } = options;
  return start(cli, {
    args,
    cwd: process.cwd(),
    ...(options.env ? { env: options.env } : {}),
    ...(onLine ? { onLine: (line: string, child: ChildProcess) => onLine(line, () => child.kill("SIGTERM")) } : {}),
  });
}

/** Result of a finished child. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts a bundled script with `args`; `onLine` sees each stdout line (and may kill the child). */
export function start(script: string, options: { args?: string[]; cwd?: string; env?: Record<string, string>; onLine?: (line: string, child: ChildProcess) => void; stdin?: boolean } = {}): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
      cwd: options.cwd ?? tempDir("cwd"),
      env: { ...process.env, ...options.env },
      stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        options.onLine?.(line, child);
      }
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}
