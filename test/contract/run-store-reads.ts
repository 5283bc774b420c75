/** The run store contract, dashboard part: run summaries, overviews, series, tracks by time, a run's files with ranges. */
import { expect } from "vitest";
import { streamId } from "../../src/model/batch.ts";
import { bucketWidth } from "../../src/server/store/index.ts";
import { saving } from "./run-store-files.ts";
import type { Check } from "./run-store-contract.ts";
import { entries, lines, open, rows } from "./run-store-contract.ts";

const dec = new TextDecoder();

async function bytesOf(body: ReadableStream<Uint8Array> | Uint8Array | null): Promise<string> {
  if (body === null) return "<missing>";
  return body instanceof Uint8Array ? dec.decode(body) : new Response(body).text();
}

/** Registers the dashboard-read checks. */
export function runStoreReadChecks(t: Check): void {
  t("run summaries: every run (under a folder when asked), its recorded status, counts and last write", async ({ store }) => {
    const a = await open(store, "alice/p/sweep/run-a", { description: "A", tags: ["t"] });
    await store.append(a, streamId("metric", "train"), rows([{ loss: 1 }, { loss: 0.5 }]), { start: 0 });
    await store.append(a, streamId("metric", "eval"), rows([{ loss: 2 }]), { start: 0 });
    await store.append(a, streamId("log", null), lines([{ ts: "2026-01-01T00:00:00.000000Z", level: "info", message: "hi" }]));
    await store.append(a, streamId("track", "pose"), entries([{ timestamp: 1, x: 1 }]));
    await store.saveFile(a, saving("/", "notes.txt", "n"));
    await store.setStatus(a, "COMPLETED");
    await open(store, "bob/q/run-b");
    const runs = await store.runs();
    expect(runs.map((r) => r.path)).toEqual(["alice/p/sweep/run-a", "bob/q/run-b"]);
    expect(runs[0]).toMatchObject({ owner: "alice", project: "p", folder: "sweep", name: "run-a", status: "COMPLETED", inferred: false, stale: false });
    expect(runs[0]).toMatchObject({ description: "A", tags: ["t"], metrics: { train: 2, eval: 1 }, points: 3, logs: 1, tracks: 1, files: 1 });
    expect(typeof runs[0]?.createdAt).toBe("string");
    expect(typeof runs[0]?.lastWriteAt).toBe("string");
    expect(runs[1]).toMatchObject({ status: "RUNNING", points: 0, logs: 0, files: 0 });
    expect((await store.runs({ under: "bob" })).map((r) => r.path)).toEqual(["bob/q/run-b"]);
    const later = await store.runs({ now: () => Date.now() + 3_600_000 });
    expect(later[1]).toMatchObject({ status: "RUNNING", stale: true });
  });

  t("a run's overview: summary, attributes, parameters, metrics with their numeric fields and last point, tracks", async ({ store }) => {
    const e = await open(store, "alice/p/over", { description: "about" });
    await store.append(e, streamId("metric", "train"), rows([{ step: 0, loss: 1, tag: "x" }, { step: 1, loss: 0.5, tag: "y" }]), { start: 0, info: { description: "train metrics" } });
    await store.append(e, streamId("track", "robot/pose"), entries([{ timestamp: 1, x: 1 }]));
    await store.mergeParams(e, { lr: 0.1 });
    const o = await store.overview(e);
    expect(o.summary).toMatchObject({ path: "alice/p/over", metrics: { train: 2 } });
    expect(o.experiment["description"]).toBe("about");
    expect(o.params).toMatchObject({ version: 1, data: { lr: 0.1 } });
    expect(o.metrics).toHaveLength(1);
    expect(o.metrics[0]).toMatchObject({ name: "train", points: 2, last: { step: 1, loss: 0.5, tag: "y" }, description: "train metrics" });
    expect([...(o.metrics[0]?.fields ?? [])].sort()).toEqual(["loss", "step"]);
    expect(o.tracks.map((x) => x.topic)).toEqual(["robot/pose"]);
    expect([o.dashrc, o.readme]).toEqual([null, null]);
    expect(await store.dashrc("alice/p")).toBeNull();
  });

  t("series: raw points of a small metric, min/max buckets of a big one, only newer buckets when asked since, a revision that moves", async ({ store }) => {
    const e = await open(store, "alice/p/series");
    const n = 5000;
    await store.append(e, streamId("metric", "m"), rows(Array.from({ length: n }, (_, i) => ({ step: i * 2, v: i === 1234 ? 1e6 : i === 4321 ? -1e6 : i % 7 }))), { start: 0 });
    await store.append(e, streamId("metric", "small"), rows([{ v: 3 }, { v: NaN }, { v: "x" }, { v: 4 }]), { start: 0 });
    expect(await store.series(e, "nothing")).toBeUndefined();
    const small = await store.series(e, "small");
    const s = await small?.query({ y: "v", x: "index", bins: 1000 });
    expect(s).toMatchObject({ field: "v", xKey: "index", total: 4, nextIndex: 4, downsampled: false, bucketWidth: 1, nonFinite: 1, nonNumeric: 1, window: [0, 4] });
    expect([s?.i, s?.y]).toEqual([[0, 1, 3], [3, null, 4]]);
    const big = await store.series(e, "m");
    const b = await big?.query({ y: "v", x: "default", bins: 100 });
    const w = bucketWidth(n, 100);
    expect(b).toMatchObject({ xKey: "step", total: n, downsampled: true, bucketWidth: w, from: 0, reset: true });
    expect(b?.y).toContain(1e6);
    expect(b?.y).toContain(-1e6);
    expect([b?.i[0], b?.i[(b?.i.length ?? 1) - 1]]).toEqual([0, n - 1]);
    expect(b?.x[b.i.indexOf(1234)]).toBe(2468);
    const again = await big?.query({ y: "v", x: "default", bins: 100, since: n, bucketWidth: w });
    expect(again).toMatchObject({ reset: false, from: Math.floor(n / w) * w });
    expect(again?.i.every((i) => i >= Math.floor(n / w) * w)).toBe(true);
    const zoom = await big?.query({ y: "v", x: "step", bins: 1000, xmin: 100, xmax: 200 });
    expect(zoom?.downsampled).toBe(false);
    expect(zoom?.x.filter((x) => x >= 100 && x <= 200)).toEqual(Array.from({ length: 51 }, (_, k) => 100 + 2 * k));
    await store.append(e, streamId("metric", "m"), rows([{ step: 2 * n, v: 1 }]), { start: n });
    expect((await store.series(e, "m"))?.revision).not.toBe(big?.revision);
  });

  t("a track sampled and looked up by time: the last entry at or before t, merged with those sharing its time", async ({ store }) => {
    const e = await open(store, "alice/p/trk");
    await store.append(e, streamId("track", "cam"), entries([{ timestamp: 1, frame: "a.png" }, { timestamp: 2, frame: "b.png" }, { timestamp: 2, exposure: 5 }, { timestamp: 4, frame: "c.png" }]), { start: 0 });
    expect(await store.track(e, "nothing")).toBeUndefined();
    const track = await store.track(e, "cam");
    const all = await track?.sample(100);
    expect(all).toMatchObject({ total: 4, sampled: false, first: 1, last: 4, columns: ["exposure", "frame"] });
    expect(all?.entries.map((x) => x.timestamp)).toEqual([1, 2, 2, 4]);
    const few = await track?.sample(2);
    expect(few?.sampled).toBe(true);
    expect(few?.entries.at(-1)?.timestamp).toBe(4);
    expect(await track?.at(3)).toMatchObject({ index: 2, entry: { timestamp: 2, frame: "b.png", exposure: 5 }, total: 4 });
    expect(await track?.at(0.5)).toMatchObject({ index: -1, entry: null, first: 1 });
    expect((await track?.at(99))?.entry).toMatchObject({ timestamp: 4, frame: "c.png" });
  });

  t("a run's files: live saved files newest first, read whole or by byte range; a deleted or unknown file is not there", async ({ store }) => {
    const e = await open(store, "alice/p/rf");
    const a = await store.saveFile(e, saving("/img", "a.png", "0123456789", { contentType: "image/png" }));
    const b = await store.saveFile(e, saving("/", "b.txt", "bee"));
    const gone = await store.saveFile(e, saving("/", "gone.txt", "x"));
    await store.deleteFile(e, gone.id);
    const saved = (await store.runFiles(e)).filter((f) => f.source === "saved");
    expect(saved.map((f) => f.id).sort()).toEqual([a.id, b.id].sort());
    expect(saved.find((f) => f.id === a.id)).toMatchObject({ dir: "/img", filename: "a.png", relPath: "img/a.png", sizeBytes: 10, contentType: "image/png", checksum: a.checksum });
    const opened = await store.openRunFile(e, a.id);
    expect(opened?.file.relPath).toBe("img/a.png");
    expect(opened?.body?.size).toBe(10);
    expect(await bytesOf((await opened?.body?.stream()) ?? null)).toBe("0123456789");
    expect(dec.decode(await opened?.body?.range(2, 5))).toBe("234");
    expect(await store.openRunFile(e, gone.id)).toBeUndefined();
    expect(await store.openRunFile(e, "no-such-file")).toBeUndefined();
    store.prewarm([e.path, "alice/p/not-a-run"]);
  });
}
