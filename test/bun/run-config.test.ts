// RUN, templates and tokens on Bun: the portable unit suites, the Node-compatible host hooks
// under Bun's node:fs, and a script run by Bun itself whose prefix follows its entry file.
import { expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AuthenticationError } from "../../src/index.ts";
import { nodeHostHooks } from "../../src/runtime/node/host.ts";
import { unitSuites } from "../behaviour/index.ts";
import { FIXTURE_TOKEN } from "../fixtures/fernet/vectors.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** Whole runs against a server on loopback, files through the disk: bun test's 5 s default is too short on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

unitSuites("bun");

const REPO = resolve(import.meta.dir, "../..");
const FIXTURES = join(REPO, "test/fixtures/fernet");

test("Bun reads the token files ml-dash login leaves in $HOME/.dash, and refuses a tampered one", async () => {
  const saved = { HOME: process.env.HOME, ML_DASH_TOKEN: process.env.ML_DASH_TOKEN };
  try {
    delete process.env.ML_DASH_TOKEN;
    process.env.HOME = join(FIXTURES, "home");
    expect(await nodeHostHooks.loadToken?.()).toBe(FIXTURE_TOKEN);
    process.env.HOME = join(FIXTURES, "home-tampered");
    const err = await nodeHostHooks.loadToken?.().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain("HMAC mismatch");
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}, IO_TIMEOUT_MS);

test("a Bun script at scripts/train.ts with RUN.entry = import.meta.url logs under <user>/scratch/<date>/scripts/train/<time>/000, then 001", async () => {
  const project = tempDir("bunproj");
  writeFileSync(join(project, "deno.json"), "{}");
  mkdirSync(join(project, "scripts"));
  writeFileSync(
    join(project, "scripts/train.ts"),
    `import { Experiment, RUN } from ${JSON.stringify(join(REPO, "src/runtime/bun/entry.ts"))};
RUN.entry = import.meta.url;
const a = new Experiment({ echo: false });
const b = new Experiment({ echo: false });
await a.run(async (e) => e.metrics("train").log({ loss: 1 }));
await b.run(async () => {});
console.log(JSON.stringify([a.prefix, b.prefix]));
`,
  );
  const cwd = tempDir("buncwd");
  const proc = Bun.spawn([process.execPath, join(project, "scripts/train.ts")], {
    cwd,
    env: { ...process.env, ML_DASH_USER: "", USER: "bunny", ML_DASH_PREFIX: "", DASH_PREFIX: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, errText, code] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text(), await proc.exited];
  expect(errText).toBe("");
  expect(code).toBe(0);
  const [a, b] = JSON.parse(out.trim().split("\n").pop() as string) as [string, string];
  expect(a).toMatch(/^bunny\/scratch\/\d{4}\/\d\d-\d\d\/scripts\/train\/\d\d\.\d\d\.\d\d\/000$/);
  expect(b).toBe(a.replace(/000$/, "001"));
  expect(readdirSync(join(cwd, ".dash", a.replace(/\/000$/, ""))).sort()).toEqual(["000", "001"]);
}, 30_000);
