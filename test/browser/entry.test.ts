// The browser entry of `ml-dash`: zero-config IndexedDB storage, and flushing when the page is
// hidden or unloaded.
import { afterEach, describe, expect, test } from "vitest";
import { deleteDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";
import { Experiment, ExperimentNotStartedError, browserRuntime } from "../../src/runtime/browser/entry.ts";
import { parseJsonLines } from "../../src/layout/py-json-parse.ts";

const names: string[] = [];
const unique = (): string => {
  const n = `mldash-entry-${Date.now().toString(36)}-${names.length}`;
  names.push(n);
  return n;
};
afterEach(async () => {
  for (const n of names.splice(0)) await deleteDB(n);
});

async function points(dbName: string, key: string): Promise<number> {
  const s = indexedDBAdapter({ dbName });
  try {
    const b = await s.read(key);
    return b ? parseJsonLines(b).records.length : 0;
  } finally {
    await s.close();
  }
}

async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("browser entry", () => {
  test("zero config: runs land in IndexedDB (database named by dashRoot; `ml-dash` by default)", async () => {
    expect(browserRuntime.name).toBe("browser");
    const dbName = unique();
    const exp = new Experiment("alice/web/run-1", { dashRoot: dbName, echo: false });
    expect(exp.mode).toBe("local");
    await exp.run(async (e) => {
      e.params.set({ lr: 0.01 });
      for (let step = 0; step < 5; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
    });
    expect(await points(dbName, "alice/web/run-1/metrics/train/data.jsonl")).toBe(5);
    const defaultDb = browserRuntime.defaultStorage!(".dash") as ReturnType<typeof indexedDBAdapter>;
    expect(defaultDb.dbName).toBe("ml-dash");
  });

  test("a prefix template: its code is not in the entry; it loads on first use and the prefix is expanded before the run starts", async () => {
    const dbName = unique();
    const exp = new Experiment("alice/web/{now:%Y}-{EXP.readme}", { dashRoot: dbName, echo: false, run: { now: new Date(2026, 0, 2), readme: "r" } });
    expect(() => exp.prefix).toThrow(ExperimentNotStartedError); // this page has not loaded the template code yet
    await exp.run(async (e) => void e.metrics("train").log({ loss: 1 }));
    expect([exp.prefix, exp.name]).toEqual(["alice/web/2026-r", "2026-r"]);
    expect(await points(dbName, "alice/web/2026-r/metrics/train/data.jsonl")).toBe(1);
    // Loaded now: a template expands in the constructor, and a bad one throws there.
    expect(new Experiment("alice/web/{now:%m}", { dashRoot: dbName, echo: false, run: { now: new Date(2026, 0, 2) } }).prefix).toBe("alice/web/01");
    expect(() => new Experiment("alice/web/{nope}", { dashRoot: dbName, echo: false })).toThrow(/unknown field \{nope\}/);
  });

  test("a hidden page or a pagehide flushes running experiments, which stay open", async () => {
    const dbName = unique();
    const exp = new Experiment("alice/web/run-2", { dashRoot: dbName, echo: false, buffer: { flushIntervalMs: 600_000 } });
    await exp.run.start();
    const key = "alice/web/run-2/metrics/train/data.jsonl";
    exp.metrics("train").log({ loss: 1 });
    await new Promise((r) => setTimeout(r, 50)); // a window for a wrong flush to happen in, not a wait
    expect(await points(dbName, key)).toBe(0); // nothing flushed yet: the interval is ten minutes

    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    try {
      document.dispatchEvent(new Event("visibilitychange"));
      await eventually(async () => (await points(dbName, key)) === 1);
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState; // back to the prototype's getter
    }
    expect(exp.status).toBe("RUNNING");

    exp.metrics("train").log({ loss: 0.5 });
    globalThis.dispatchEvent(new Event("pagehide"));
    await eventually(async () => (await points(dbName, key)) === 2);
    expect(exp.status).toBe("RUNNING");
    await exp.run.complete();
  });
});
