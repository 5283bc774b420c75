/**
 * The dashboard's server side without a browser: the metric scanner against the tolerant
 * parser (property-based), bucket stability under appends, incremental caches, run discovery and
 * status inference, `ls` formatting, `.dashrc` validation, globs, floor matching, and the app's
 * auth and routes through `app.request`.
 */
import fc from "fast-check";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";
import { createDashboardApp, formatRunsTable, listRuns, parseDashRc, runFolders } from "../../src/dashboard/index.ts";
import { bucketWidth } from "../../src/server/store/series.ts";
import { BLOCK_ROWS, summaryOf } from "../../src/server/stores/dash/bucket-summary.ts";
import { countUndrawable, minMaxBuckets } from "../../src/server/stores/dash/downsample.ts";
import { warmSummaries } from "../../src/server/stores/dash/series.ts";
import { globMatch } from "../../src/dashboard/glob.ts";
import { JsonlCache } from "../../src/server/stores/dash/jsonl-cache.ts";
import { MetricCache } from "../../src/server/stores/dash/metric-cache.ts";
import { Cell, MetricColumns } from "../../src/server/stores/dash/metric-columns.ts";
import { scanMetricBytes } from "../../src/server/stores/dash/metric-scan.ts";
import { floorIndex } from "../../src/server/stores/dash/tracks.ts";
import { parsePyJson } from "../../src/layout/py-json-parse.ts";
import { pyObject } from "../../src/layout/py-json.ts";
import { REPO } from "../support/child.ts";

/** Property tests (fast-check, hundreds to thousands of cases): CPU-bound, several seconds on a loaded machine. */
const CPU_TIMEOUT_MS = 30_000;

const enc = new TextEncoder();
const line = (i: number, data: Record<string, unknown>): string => `{"index": ${i}, "data": ${pyObject(data)}, "createdAt": "2026-11-26T06:18:00.523017Z"}\n`;

/** Scans `text` split at the given byte positions, as the cache feeds chunks. */
function scan(text: string, cuts: number[]): MetricColumns {
  const bytes = enc.encode(text);
  const cols = new MetricColumns();
  let carry = new Uint8Array(0);
  let base = 0;
  const bounds = [...new Set([...cuts.map((c) => Math.min(c, bytes.length)), bytes.length])].sort((a, b) => a - b);
  let prev = 0;
  for (const b of bounds) {
    const chunk = new Uint8Array(carry.length + (b - prev));
    chunk.set(carry);
    chunk.set(bytes.subarray(prev, b), carry.length);
    const used = scanMetricBytes(cols, chunk, base);
    base += used;
    carry = chunk.slice(used);
    prev = b;
  }
  return cols;
}

describe("metric scanner", () => {
  const value = fc.oneof(
    fc.double({ noDefaultInfinity: false, noNaN: false }),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.constantFrom(0.5, 1e-5, -0, 1e21, 123456789012345680000, 5e-324),
    fc.string({ maxLength: 5 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  const record = fc.dictionary(fc.constantFrom("loss", "acc", "step", "_ts", "ké", "a.b", 'q"x'), value, { maxKeys: 5 });

  test("reads every line as the tolerant JSON parser does (numbers within 2 ulp, exact up to 15 digits), for any chunking", () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(4000), { maxLength: 4 }), (recs, cuts) => {
        const text = recs.map((r, i) => line(i, r)).join("");
        const cols = scan(text, cuts);
        expect(cols.rows).toBe(recs.length);
        expect(cols.bytes).toBe(enc.encode(text).length);
        recs.forEach((_, row) => {
          const want = (parsePyJson(text.split("\n")[row] as string) as { data: Record<string, unknown> }).data;
          for (const f of cols.fields) {
            const v = want[f.name];
            if (v === undefined) expect(f.kinds[row]).toBe(Cell.Missing);
            else if (typeof v !== "number") expect(f.kinds[row]).toBe(Cell.Other);
            else {
              expect(f.kinds[row]).toBe(Cell.Number);
              const got = f.values[row] as number;
              if (!Number.isFinite(v)) expect(got).toBe(v);
              else expect(Math.abs(got - v)).toBeLessThanOrEqual(Math.abs(v) * 4.5e-16 + 5e-324);
            }
          }
          for (const k of Object.keys(want)) expect(cols.get(k)).toBeDefined();
        });
      }),
      { numRuns: 150 },
    );
  }, CPU_TIMEOUT_MS);

  test("Python's tokens, a torn last line and a foreign line", () => {
    const text = line(0, { loss: 0.5 }) + '{"index": 1, "data": {"loss": NaN, "acc": Infinity, "w": -Infinity}, "createdAt": "x"}\n' + "garbage\n" + '{"index": 3, "data": {"loss": 1';
    const cols = scan(text, []);
    expect(cols.rows).toBe(3);
    expect(cols.skipped).toBe(1);
    expect(Number.isNaN(cols.get("loss")?.values[1])).toBe(true);
    expect(cols.get("acc")?.values[1]).toBe(Infinity);
    expect(cols.get("w")?.values[1]).toBe(-Infinity);
    expect(cols.bytes).toBe(enc.encode(text).length - '{"index": 3, "data": {"loss": 1'.length);
  });
});

describe("min/max buckets", () => {
  test("the bucket width is a power of two fitting the rows into the bins", () => {
    expect(bucketWidth(100, 1000)).toBe(1);
    expect(bucketWidth(1_000_000, 500)).toBe(2048);
    fc.assert(fc.property(fc.nat(10_000_000), fc.integer({ min: 1, max: 5000 }), (n, bins) => {
      const w = bucketWidth(n, bins);
      expect(Math.log2(w) % 1).toBe(0);
      expect(Math.ceil(n / w)).toBeLessThanOrEqual(bins);
      if (w > 1) expect(Math.ceil(n / (w / 2))).toBeGreaterThan(bins);
    }));
  }, CPU_TIMEOUT_MS);

  test("appending points changes only the last bucket: earlier ones come back identical", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: false }), { minLength: 10, maxLength: 400 }), fc.integer({ min: 1, max: 100 }), (ys, extra) => {
        const all = [...ys, ...Array.from({ length: extra }, (_, k) => k)];
        const cols = scan(all.map((v, i) => line(i, { v })).join(""), []);
        const f = cols.get("v")!;
        const w = 8;
        const before = minMaxBuckets(f, null, { start: 0, end: ys.length, width: w });
        const after = minMaxBuckets(f, null, { start: 0, end: all.length, width: w });
        const stable = Math.floor((ys.length - 1) / w) * w; // buckets before the last partial one
        const keep = (s: { i: number[] }) => s.i.filter((r) => r < stable).length;
        expect(after.i.slice(0, keep(before))).toEqual(before.i.slice(0, keep(before)));
        // Every bucket keeps its extremes (of the values as scanned).
        const scanned = Array.from(f.values.subarray(0, all.length));
        for (let b = 0; b < all.length; b += w) {
          const seg = scanned.slice(b, b + w).filter((v) => Number.isFinite(v));
          if (seg.length === 0) continue;
          const got = after.y.filter((_, k) => (after.i[k] as number) >= b && (after.i[k] as number) < b + w);
          expect(got).toContain(Math.min(...seg));
          expect(got).toContain(Math.max(...seg));
        }
      }),
      { numRuns: 60 },
    );
  }, CPU_TIMEOUT_MS);

  // One cell of a generated column: a finite number (few distinct, so ties happen), NaN/±Infinity,
  // a non-number, or missing.
  const cellArb = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -5, max: 5 }).map((v) => ({ k: Cell.Number, v })) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity).map((v) => ({ k: Cell.Number, v })) },
    { weight: 1, arbitrary: fc.constant({ k: Cell.Other, v: 0 }) },
    { weight: 1, arbitrary: fc.constant({ k: Cell.Missing, v: 0 }) },
  );
  const fill = (cols: MetricColumns, name: string, cells: { k: number; v: number }[], from: number) => {
    const f = cols.field(name);
    cells.forEach((c, k) => {
      if (c.k === Cell.Number) cols.setNumber(f, from + k, c.v);
      else if (c.k === Cell.Other) cols.setOther(f, from + k);
    });
    return f;
  };

  test("warming a metric of a million rows summarises each numeric field against the x a chart uses first", async () => {
    const cols = new MetricColumns();
    const rows = (1 << 20) + 100;
    cols.reserve(rows);
    const step = cols.field("step");
    const loss = cols.field("loss");
    const note = cols.field("note");
    for (let r = 0; r < rows; r++) {
      cols.setNumber(step, r, r);
      cols.setNumber(loss, r, Math.sin(r));
      cols.setOther(note, r);
    }
    cols.rows = rows;
    await warmSummaries(cols);
    expect([...cols.summaries.keys()]).toEqual([`${loss.pos}|${step.pos}`]);
    const summary = summaryOf(cols, loss, step);
    expect(summary.rows).toBe(Math.floor(rows / BLOCK_ROWS) * BLOCK_ROWS);
    expect(cols.heapBytes).toBeGreaterThan(3 * cols.capacity * 9);
  }, CPU_TIMEOUT_MS);

  test("buckets from the per-64-row summary are exactly the buckets scanned row by row, before and after rows are appended", () => {
    fc.assert(
      fc.property(
        // Sizes past several 64-row blocks (fast-check's default size would stay under one).
        fc.array(fc.tuple(cellArb, cellArb), { minLength: 1, maxLength: 1500, size: "max" }),
        fc.array(fc.tuple(cellArb, cellArb), { maxLength: 400, size: "max" }),
        fc.boolean(),
        fc.integer({ min: 6, max: 10 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (first, more, withX, log2w, a, b, c) => {
          const cols = new MetricColumns();
          const grow = (rows: [{ k: number; v: number }, { k: number; v: number }][]) => {
            const at = cols.rows;
            cols.reserve(at + rows.length);
            fill(cols, "y", rows.map((r) => r[0]), at);
            fill(cols, "x", rows.map((r) => r[1]), at);
            cols.rows = at + rows.length;
          };
          const check = () => {
            const yf = cols.get("y")!;
            const xf = withX ? cols.get("x")! : null;
            const n = cols.rows;
            const start = a % n;
            const end = start + 1 + (b % (n - start));
            const width = 2 ** log2w;
            const from = start + (c % (end - start));
            const summary = summaryOf(cols, yf, xf);
            expect(summary.rows).toBe(Math.floor(n / BLOCK_ROWS) * BLOCK_ROWS);
            expect(minMaxBuckets(yf, xf, { start, end, from, width }, summary)).toEqual(minMaxBuckets(yf, xf, { start, end, from, width }));
            expect(countUndrawable(yf, start, end, summary)).toEqual(countUndrawable(yf, start, end));
          };
          grow(first);
          check();
          if (more.length > 0) {
            grow(more);
            check(); // the summary was extended, not rebuilt
          }
          expect(cols.summaries.size).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  }, CPU_TIMEOUT_MS);
});

describe("caches over a growing store", () => {
  test("MetricCache reads only appended bytes and starts over when a file shrinks", async () => {
    const storage = memoryAdapter();
    const key = "a/p/r/metrics/m/data.jsonl";
    await storage.append(key, enc.encode(line(0, { v: 1 }) + line(1, { v: 2 })));
    const cache = new MetricCache(storage);
    const a = await cache.get(key);
    expect(a?.rows).toBe(2);
    await storage.append(key, enc.encode(line(2, { v: 3 }) + '{"index": 3, "da'));
    const b = await cache.get(key);
    expect(b).toBe(a);
    expect(b?.rows).toBe(3);
    await storage.write(key, enc.encode(line(0, { v: 9 })));
    const c = await cache.get(key);
    expect(c?.rows).toBe(1);
    expect(c?.get("v")?.values[0]).toBe(9);
  });

  test("columns are sized to their file: a short metric keeps the minimum, a long one room for at most ~5% more rows", async () => {
    const storage = memoryAdapter();
    await storage.append("a/p/r/metrics/small/data.jsonl", enc.encode(Array.from({ length: 100 }, (_, i) => line(i, { loss: i / 7, step: i })).join("")));
    const rows = 40_000; // five 1 MiB chunks
    await storage.append("a/p/r/metrics/long/data.jsonl", enc.encode(Array.from({ length: rows }, (_, i) => line(i, { loss: i / 7, step: i })).join("")));
    const cache = new MetricCache(storage);
    expect((await cache.get("a/p/r/metrics/small/data.jsonl"))?.capacity).toBe(1024);
    const long = await cache.get("a/p/r/metrics/long/data.jsonl");
    expect(long?.rows).toBe(rows);
    expect(long?.capacity).toBeGreaterThanOrEqual(rows);
    expect(long?.capacity).toBeLessThanOrEqual(Math.ceil(rows * 1.05));
  });

  test("JsonlCache appends records and keeps a torn line for later", async () => {
    const storage = memoryAdapter();
    const cache = new JsonlCache<{ n: number }>(storage);
    await storage.append("k", enc.encode('{"n": 1}\n{"n": '));
    expect((await cache.get("k"))?.records).toEqual([{ n: 1 }]);
    await storage.append("k", enc.encode("2}\n"));
    expect((await cache.get("k"))?.records).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await cache.get("missing")).toBeNull();
  });

  test("requests that arrive together share one read of the appended bytes; a bounded cache drops the least recently used file", async () => {
    const inner = memoryAdapter();
    const reads: string[] = [];
    const storage: StorageAdapter = { ...inner, readRange: (key, start, end) => (reads.push(`${key}@${start}`), inner.readRange(key, start, end)) };
    const logs = new JsonlCache<{ n: number }>(storage, 2);
    for (const k of ["a", "b", "c"]) await inner.append(k, enc.encode('{"n": 1}\n'));
    const [x, y] = await Promise.all([logs.get("a"), logs.get("a")]);
    expect(x).toBe(y);
    expect(reads).toEqual(["a@0"]);
    await inner.append("a", enc.encode('{"n": 2}\n'));
    await Promise.all([logs.get("a"), logs.get("a"), logs.get("a")]);
    expect(reads).toEqual(["a@0", "a@9"]);
    await logs.get("b");
    await logs.get("a"); // a is now the most recently used
    await logs.get("c");
    expect([logs.peek("a")?.records.length, logs.peek("b"), logs.peek("c")?.records.length]).toEqual([2, undefined, 1]);

    const metrics = new MetricCache(storage);
    await inner.append("m", enc.encode(line(0, { v: 1 })));
    const [p, q] = await Promise.all([metrics.get("m"), metrics.get("m")]);
    expect(p).toBe(q);
    expect(reads.filter((r) => r.startsWith("m@"))).toEqual(["m@0"]);
  });

  test("a deleted run's files are forgotten, and only those: a run whose name merely starts the same keeps its columns", async () => {
    const storage = memoryAdapter();
    const cache = new MetricCache(storage);
    const keys = ["a/p/r/metrics/m/data.jsonl", "a/p/r2/metrics/m/data.jsonl", "a/p/r/sub/metrics/m/data.jsonl"];
    for (const k of keys) {
      await storage.append(k, enc.encode(line(0, { v: 1 })));
      await cache.get(k);
    }
    cache.forgetBelow("a/p/r");
    expect(keys.map((k) => cache.peek(k)?.rows)).toEqual([undefined, 1, undefined]);
  });

  test("floorIndex: the last entry at or before t", () => {
    const e = [1, 2, 2, 5].map((timestamp) => ({ timestamp }));
    expect(floorIndex(e, 0.5)).toBe(-1);
    expect(floorIndex(e, 2)).toBe(2);
    expect(floorIndex(e, 4.9)).toBe(2);
    expect(floorIndex(e, 99)).toBe(3);
  });
});

describe("runs and ls", () => {
  async function store() {
    const s = memoryAdapter();
    const put = (k: string, v: string) => s.write(k, enc.encode(v));
    await put("alice/p/done/experiment.json", '{"name": "done", "project": "p", "status": "COMPLETED", "created_at": "2026-01-01T00:00:00Z"}');
    await put("alice/p/done/metrics/train/metadata.json", '{"totalDataPoints": 1500}');
    await put("alice/p/done/metrics/train/data.jsonl", "");
    await put("alice/p/done/files/x/1/experiment.json", "{}");
    await put("alice/p/py/experiment.json", '{"name": "py", "project": "p", "created_at": "2026-01-01T00:00:00Z"}');
    await put("alice/p/py/logs/.log_sequence", "7");
    return s;
  }

  test("run folders exclude experiment.json files inside another run (and a root-level file: a run has owner/project at least)", () => {
    expect(runFolders(["a/b/experiment.json", "a/b/files/x/1/experiment.json", "a/c/d/experiment.json", "solo/experiment.json"])).toEqual(["a/b", "a/c/d"]);
  });

  test("recorded status wins; without one, the status is inferred from the last write", async () => {
    const s = await store();
    const runs = await listRuns(s);
    expect(runs.map((r) => r.path)).toEqual(["alice/p/done", "alice/p/py"]);
    expect(runs[0]).toMatchObject({ status: "COMPLETED", inferred: false, points: 1500, metrics: { train: 1500 } });
    expect(runs[1]).toMatchObject({ status: "RUNNING", inferred: true, logs: 7 }); // just written (memory mtime = now)
    const later = await listRuns(s, { now: () => Date.now() + 120_000 });
    expect(later[1]).toMatchObject({ status: "IDLE", inferred: true });
    const table = formatRunsTable(later, { now: Date.now() + 120_000 });
    expect(table.split("\n")[0]).toMatch(/^RUN\s+STATUS\s+UPDATED\s+POINTS\s+METRICS$/);
    expect(table).toMatch(/alice\/p\/done\s+COMPLETED\s+2m ago\s+1,500\s+train:1,500/);
    expect(table).toMatch(/alice\/p\/py\s+finished\?/);
    expect(formatRunsTable([])).toBe("No runs found.");
  });

  test("a run's documents are read again only when one changed (an hour-old store: stats only on the second listing)", async () => {
    const inner = await store();
    let reads = 0;
    let age = 3_600_000; // every file written an hour ago, so the summaries may be remembered
    // A rewrite below lands a second later than the file it replaces, as on a real clock: in the
    // same millisecond, a same-size rewrite ("1500" → "2500") keeps its stat, and only the 2 s
    // racy rule (which the hour's age defeats here) would catch it.
    const later = new Map<string, number>();
    const rewrite = (k: string, text: string) => (later.set(k, (later.get(k) ?? 0) + 1000), inner.write(k, enc.encode(text)));
    const s: StorageAdapter = {
      ...inner,
      read: (k) => (reads++, inner.read(k)),
      stat: async (k) => {
        const st = await inner.stat(k);
        return st && { ...st, mtimeMs: (st.mtimeMs as number) - age + (later.get(k) ?? 0) };
      },
    };
    const first = await listRuns(s);
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    expect(await listRuns(s)).toEqual(first);
    expect(reads).toBe(0);
    // A status written, a metric grown, logs added: each shows at once.
    await rewrite("alice/p/py/experiment.json", '{"name": "py", "project": "p", "status": "FAILED", "created_at": "2026-01-01T00:00:00Z"}');
    await rewrite("alice/p/done/metrics/train/metadata.json", '{"totalDataPoints": 2500}');
    await rewrite("alice/p/py/logs/.log_sequence", "12");
    const after = await listRuns(s);
    expect(after[0]).toMatchObject({ points: 2500, metrics: { train: 2500 } });
    expect(after[1]).toMatchObject({ status: "FAILED", inferred: false, logs: 12 });
    // A document written just now is read every time (a same-size rewrite in the same clock tick
    // would keep its stat): nothing of it is remembered.
    age = 0;
    await rewrite("alice/p/py/logs/.log_sequence", "13");
    reads = 0;
    expect((await listRuns(s))[1]).toMatchObject({ logs: 13 });
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    await listRuns(s);
    expect(reads).toBeGreaterThan(0);
  });

  test("the app: /dash/api/runs, token by header or by the cookie /?token= sets", async () => {
    const s = await store();
    const open = createDashboardApp({ storage: s, prewarm: false });
    const r = await open.request("/dash/api/runs");
    expect(r.status).toBe(200);
    expect(((await r.json()) as { runs: unknown[] }).runs).toHaveLength(2);
    expect((await open.request("/alice/p/done")).headers.get("content-type")).toMatch(/text\/html/);
    expect((await open.request("/api/experiments")).status).toBe(404); // the ML-Dash API's prefix is left alone

    const locked = createDashboardApp({ storage: s, token: "t0k", prewarm: false });
    expect((await locked.request("/dash/api/runs")).status).toBe(401);
    expect((await locked.request("/dash/api/runs", { headers: { Authorization: "Bearer t0k" } })).status).toBe(200);
    const login = await locked.request("/alice?token=t0k");
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe("/alice");
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect((await locked.request("/dash/api/runs", { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await locked.request("/?token=wrong")).status).toBe(401);
  });
});

describe(".dashrc and globs", () => {
  test("a valid run layout parses with defaults", () => {
    const r = parseDashRc("metrics:\n  fields: ['train*']\ncharts:\n  - yKeys: [train.loss, eval.loss]\n    xKey: step\n  - ctype: image\n", "experiment");
    expect(r.errors).toEqual([]);
    expect(r.parsed?.charts[1]).toEqual({ ctype: "image", glob: "**/*.{png,jpg,jpeg,gif,webp}", nCols: 3, nRows: 2, limit: 6, sort: "date" });
  });

  test("bad fields are named with their position", () => {
    const r = parseDashRc("charts:\n  - ctype: pie\n  - yKey: a\n    bins: -3\n", "experiment");
    expect(r.parsed).toBeNull();
    expect(r.errors.map((e) => [e.path, e.line])).toEqual([
      ["charts[0].ctype", 2],
      ["charts[1].bins", 4],
    ]);
  });

  test("shell-style globs", () => {
    expect(globMatch("**/*.{png,jpg}", "images/a.png")).toBe(true);
    expect(globMatch("**/*.{png,jpg}", "a.jpg")).toBe(true);
    expect(globMatch("images/*.png", "images/sub/a.png")).toBe(false);
    expect(globMatch("train*", "train.loss")).toBe(true);
    expect(globMatch("train*", "eval.loss")).toBe(false);
  });
});

test("no SDK module imports the dashboard's browser UI", () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        if (!p.endsWith(join("dashboard", "ui"))) walk(p);
      } else if (p.endsWith(".ts")) files.push(p);
    }
  };
  walk(join(REPO, "src"));
  const offenders = files.filter((f) => /from\s+["'][^"']*\/ui\//.test(readFileSync(f, "utf8"))).map((f) => relative(REPO, f));
  expect(offenders).toEqual([]);
});
