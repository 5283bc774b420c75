/**
 * Prefix templates in the built package, as users import it. Every entry but the browser's
 * registers the template code when it defines its `Experiment`, so a template expands in the
 * constructor. The registration must not be a bare side effect of an import: the package says
 * `"sideEffects": false` and the build drops bare chunk imports (tsup.config.ts), so such a
 * registration would silently vanish from the built entries (it did once). The browser entry
 * loads the code on first use and expands the template before the run starts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt } from "../support/built.ts";
import { REPO } from "../support/child.ts";

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

type Ctor = new (prefix: string, options: { storage: unknown }) => { prefix: string; run: { start(): Promise<unknown>; complete(): Promise<unknown> } };

async function load(sub: string): Promise<{ Experiment: Ctor }> {
  return (await import(pathToFileURL(join(REPO, "dist", sub)).href)) as { Experiment: Ctor };
}

async function memory(): Promise<unknown> {
  const m = (await import(pathToFileURL(join(REPO, "dist/adapters/memory.js")).href)) as { memoryAdapter: () => unknown };
  return m.memoryAdapter();
}

const year = String(new Date().getFullYear());

describe("prefix templates in the built entries", () => {
  for (const sub of ["entries/node.js", "entries/default.js", "index.js"]) {
    test(`${sub}: a template expands in the constructor`, async () => {
      const { Experiment } = await load(sub);
      const exp = new Experiment("alice/p/{now:%Y}/x", { storage: await memory() });
      expect(exp.prefix).toBe(`alice/p/${year}/x`);
    }, 60_000);
  }

  test("entries/browser.js: a template expands before the run starts", async () => {
    const { Experiment } = await load("entries/browser.js");
    const exp = new Experiment("alice/p/{now:%Y}/x", { storage: await memory() });
    await exp.run.start();
    expect(exp.prefix).toBe(`alice/p/${year}/x`);
    await exp.run.complete();
  }, 60_000);

  test("every chunk of the build is imported by something (no code left unreachable)", () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) { if (e.name !== "dashboard") walk(join(dir, e.name)); }
        else if (e.name.endsWith(".js")) files.push(join(dir, e.name));
      }
    };
    walk(join(REPO, "dist"));
    const texts = files.map((f) => readFileSync(f, "utf8"));
    const orphans = files
      .filter((f) => /\/chunk-[A-Za-z0-9_-]+\.js$/.test(f))
      .filter((f) => {
        const name = f.slice(f.lastIndexOf("/") + 1);
        return !texts.some((t, i) => files[i] !== f && t.includes(name));
      })
      .filter((f) => readFileSync(f, "utf8").replace(/\/\/.*$/gm, "").trim() !== "");
    expect(orphans.map((f) => f.slice(REPO.length + 1))).toEqual([]);
  });
});
