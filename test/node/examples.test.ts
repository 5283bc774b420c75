// The examples, run as a user would: the browser page in real Chromium (trains with
// TensorFlow.js, logs to IndexedDB with zero configuration, draws a live loss chart) and the
// Deno script with `deno run` (writes ./.dash).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { LocalReader } from "../../src/backends/local/local-reader.ts";
import { parseJsonLines, parsePyJson } from "../../src/layout/py-json-parse.ts";
import { BUILD_TIMEOUT_MS, ensureBuilt } from "../support/built.ts";
import { launchChromium, serve } from "../support/chromium.ts";
import { REPO } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("examples", () => {
  // `ml-dash` resolves to dist/ through package.json exports: built when missing or stale.
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  test("examples/browser: a TensorFlow.js run lands in IndexedDB and the page charts its loss", async () => {
    const { buildExample, exampleDir } = await import("../../examples/browser/build.mjs");
    const server = await serve({ "/main.js": await buildExample() }, exampleDir);
    cleanups.push(() => server.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}/?epochs=12`);
    await page.waitForSelector("body[data-done=true]", { timeout: 90_000 });
    expect(errors).toEqual([]);

    const prefix = await page.evaluate(() => document.body.dataset["prefix"]!);
    const chart = JSON.parse(await page.evaluate(() => document.querySelector("#chart")!.getAttribute("data-values")!)) as number[];
    const polyline = await page.evaluate(() => document.querySelector("#chart polyline")!.getAttribute("points")!);
    expect(chart).toHaveLength(12);
    expect(polyline.split(" ")).toHaveLength(12);
    expect(chart[11]!).toBeLessThan(chart[0]!); // it learned

    // Read the run straight from IndexedDB, around ml-dash: heads + chunks of each file.
    const files = await page.evaluate(async (prefix) => {
      const db: IDBDatabase = await new Promise((res, rej) => {
        const r = indexedDB.open("ml-dash");
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const req = <T>(r: IDBRequest<T>): Promise<T> => new Promise((res, rej) => ((r.onsuccess = () => res(r.result)), (r.onerror = () => rej(r.error))));
      const tx = db.transaction(["heads", "chunks"]);
      const keys = (await req(tx.objectStore("heads").getAllKeys(IDBKeyRange.bound(`${prefix}/`, `${prefix}0`)))) as string[];
      const out: Record<string, string> = {};
      for (const key of keys) {
        const head = (await req(tx.objectStore("heads").get(key))) as { gen: number };
        const chunks = (await req(tx.objectStore("chunks").getAll(IDBKeyRange.bound([key, head.gen, 0], [key, head.gen, Infinity])))) as Uint8Array[];
        out[key.slice(prefix.length + 1)] = chunks.map((c) => new TextDecoder().decode(c)).join("");
      }
      db.close();
      return out;
    }, prefix);
    expect(Object.keys(files).sort()).toEqual(
      expect.arrayContaining(["experiment.json", "parameters.json", "logs/logs.jsonl", "metrics/train/data.jsonl", "metrics/train/metadata.json", "metrics/batch/data.jsonl"]),
    );
    expect(parsePyJson(files["experiment.json"]!)).toMatchObject({ status: "COMPLETED", tags: ["tfjs", "browser"] });
    expect((parsePyJson(files["parameters.json"]!) as { data: object }).data).toMatchObject({ epochs: 12, backend: "cpu" });
    const train = parseJsonLines<{ index: number; data: { loss: number; epoch: number } }>(files["metrics/train/data.jsonl"]!).records;
    expect(train.map((r) => r.index)).toEqual([...Array(12).keys()]);
    expect(train.map((r) => r.data.loss)).toEqual(chart); // the chart shows what was logged
    expect(parseJsonLines(files["metrics/batch/data.jsonl"]!).records).toHaveLength(12);

    // The page offers the run as a `.dash` tar, and says how to see it in the dashboard.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const tar = readFileSync((await dl.path()) as string).toString("latin1");
    expect(tar).toContain(`${prefix}/experiment.json`);
    expect(tar).toContain(`${prefix}/metrics/train/data.jsonl`);
    expect(await page.textContent("#next")).toContain("ml-dash serve");
  }, 120_000);

  test("examples/deno: `deno run` writes a run into ./.dash that node-fs reads", () => {
    const cwd = tempDir("deno-example");
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const out = execFileSync(join(REPO, "node_modules/.bin/deno"), ["run", "-A", "--config", join(REPO, "deno.json"), join(REPO, "examples/deno/train.ts")], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      encoding: "utf8",
    });
    expect(out).toMatch(/Run "examples\/deno\/sgd-.*" is in \.\/\.dash\/examples\/deno\/sgd-.* \(COMPLETED\)/);
    const runs = readdirSync(join(cwd, ".dash/examples/deno"));
    expect(runs).toHaveLength(1);
    const dir = join(cwd, ".dash/examples/deno", runs[0]!);
    for (const f of ["experiment.json", "parameters.json", "logs/logs.jsonl", "logs/.log_sequence", "metrics/train/data.jsonl", "metrics/weights/data.jsonl"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(parsePyJson(readFileSync(join(dir, "experiment.json"), "utf8"))).toMatchObject({ status: "COMPLETED", tags: ["deno", "sgd"] });
    return (async () => {
      const storage = nodeFsAdapter({ root: join(cwd, ".dash") });
      const reader = new LocalReader(storage, `examples/deno/${runs[0]}`);
      const weights = await reader.readMetric("weights", 0, 100);
      expect(weights.data).toHaveLength(30);
      const last = weights.data.at(-1)!.data as { w: number; b: number };
      expect(last.w).toBeCloseTo(3, 1);
      expect(last.b).toBeCloseTo(-1, 1);
      expect((await reader.readMetric("train", 0, 100)).data).toHaveLength(30);
      await storage.close();
    })();
  }, 60_000);
});
