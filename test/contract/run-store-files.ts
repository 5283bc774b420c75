/** The run store contract, files part: records, content in and out, annotations, soft deletes, folder nodes. */
import { expect } from "vitest";
import { NotFoundError, ValidationError } from "../../src/errors.ts";
import type { SaveRequest } from "../../src/files/types.ts";
import { sha256Hex } from "../../src/files/sha256.ts";
import type { Check } from "./run-store-contract.ts";
import { open } from "./run-store-contract.ts";

const enc = new TextEncoder();

/** A save of `text` as `path/filename`. */
export function saving(path: string, filename: string, text: string, extra: Partial<SaveRequest> = {}): SaveRequest {
  return { path, filename, content: { kind: "bytes", bytes: enc.encode(text) }, contentType: "text/plain", description: null, tags: [], bindrs: [], metadata: null, ...extra };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** Registers the files checks. */
export function runStoreFileChecks(t: Check): void {
  t("a saved file has its record (size, SHA-256, annotations), its bytes, and a node; the same folder and name replaces it", async ({ store }) => {
    const e = await open(store, "alice/p/files");
    const seen: { size: number; checksum: string }[] = [];
    const f = await store.saveFile(e, saving("/models", "m.txt", "weights", { description: "d", tags: ["best"], metadata: { acc: 0.9 }, verify: (w) => void seen.push(w) }));
    const sum = await sha256Hex(enc.encode("weights"));
    expect(seen).toEqual([{ size: 7, checksum: sum }]);
    expect(f).toMatchObject({ path: "/models", filename: "m.txt", sizeBytes: 7, checksum: sum, contentType: "text/plain", description: "d", tags: ["best"], metadata: { acc: 0.9 }, deletedAt: null });
    expect(await readAll(await store.readFile(e, f))).toBe("weights");
    expect(await store.node(f.id)).toMatchObject({ kind: "file", experiment: { id: e.id }, file: { id: f.id, parentId: f.parentId } });
    const folder = await store.node(f.parentId);
    expect(folder).toMatchObject({ kind: "file-folder", folder: { path: "/models", name: "models", parentId: e.nodeId, experimentId: e.id } });
    const g = await store.saveFile(e, saving("/models", "m.txt", "better"));
    expect(g.id).not.toBe(f.id);
    const live = (await store.files(e)).filter((x) => x.deletedAt === null);
    expect(live.map((x) => x.id)).toEqual([g.id]);
    expect(await readAll(await store.readFile(e, g))).toBe("better");
    const top = await store.saveFile(e, saving("/", "top.txt", "t"));
    expect(top.parentId).toBe(e.nodeId);
  });

  t("a save whose check fails stores nothing; a repeated idempotency key stores once and answers the first record", async ({ store }) => {
    const e = await open(store, "alice/p/verify");
    const bad = store.saveFile(e, saving("/", "x.txt", "x", { verify: () => Promise.reject(new ValidationError("checksum mismatch", { field: "checksum" })) }));
    await expect(bad).rejects.toThrow(/checksum mismatch/);
    expect(await store.files(e)).toEqual([]);
    const [a, b] = await Promise.all([store.saveFile(e, saving("/", "k.txt", "once"), { idempotencyKey: "key-1" }), store.saveFile(e, saving("/", "k.txt", "once"), { idempotencyKey: "key-1" })]);
    const c = await store.saveFile(e, saving("/", "k.txt", "once"), { idempotencyKey: "key-1" });
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    expect((await store.files(e)).map((f) => f.id)).toEqual([a.id]);
  });

  t("saves racing with one idempotency key store one record, round after round, the name's earlier file replaced once", async ({ store }) => {
    // Each round: a live file of the name, then saves with the round's key at once. Their
    // transactions interleave differently each time; one record must stand, and every save
    // answers it (a save that replaced its twin by name would store two).
    const e = await open(store, "alice/p/race");
    for (let round = 0; round < 40; round++) {
      const before = await store.saveFile(e, saving("/", "r.txt", `before ${round}`));
      const key = `race-${round}`;
      const answers = await Promise.all([0, 1, 2].map(() => store.saveFile(e, saving("/", "r.txt", `round ${round}`), { idempotencyKey: key })));
      expect(new Set(answers.map((a) => a.id)).size, `round ${round}: ${answers.map((a) => a.id).join(", ")}`).toBe(1);
      const live = (await store.files(e)).filter((f) => f.deletedAt === null);
      expect(live.map((f) => f.id)).toEqual([answers[0]!.id]);
      expect(live[0]!.id).not.toBe(before.id);
    }
  });

  t("annotations change; a delete is soft and answered with its time; deleted files cannot be changed or deleted again", async ({ store }) => {
    const e = await open(store, "alice/p/annot");
    const f = await store.saveFile(e, saving("/", "a.txt", "a", { tags: ["x"] }));
    const u = await store.updateFile(e, f.id, { description: "new", tags: ["y", "z"], metadata: { k: 1 } });
    expect(u).toMatchObject({ id: f.id, description: "new", tags: ["y", "z"], metadata: { k: 1 }, sizeBytes: 1 });
    expect((await store.updateFile(e, f.id, { tags: [] })).description).toBe("new");
    const d = await store.deleteFile(e, f.id);
    expect(d.id).toBe(f.id);
    expect(typeof d.deletedAt).toBe("string");
    expect((await store.files(e)).map((x) => [x.id, x.deletedAt])).toEqual([[f.id, d.deletedAt]]);
    expect(await store.node(f.id)).toMatchObject({ kind: "file", file: { deletedAt: d.deletedAt } });
    await expect(store.deleteFile(e, f.id)).rejects.toThrow(NotFoundError);
    await expect(store.updateFile(e, f.id, { tags: [] })).rejects.toThrow(NotFoundError);
    await expect(store.updateFile(e, "no-such-file", { tags: [] })).rejects.toThrow(NotFoundError);
  });

  t("file folders: the experiment itself is /, folders nest, a node of another experiment is no folder of this one", async ({ store }) => {
    const e = await open(store, "alice/p/folders");
    const other = await open(store, "alice/p/other");
    for (const root of [undefined, "", "ROOT", e.id, e.nodeId]) expect(await store.fileFolderPath(e, root)).toBe("/");
    const a = await store.upsertFileFolder(e, "/", "a");
    expect(a).toMatchObject({ path: "/a", name: "a", parentId: e.nodeId, experimentId: e.id });
    const b = await store.upsertFileFolder(e, "/a", "b");
    expect(b).toMatchObject({ path: "/a/b", parentId: a.id });
    expect((await store.upsertFileFolder(e, "/a", "b")).id).toBe(b.id);
    expect(await store.fileFolderPath(e, b.id)).toBe("/a/b");
    expect(await store.fileFolderPath(other, b.id)).toBeUndefined();
    expect(await store.fileFolderPath(e, "no-such-folder")).toBeUndefined();
    expect(await store.node(b.id)).toMatchObject({ kind: "file-folder", experiment: { id: e.id }, folder: { path: "/a/b" } });
    const f = await store.saveFile(e, saving("/a/b", "f.txt", "f"));
    expect(f.parentId).toBe(b.id);
  });
}
