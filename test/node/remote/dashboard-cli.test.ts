/**
 * The dashboard inside the CLI: `ml-dash serve` answers the ML-Dash API at /api and the
 * dashboard at / and /dash/api on one port (token by header or cookie), and `ml-dash ls` lists
 * a root — or a running serve — with status, last update and point counts.
 */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { Experiment } from "../../../src/index.ts";
import { BUILD_TIMEOUT_MS, ensureBuilt } from "../../support/built.ts";
import { bundleCli, REPO, runCli, type ChildResult } from "../../support/child.ts";
import { tempDir } from "../../support/node-fixtures.ts";

/** Each test runs the CLI in child processes against servers on loopback: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const PY_RUN = join(REPO, "test/fixtures/python-run"); // vendored: a fresh clone has no ../shared
let cli: string;
let root: string;

// The CLI serves the package's built UI (dist/dashboard/ui): built with the rest of dist/, never
// beside a build another test file runs (tsup empties dist/ first).
beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

beforeAll(async () => {
  // Bundled inside the repository, so the CLI finds the package's built UI (dist/dashboard/ui).
  const dir = join(REPO, ".test-out", "cli-dash");
  mkdirSync(dir, { recursive: true });
  cli = await bundleCli(join(dir, "main.ts"));
  root = tempDir("cli-dash");
  cpSync(PY_RUN, root, { recursive: true, preserveTimestamps: true });
  const exp = new Experiment("bob/demo/run-1", { storage: nodeFsAdapter({ root }), echo: false });
  await exp.run(async (exp) => {
    for (let s = 0; s < 1234; s++) exp.metrics("train").log({ step: s, loss: 1 / (s + 1) });
  });
});

function run(args: string[], onLine?: (line: string, stop: () => void) => void): Promise<ChildResult> {
  return runCli(cli, args, onLine ? { onLine } : {});
}

describe("ml-dash ls and the dashboard in ml-dash serve", () => {
  test("ls <root>: one line per run with status (recorded or inferred), last update and points", async () => {
    const r = await run(["ls", root]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^RUN\s+STATUS\s+UPDATED\s+POINTS\s+METRICS$/);
    expect(lines.find((l) => l.startsWith("bob/demo/run-1"))).toMatch(/COMPLETED\s+\d+s ago\s+1,234\s+train:1,234$/);
    expect(lines.find((l) => l.startsWith("alice/reference/mlp/python-run"))).toMatch(/finished\?.*35\s+None:1 batch:1 eval:2 train:31$/);
    const json = await run(["ls", root, "--json"]);
    expect(JSON.parse(json.stdout.trim().split("\n")[0] as string)).toMatchObject({ path: "alice/reference/mlp/python-run", inferred: true });
  }, IO_TIMEOUT_MS);

  test("serve: the ML-Dash API, the dashboard page and its API on one port; ls --dash-url asks it", async () => {
    let checks: Promise<unknown> | undefined;
    const r = await run(["serve", "--root", root, "--port", "0", "--token", "dash-tok-1"], (line, stop) => {
      const m = /ml-dash server: (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(line);
      if (!m || checks) return;
      const base = m[1] as string;
      checks = (async () => {
        try {
          const page = await fetch(`${base}/bob/demo/run-1`);
          expect(page.headers.get("content-type")).toMatch(/text\/html/);
          expect(await page.text()).toContain("/dash/ui/app-");
          expect((await fetch(`${base}/dash/api/runs`)).status).toBe(401);
          const login = await fetch(`${base}/?token=dash-tok-1`, { redirect: "manual" });
          const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
          const runs = (await (await fetch(`${base}/dash/api/runs`, { headers: { Cookie: cookie } })).json()) as { runs: { path: string }[] };
          expect(runs.runs.map((x) => x.path)).toEqual(["alice/reference/mlp/python-run", "bob/demo/run-1"]);
          // The ML-Dash API is unchanged under /api.
          expect((await fetch(`${base}/api/projects`)).status).toBe(401);
          const ls = await run(["ls", "--dash-url", base, "--token", "dash-tok-1"]);
          expect(ls.code).toBe(0);
          expect(ls.stdout).toMatch(/bob\/demo\/run-1\s+COMPLETED/);
        } finally {
          stop();
        }
      })().then(
        () => undefined,
        (err: unknown) => err,
      );
    });
    const failure = await checks;
    if (failure) throw failure;
    expect(r.stdout).toMatch(/ml-dash dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).not.toContain("dash-tok-1");
    expect(r.code).toBe(0);
  }, IO_TIMEOUT_MS);
});
