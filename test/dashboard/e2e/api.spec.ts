/**
 * A. The dashboard's read API over the fixture root (Playwright's request fixture, no page).
 */
import { expect, test } from "@playwright/test";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { BIG } from "../fixtures/make.mjs";
import { ROOT } from "./helpers.ts";

type Run = { path: string; status: string; inferred: boolean; stale: boolean; points: number; metrics: Record<string, number> };

test("A1: /runs lists every run with its status; the Python-written run is inferred, not recorded", async ({ request }) => {
  const { runs } = (await (await request.get("/dash/api/runs")).json()) as { runs: Run[] };
  const by = new Map(runs.map((r) => [r.path, r]));
  expect(by.get("alice/mnist/2026/lr-sweep/lr-0.01")).toMatchObject({ status: "COMPLETED", inferred: false, points: 220 });
  expect(by.get("alice/status/failed")).toMatchObject({ status: "FAILED", inferred: false });
  expect(by.get("alice/status/cancelled")).toMatchObject({ status: "CANCELLED", inferred: false });
  expect(by.get("alice/status/stale")).toMatchObject({ status: "RUNNING", inferred: false, stale: true });
  expect(by.get("alice/reference/mlp/python-run")).toMatchObject({ status: "IDLE", inferred: true, metrics: { train: 31, eval: 2, None: 1, batch: 1 } });
  expect(by.get("alice/big/1m")?.points).toBe(BIG.n);
  // A file named experiment.json inside a run's files/ is not a run.
  expect(runs.every((r) => !r.path.includes("/files/"))).toBe(true);
});

test("A2: 1M points come back min/max-downsampled: ≤ 2 points per bucket, first/last/spikes kept, non-finite as null", async ({ request }) => {
  const res = await request.get("/dash/api/series?path=alice/big/1m&metric=train&y=loss&x=index&bins=500");
  const body = await res.body();
  const s = JSON.parse(body.toString());
  expect(s.total).toBe(BIG.n);
  expect(s.downsampled).toBe(true);
  expect(s.bucketWidth).toBe(2048);
  expect(s.i.length).toBeLessThanOrEqual(2 * 500 + 2 + 3);
  expect(body.length).toBeLessThan(200 * 1024);
  expect(s.i[0]).toBe(0);
  expect(s.i.at(-1)).toBe(BIG.n - 1);
  for (const [row, v] of Object.entries(BIG.spikes)) expect(s.y[s.i.indexOf(Number(row))]).toBe(v);
  expect(s.nonFinite).toBe(3);
  for (const row of Object.keys(BIG.nonFinite)) expect(s.y[s.i.indexOf(Number(row))]).toBeNull();
});

test("A3: incremental fetch by index returns only the new buckets; an unchanged series answers 304", async ({ request }) => {
  // A run this test appends to.
  const dir = join(ROOT, "alice/api/grow");
  mkdirSync(join(dir, "metrics/m"), { recursive: true });
  writeFileSync(join(dir, "experiment.json"), '{"name": "grow", "project": "api", "prefix": "alice/api/grow", "status": "RUNNING"}');
  const line = (i: number): string => `{"index": ${i}, "data": {"v": ${i * 2}}, "createdAt": "2026-11-26T00:00:00Z"}\n`;
  writeFileSync(join(dir, "metrics/m/data.jsonl"), Array.from({ length: 100 }, (_, i) => line(i)).join(""));
  const url = "/dash/api/series?path=alice/api/grow&metric=m&y=v&x=index&bins=1000";
  const first = await request.get(url);
  const a = await first.json();
  expect(a).toMatchObject({ total: 100, nextIndex: 100, bucketWidth: 1, reset: true, exact: true });
  const again = await request.get(url, { headers: { "If-None-Match": first.headers()["etag"] as string } });
  expect(again.status()).toBe(304);
  appendFileSync(join(dir, "metrics/m/data.jsonl"), line(100) + line(101) + '{"index": 102, "da');
  const b = await (await request.get(`${url}&since=100&bw=1`)).json();
  expect(b).toMatchObject({ from: 100, reset: false, total: 102, i: [100, 101], y: [200, 202] });
});

test("A4: a zoomed window (xmin/xmax) comes back at full resolution, exactly as written", async ({ request }) => {
  const whole = await (await request.get("/dash/api/series?path=alice/big/1m&metric=train&y=loss&x=step&bins=500")).json();
  const zoom = await (await request.get("/dash/api/series?path=alice/big/1m&metric=train&y=loss&x=step&bins=500&xmin=123400&xmax=123600")).json();
  expect(whole.bucketWidth).toBeGreaterThan(1);
  expect(zoom.bucketWidth).toBe(1);
  expect(zoom.exact).toBe(true);
  expect(zoom.i.length).toBeGreaterThanOrEqual(201);
  expect(zoom.y[zoom.i.indexOf(123457)]).toBe(100);
  // The value equals the file's text exactly.
  const text = readFileSync(join(ROOT, "alice/big/1m/metrics/train/data.jsonl"), "utf8").slice(0, 2_000_000).split("\n")[5000] as string;
  const z2 = await (await request.get("/dash/api/series?path=alice/big/1m&metric=train&y=loss&x=index&xmin=4990&xmax=5010")).json();
  expect(z2.y[z2.i.indexOf(5000)]).toBe(JSON.parse(text).data.loss);
});

test("A5: track-at floor-matches (between entries → the earlier one; before the first → 404), unsorted batches in time order", async ({ request }) => {
  const tr = await (await request.get("/dash/api/track?path=alice/robot/pose&topic=robot/pose")).json();
  expect(tr.entries.map((e: { timestamp: number }) => e.timestamp)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const at = await (await request.get("/dash/api/track-at?path=alice/robot/pose&topic=robot/pose&t=6.5")).json();
  expect(at.entry).toMatchObject({ timestamp: 6, x: 9, frame: "frames/frame_0006.jpg" });
  expect(at.frame.url).toContain("/dash/api/file?");
  const img = await request.get(at.frame.url);
  expect(img.headers()["content-type"]).toBe("image/jpeg");
  expect((await request.get("/dash/api/track-at?path=alice/robot/pose&topic=robot/pose&t=0.5")).status()).toBe(404);
  const py = await (await request.get("/dash/api/track-at?path=alice/reference/mlp/python-run&topic=robot/pose&t=12")).json();
  expect(py.entry).toMatchObject({ timestamp: 11, x: 1.5 });
});

test("A6: .dashrc problems come back with positions: YAML syntax, yKey+yKeys, media charts in a compare file", async ({ request }) => {
  const dir = join(ROOT, "alice/api/rc");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".dashrc"), "charts:\n  - yKey: a\n    yKeys: [b]\n  - ctype: image\n");
  const a = await (await request.get("/dash/api/dashrc?path=alice/api/rc")).json();
  expect(a.kind).toBe("compare");
  expect(a.errors[0]).toMatchObject({ path: "charts[0]", line: 2 });
  expect(a.errors[0].message).toContain("only one of yKey and yKeys");
  expect(a.warnings[0].message).toContain("image charts apply to a run's .dashrc only");
  writeFileSync(join(dir, ".dashrc"), "charts:\n  - yKey: [unclosed\n");
  const b = await (await request.get("/dash/api/dashrc?path=alice/api/rc")).json();
  expect(b.parsed).toBeNull();
  expect(b.errors[0].line).toBeGreaterThan(0);
  expect(b.errors[0].col).toBeGreaterThan(0);
});

test("A7: paths cannot leave the root; only loopback Host names are served; bad parameters name the field", async ({ request, baseURL }) => {
  for (const bad of ["..%2f..%2fetc", "alice%2f..%2f..%2fetc", "%2e%2e"]) {
    const r = await request.get(`/dash/api/run?path=${bad}`);
    expect([400, 404]).toContain(r.status());
  }
  expect((await request.get("/dash/api/file?path=alice/mnist/2026/lr-sweep/lr-0.01&id=..%2f..%2fexperiment.json")).status()).toBe(404);
  const r = await request.get("/dash/api/series?path=alice/big/1m&metric=train&y=loss&bins=abc");
  expect(r.status()).toBe(400);
  expect(await r.json()).toMatchObject({ field: "bins" });
  const port = new URL(baseURL as string).port;
  // A page on another name resolving to 127.0.0.1 (DNS rebinding) is refused.
  const status = await new Promise<number>((ok, fail) =>
    get({ host: "127.0.0.1", port, path: "/dash/api/runs", headers: { Host: `attacker.example:${port}` } }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    }).on("error", fail),
  );
  expect(status).toBe(403);
});
