/**
 * `ml-dash serve` as a real process, built from the current sources (src/cli/main.ts bundled by
 * esbuild, so a stale dist/ never answers), on 127.0.0.1 and a free port, over a `.dash` root.
 *
 * @example
 * ```ts
 * const serve = await startServe({ root: tempDir("serve"), token: "T" });
 * // … serve.url …
 * await serve.stop();
 * ```
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { bundleCli, REPO, start, type ChildResult } from "./child.ts";

/** A running `ml-dash serve`. */
export interface ServeProcess {
  /** `http://127.0.0.1:<port>` (the API is under `/api`). */
  readonly url: string;
  readonly root: string;
  /** The server process's id (to read its memory from /proc). */
  readonly pid: number;
  /** Its standard output so far (the startup lines). */
  output(): string;
  /** Ends it (SIGTERM) and resolves with its output once it has exited. */
  stop(): Promise<ChildResult>;
}

let cli: Promise<string> | undefined;

/**
 * Starts `ml-dash serve --root <root> --port 0 [--token <token>] [--user <name>] [--users <file>]`
 * and resolves once it listens.
 */
export async function startServe(o: { root: string; token?: string; user?: string; users?: string; args?: string[]; env?: Record<string, string> }): Promise<ServeProcess> {
  cli ??= (() => {
    // Bundled inside the repository, so the CLI finds the package's files (as `ml-dash serve` does).
    const dir = join(REPO, ".test-out", "serve-process");
    mkdirSync(dir, { recursive: true });
    return bundleCli(join(dir, "main.ts"));
  })();
  const script = await cli;
  let child: ChildProcess | undefined;
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const args = [
    "serve", "--root", o.root, "--port", "0",
    ...(o.token !== undefined ? ["--token", o.token] : []),
    ...(o.user !== undefined ? ["--user", o.user] : []),
    ...(o.users !== undefined ? ["--users", o.users] : []),
    ...(o.args ?? []),
  ];
  let out = "";
  const exited = start(script, {
    args,
    cwd: o.root,
    ...(o.env ? { env: o.env } : {}),
    onLine: (line, c) => {
      child = c;
      out += line + "\n";
      const m = /ml-dash server: (http:\/\/[^/\s]+)\/api/.exec(line);
      if (m) listening(m[1] as string);
    },
  });
  const first = await Promise.race([url, exited]);
  if (typeof first !== "string") throw new Error(`ml-dash serve ended before listening (exit ${first.code}):\n${first.stdout}\n${first.stderr}`);
  return {
    url: first,
    root: o.root,
    pid: child?.pid ?? 0,
    output: () => out,
    stop: () => {
      child?.kill("SIGTERM");
      return exited;
    },
  };
}
