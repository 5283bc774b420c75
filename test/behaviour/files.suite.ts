/**
 * Files: saves of every kind, the `.dash` files layout and metadata as Python writes them,
 * globs, overwrite, soft delete, update, reopen, images, and every bad input. Portable: Web APIs
 * only (checksums are checked against crypto.subtle here and against node:crypto in test/node).
 */
import { describe, expect, test } from "vitest";
import { ExperimentNotStartedError, NotFoundError, ValidationError, type FileInfo } from "../../src/index.ts";
import { experiment, PY_ISO, raw, until, withFixture, type MakeFixture } from "./helpers.ts";

const enc = new TextEncoder();
const KEYS = ["id", "experimentId", "path", "filename", "description", "tags", "bindrs", "contentType", "sizeBytes", "checksum", "metadata", "uploadedAt", "updatedAt", "deletedAt"];

async function sha(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++] as Uint8Array);
      else c.close();
    },
  });
}

async function expectReject(p: Promise<unknown>, type: new (...a: never[]) => Error, message: RegExp): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  expect((err as Error).message).toMatch(message);
  return err as Error;
}

export function filesSuite(name: string, make: MakeFixture): void {
  const t = (title: string, fn: Parameters<typeof withFixture>[1]): void => {
    test(title, () => withFixture(make, fn), 60_000);
  };

  describe(`files: ${name}`, () => {
    t("every save returns Python's record; content and .files_metadata.json are laid out as Python does", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/sub/run").run.start();
      const before = BigInt(Date.now()) << 12n;
      const cfg = await exp.files("configs", { description: "the config", tags: ["cfg"], bindrs: ["team"], metadata: { v: 1 } }).saveJson({ model: "mlp", lr: 0.001 }, { to: "config.json" });
      const after = (BigInt(Date.now()) + 1n) << 12n;
      expect(Object.keys(cfg)).toEqual(KEYS);
      expect(cfg).toMatchObject({
        experimentId: "proj/alice/proj/sub/run",
        path: "/configs",
        filename: "config.json",
        description: "the config",
        tags: ["cfg"],
        bindrs: ["team"],
        contentType: "application/json",
        sizeBytes: 35,
        checksum: "9dad21f941363b911cb491c5aa305a961407cbc4ba6fd8c063467eaf460cdef2", // what Python recorded for the same JSON
        metadata: { v: 1 },
        deletedAt: null,
      });
      expect(cfg.id).toMatch(/^\d{15,17}$/);
      expect(BigInt(cfg.id) >= before && BigInt(cfg.id) < after).toBe(true);
      expect(cfg.uploadedAt).toMatch(PY_ISO);
      expect(cfg.updatedAt).toMatch(PY_ISO);
      expect(await raw(adapter, `alice/proj/sub/run/files/configs/${cfg.id}/config.json`)).toBe('{\n  "model": "mlp",\n  "lr": 0.001\n}');

      const note = await exp.files.saveText("hello from python\n", { to: "notes/readme.txt" });
      const top = await exp.files().saveBlob(new Uint8Array([0, 1, 2, 3]), { to: "data.bin" });
      expect(note).toMatchObject({ path: "/notes", filename: "readme.txt", contentType: "text/plain", sizeBytes: 18, checksum: "e757de90063252473a3443965fb04722fbad5f7bbe40382da7dde106ddcec499", description: null, tags: [], bindrs: [], metadata: null });
      expect(top.path).toBe("/");
      expect(await adapter.read(`alice/proj/sub/run/files/${top.id}/data.bin`)).toEqual(new Uint8Array([0, 1, 2, 3]));

      const doc = await raw(adapter, "alice/proj/sub/run/files/.files_metadata.json");
      const rec = (f: FileInfo): string =>
        `{"id": "${f.id}", "experimentId": "${f.experimentId}", "path": "${f.path}", "filename": "${f.filename}", "description": ${f.description === null ? "null" : `"${f.description}"`}, ` +
        `"tags": ${JSON.stringify(f.tags).replaceAll(",", ", ")}, "bindrs": ${JSON.stringify(f.bindrs).replaceAll(",", ", ")}, "contentType": "${f.contentType}", "sizeBytes": ${f.sizeBytes}, "checksum": "${f.checksum}", ` +
        `"metadata": ${f.metadata === null ? "null" : JSON.stringify(f.metadata).replace(":", ": ")}, "uploadedAt": "${f.uploadedAt}", "updatedAt": "${f.updatedAt}", "deletedAt": null}`;
      expect(doc).toBe(`{"files": [${rec(cfg)}, ${rec(note)}, ${rec(top)}]}`);
      await exp.run.complete();
    });

    t("save takes strings, bytes, typed-array views, ArrayBuffers, Blobs, streams and plain objects; checksums are the SHA-256", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/kinds").run.start();
      const f = exp.files("in");
      const big = new Float32Array(1000).map((_, i) => i / 7);
      const view = new Uint8Array(big.buffer, 400, 800);
      const chunks = [enc.encode("stream "), new Uint8Array(200_000).fill(9), enc.encode(" end")];
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      chunks.reduce((o, c) => (all.set(c, o), o + c.length), 0);
      const cases: [unknown, string, Uint8Array][] = [
        ["héllo", "s.txt", enc.encode("héllo")],
        [view, "view.bin", view.slice()],
        [big, "f32.bin", new Uint8Array(big.buffer).slice()],
        [big.buffer, "ab.bin", new Uint8Array(big.buffer).slice()],
        [new Blob([enc.encode("blob!")]), "b.dat", enc.encode("blob!")],
        [streamOf(chunks), "s.bin", all],
      ];
      for (const [data, to, expected] of cases) {
        const info = await f.save(data as string, { to });
        expect(info.sizeBytes, to).toBe(expected.length);
        expect(info.checksum, to).toBe(await sha(expected));
        expect(await exp.files(`in/${to}`).read(), to).toEqual(expected);
      }
      const obj = await f.save({ a: [1, 2], b: { c: null } }, { to: "obj.json" });
      expect(await exp.files("in/obj.json").readText()).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": {\n    "c": null\n  }\n}');
      expect(obj.contentType).toBe("application/json");
      const named = await f.save(new File([enc.encode("x")], "from-file.txt"));
      expect(named.filename).toBe("from-file.txt");
      expect((await f.list()).length).toBe(8);
      await exp.run.complete();
    });

    t("saveJson writes Python's json.dump(indent=2): escapes, NaN, nesting, empty containers", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/json").run.start();
      await exp.files.saveJson({ s: "é→\u0001", n: [NaN, Infinity, -1.5], e: {}, l: [], d: new Date(0), t: new Uint8Array([1]) }, { to: "cfg/x.json" });
      expect(await exp.files.readText("cfg/x.json")).toBe(
        '{\n  "s": "\\u00e9\\u2192\\u0001",\n  "n": [\n    NaN,\n    Infinity,\n    -1.5\n  ],\n  "e": {},\n  "l": [],\n  "d": "1970-01-01T00:00:00.000Z",\n  "t": [\n    1\n  ]\n}',
      );
      expect(await exp.files("cfg/x.json").readJson()).toMatchObject({ n: [NaN, Infinity, -1.5] });
      await expectReject(exp.files.saveJson({ f: () => 1 }, { to: "bad.json" }), ValidationError, /"value\.f" is a function/);
      await exp.run.complete();
    });

    t("the overwrite rule: the same path and name replaces the entry (new id) and removes the old bytes", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/over").run.start();
      const a = await exp.files("m").saveText("v1", { to: "w.txt" });
      const other = await exp.files("n").saveText("other", { to: "w.txt" });
      const b = await exp.files("m").saveText("v2", { to: "w.txt" });
      expect(b.id).not.toBe(a.id);
      const list = await exp.files.list();
      expect(list.map((f) => [f.path, f.filename, f.id])).toEqual([
        ["/m", "w.txt", b.id],
        ["/n", "w.txt", other.id],
      ]);
      expect(await adapter.list(`alice/proj/over/files/m/${a.id}`)).toEqual([]);
      expect(await exp.files.readText("m/w.txt")).toBe("v2");
      // A deleted entry is not overwritten: the new save is a new entry.
      await exp.files("m/w.txt").delete();
      const c = await exp.files("m").saveText("v3", { to: "w.txt" });
      const recs = JSON.parse((await raw(adapter, "alice/proj/over/files/.files_metadata.json")) as string).files as FileInfo[];
      expect(recs.map((r) => [r.id, r.deletedAt !== null])).toEqual([
        [b.id, true],
        [other.id, false],
        [c.id, false],
      ]);
      await exp.run.complete();
    });

    t("soft delete by path, by id and by glob; a second delete is NotFoundError; the bytes stay", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/del").run.start();
      const a = await exp.files("images").saveText("a", { to: "a.png" });
      const b = await exp.files("images").saveText("b", { to: "b.png" });
      const c = await exp.files("images").saveText("c", { to: "c.jpg" });
      const d = await exp.files("images/sub").saveText("d", { to: "d.png" });
      const keep = await exp.files("images2").saveText("k", { to: "k.png" });
      const one = await exp.files("images/a.png").delete();
      expect(one).toEqual({ id: a.id, deletedAt: expect.stringMatching(PY_ISO) });
      await expectReject(exp.files("images/a.png").delete(), NotFoundError, /File not found: images\/a\.png/);
      await expectReject(exp.files({ fileId: a.id }).delete(), NotFoundError, new RegExp(`File ${a.id} already deleted`));
      const many = (await exp.files.delete("images/*.png")) as { id: string }[];
      expect(many.map((r) => r.id).sort()).toEqual([b.id, d.id].sort());
      await expectReject(exp.files.delete("images/*.png"), NotFoundError, /No files found matching pattern "\*\.png"/);
      expect((await exp.files.list()).map((f) => f.id)).toEqual([c.id, keep.id]);
      expect(await adapter.read(`alice/proj/del/files/images/${a.id}/a.png`)).toEqual(enc.encode("a"));
      const recs = JSON.parse((await raw(adapter, "alice/proj/del/files/.files_metadata.json")) as string).files as FileInfo[];
      const ra = recs.find((r) => r.id === a.id) as FileInfo;
      expect(ra.deletedAt).toBe(one.deletedAt);
      expect(ra.updatedAt).toBe(ra.deletedAt);
      await expectReject(exp.files({ fileId: a.id }).read(), NotFoundError, /not found/);
      await expectReject(exp.files({ fileId: "123" }).delete(), NotFoundError, /File 123 not found/);
      await exp.run.complete();
    });

    t("update changes only the given fields and updatedAt; unknown and deleted ids are NotFoundError", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/upd").run.start();
      const f = await exp.files("m", { description: "d0", tags: ["a"], metadata: { k: 1 } }).saveText("x", { to: "x.txt" });
      await until(() => Date.now() > Date.parse(f.updatedAt) + 2, "the clock to pass the save");
      const u1 = await exp.files({ fileId: f.id }).update({ tags: ["best", "b"] });
      expect(u1).toMatchObject({ id: f.id, description: "d0", tags: ["best", "b"], metadata: { k: 1 }, uploadedAt: f.uploadedAt });
      expect(u1.updatedAt > f.updatedAt).toBe(true);
      const u2 = await exp.files({ fileId: f.id, description: "from builder" }).update({ metadata: { k: 2 } });
      expect(u2).toMatchObject({ description: "from builder", tags: ["best", "b"], metadata: { k: 2 } });
      const u3 = await exp.files.update(f.id, { description: null });
      expect(u3.description).toBeNull();
      expect((await exp.files("m/x.txt").update({ tags: [] })).tags).toEqual([]);
      expect((await exp.files.list())[0]).toEqual(await exp.files("m/x.txt").info());
      await expectReject(exp.files.update("999", { tags: [] }), NotFoundError, /File 999 not found/);
      await exp.files("m/x.txt").delete();
      await expectReject(exp.files.update(f.id, { tags: [] }), NotFoundError, new RegExp(`File ${f.id} has been deleted`));
      await expectReject(exp.files.update(f.id, { tags: "x" as never }), ValidationError, /tags: expected an array of strings/);
      await exp.run.complete();
    });

    t("list: fnmatch globs over name or path (* crosses /), **, ?, classes; folder and tag filters", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/glob").run.start();
      const put = (dir: string, to: string, tags: string[] = []): Promise<FileInfo> => exp.files(dir, { tags }).saveText(to, { to });
      await put("/", "top.png");
      await put("images", "a1.png", ["train"]);
      await put("images", "b2.png", ["eval"]);
      await put("images", "c3.jpg", ["train"]);
      await put("images/deep/er", "d4.png");
      await put("images2", "e5.png");
      await put("models", "m.bin");
      const names = async (dir: string | undefined, pattern?: string, tags?: string[]): Promise<string[]> =>
        (await exp.files(dir, tags ? { tags } : {}).list(pattern)).map((f) => f.filename).sort();
      expect(await names(undefined)).toEqual(["a1.png", "b2.png", "c3.jpg", "d4.png", "e5.png", "m.bin", "top.png"]);
      expect(await names(undefined, "*.png")).toEqual(["a1.png", "b2.png", "d4.png", "e5.png", "top.png"]);
      expect(await names(undefined, "images/*.png")).toEqual(["a1.png", "b2.png", "d4.png"]); // * crosses "/"
      expect(await names(undefined, "images/**/*.png")).toEqual(["a1.png", "b2.png", "d4.png"]);
      expect(await names(undefined, "images/*/*/*.png")).toEqual(["d4.png"]);
      expect(await names(undefined, "**/*.jpg")).toEqual(["c3.jpg"]);
      expect(await names(undefined, "**/top.png")).toEqual(["top.png"]); // "**/" may match no folder
      expect(await names(undefined, "/images/?1.png")).toEqual(["a1.png"]);
      expect(await names(undefined, "[ab]?.png")).toEqual(["a1.png", "b2.png"]);
      expect(await names(undefined, "[!ab]?.*")).toEqual(["c3.jpg", "d4.png", "e5.png"]);
      expect(await names(undefined, "[a-c][0-9].*")).toEqual(["a1.png", "b2.png", "c3.jpg"]);
      expect(await names(undefined, "*.PNG")).toEqual([]); // case-sensitive
      expect(await names(undefined, "[x")).toEqual([]);
      expect(await names("images")).toEqual(["a1.png", "b2.png", "c3.jpg", "d4.png"]); // not images2
      expect(await names("/images/", "*.png")).toEqual(["a1.png", "b2.png", "d4.png"]);
      expect(await names("images", undefined, ["train"])).toEqual(["a1.png", "c3.jpg"]);
      expect(await names(undefined, "*.png", ["eval", "nope"])).toEqual(["b2.png"]);
      await exp.run.complete();
    });

    t("one file by path, bare name or id: read, readText, exists, info; reads work after the run ended", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/read").run.start();
      const f = await exp.files("models").saveBlob(new Uint8Array([5, 6, 7]), { to: "model.bin" });
      expect(await exp.files("models/model.bin").read()).toEqual(new Uint8Array([5, 6, 7]));
      expect(await exp.files("/models/model.bin").read()).toEqual(new Uint8Array([5, 6, 7]));
      expect(await exp.files.read("model.bin")).toEqual(new Uint8Array([5, 6, 7])); // bare name, as Python
      expect(await exp.files({ fileId: f.id }).read()).toEqual(new Uint8Array([5, 6, 7]));
      expect(await exp.files.exists("models/model.bin")).toBe(true);
      expect(await exp.files.exists("models/nope.bin")).toBe(false);
      await expectReject(exp.files("models/nope.bin").read(), NotFoundError, /File not found: models\/nope\.bin/);
      await expectReject(exp.files().read(), ValidationError, /No file given/);
      const s = await exp.files("models/model.bin").stream();
      const parts: number[] = [];
      for await (const c of s as unknown as AsyncIterable<Uint8Array>) parts.push(...c);
      expect(parts).toEqual([5, 6, 7]);
      await exp.run.complete();
      expect(await exp.files.readText("models/model.bin")).toBe("\u0005\u0006\u0007");
      expect((await exp.files.list()).length).toBe(1);
    });

    t("reopen: a new adapter over the same data lists, reads, overwrites and adds to the earlier files", async (fx) => {
      const exp = await experiment(fx.adapter, "alice/proj/resume").run.start();
      const a = await exp.files("c").saveText("one", { to: "a.txt" });
      await exp.files("c").saveText("two", { to: "b.txt" });
      await exp.run.complete();
      await fx.adapter.close();
      const again = await fx.reopen();
      const exp2 = await experiment(again, "alice/proj/resume").run.start();
      expect((await exp2.files.list()).map((f) => f.filename)).toEqual(["a.txt", "b.txt"]);
      expect(await exp2.files.readText("c/a.txt")).toBe("one");
      const a2 = await exp2.files("c").saveText("one!", { to: "a.txt" });
      await exp2.files("c").saveText("three", { to: "c.txt" });
      expect((await exp2.files.list()).map((f) => [f.filename, f.id === a.id])).toEqual([
        ["a.txt", false],
        ["b.txt", false],
        ["c.txt", false],
      ]);
      expect((await exp2.files.list())[0]?.id).toBe(a2.id);
      await exp2.run.complete();
      await again.close();
    });

    t("concurrent saves all land, with distinct ids, in one consistent metadata document", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/many").run.start();
      const infos = await Promise.all(Array.from({ length: 60 }, (_, i) => exp.files(`d${i % 3}`).saveText(`#${i}`, { to: `f${i}.txt` })));
      expect(new Set(infos.map((f) => f.id)).size).toBe(60);
      const recs = JSON.parse((await raw(adapter, "alice/proj/many/files/.files_metadata.json")) as string).files as FileInfo[];
      expect(recs.map((r) => r.id).sort()).toEqual(infos.map((f) => f.id).sort());
      for (const f of infos.slice(0, 10)) expect(await exp.files({ fileId: f.id }).readText()).toBe(`#${f.filename.slice(1, -4)}`);
      await exp.run.complete();
    });

    t("saveImage writes PNG (gray, gray+alpha, RGB, RGBA) and JPEG; content type by extension", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/img").run.start();
      const f = exp.files("frames");
      for (const channels of [1, 2, 3, 4] as const) {
        const data = Uint8Array.from({ length: 5 * 3 * channels }, (_, i) => (i * 37) & 255);
        const info = await f.saveImage({ data, width: 5, height: 3, channels }, { to: `c${channels}.png` });
        const png = await exp.files({ fileId: info.id }).read();
        expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        const ihdr = new DataView(png.buffer, png.byteOffset + 16, 13);
        expect([ihdr.getUint32(0), ihdr.getUint32(4), ihdr.getUint8(8), ihdr.getUint8(9)]).toEqual([5, 3, 8, { 1: 0, 2: 4, 3: 2, 4: 6 }[channels]]);
        expect(info.contentType).toBe("image/png");
      }
      const rgba = { data: new Uint8ClampedArray(8 * 8 * 4).fill(200), width: 8, height: 8 };
      const jpg = await f.saveImage(rgba, { to: "x.jpg", quality: 80 });
      const bytes = await exp.files({ fileId: jpg.id }).read();
      expect([bytes[0], bytes[1], bytes.at(-2), bytes.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      expect(jpg.contentType).toBe("image/jpeg");
      const nested = await f.saveImage([[0, 0.5], [1, 0.25]], { to: "nested.png" });
      expect(nested.sizeBytes).toBeGreaterThan(50);
      await exp.run.complete();
    });

    t("bad input: names that escape their folder, empty names, bad images, sizes over the limit → ValidationError naming the problem", async ({ adapter }) => {
      const exp = await experiment(adapter, "alice/proj/bad", { files: { maxBytes: 1000 } }).run.start();
      const f = exp.files("ok");
      const cases: [() => Promise<unknown>, string, RegExp][] = [
        [() => f.saveText("x", { to: "../x.txt" }), "to", /Invalid file to "\.\.\/x\.txt": it has a "\.\." segment, which would leave its folder/],
        [() => f.saveText("x", { to: "a/../../x.txt" }), "to", /has a "\.\." segment/],
        [() => f.saveText("x", { to: "/etc/passwd" }), "to", /is an absolute path/],
        [() => f.saveText("x", { to: "C:/x.txt" }), "to", /absolute \(drive\) path/],
        [() => f.saveText("x", { to: "a\\b.txt" }), "to", /contains a backslash/],
        [() => f.saveText("x", { to: "a\u0000b.txt" }), "to", /contains a NUL character/],
        [() => f.saveText("x", { to: "" }), "to", /is empty/],
        [() => f.saveText("x", { to: "dir/" }), "to", /has an empty segment/],
        [() => f.saveText("x", {} as never), "to", /must be a string like "model\.bin", got nothing/],
        [() => f.saveBlob(new Uint8Array(1001), { to: "big.bin" }), "data", /1001 bytes is over the maximum file size of 1000 bytes/],
        [() => f.saveBlob(streamOf([new Uint8Array(600), new Uint8Array(600)]), { to: "big-stream.bin" }), "data", /1200 bytes is over the maximum file size of 1000 bytes/],
        [() => f.save(42 as never, { to: "n.bin" }), "data", /expected a Blob, ArrayBuffer, typed array, ReadableStream<Uint8Array> or string, got number/],
        [() => f.saveImage({ data: new Uint8Array(10), width: 2, height: 2 }, { to: "i.png" }), "image.data", /10 values, not a whole number of values per pixel for 2×2 = 4 pixels/],
        [() => f.saveImage({ data: new Uint8Array(20), width: 2, height: 2 }, { to: "i.png" }), "image.channels", /5 channels per pixel; saveImage takes 1 \(gray\), 2 \(gray\+alpha\), 3 \(RGB\) or 4 \(RGBA\)/],
        [() => f.saveImage({ data: new Uint8Array(12), width: 2, height: 2, channels: 4 }, { to: "i.png" }), "image.data", /12 values, expected width × height × channels = 2 × 2 × 4 = 16/],
        [() => f.saveImage({ data: new Uint8Array(4), width: 0, height: 2 }, { to: "i.png" }), "image.width", /width must be a positive integer, got 0/],
        [() => f.saveImage({ data: new Uint8Array(4), width: 2, height: 1.5 }, { to: "i.png" }), "image.height", /height must be a positive integer, got 1\.5/],
        [() => f.saveImage("nope" as never, { to: "i.png" }), "image", /expected ImageData, \{ data, width, height, channels\? \}/],
        [() => f.saveImage([[1, 2], [3]], { to: "i.png" }), "image", /row 1 has 1 pixels, expected 2/],
        [() => f.saveImage({ data: new Uint8Array(4), width: 2, height: 2 }, { to: "i.gif" }), "to", /saveImage writes \.png or \.jpg\/\.jpeg files/],
        [() => f.saveImage({ data: new Uint8Array(4), width: 2, height: 2 }, { to: "i.jpg", quality: 0 }), "quality", /Invalid JPEG quality 0: use an integer from 1 to 100/],
      ];
      for (const [p, field, message] of cases) {
        const err = await expectReject(p(), ValidationError, message);
        expect((err as ValidationError).field, String(message)).toBe(field);
      }
      expect(() => exp.files("a/../b")).toThrow(/Invalid file dir "a\/\.\.\/b": it has a "\.\." segment/);
      expect(() => exp.files("a\\b")).toThrow(ValidationError);
      expect(() => exp.files(".files_metadata.json")).toThrow(/reserved name/);
      expect(() => exp.files({ fileId: "" })).toThrow(/Invalid fileId/);
      // Nothing was stored by any of them, and no content was left behind.
      expect(await exp.files.list()).toEqual([]);
      expect((await adapter.list("alice/proj/bad/files")).filter((k) => !k.endsWith(".files_metadata.json"))).toEqual([]);
      await exp.run.complete();
    });

    t("saving before start or into a finished run is ExperimentNotStartedError", async ({ adapter }) => {
      const exp = experiment(adapter, "alice/proj/ended");
      await expectReject(exp.files.saveText("x", { to: "a.txt" }), ExperimentNotStartedError, /files\("\/"\)\.saveText\(\) was called before the run started/);
      await exp.run.start();
      await exp.files.saveText("x", { to: "a.txt" });
      await exp.run.complete();
      const writes: [() => Promise<unknown>, RegExp][] = [
        [() => exp.files("m").saveText("x", { to: "b.txt" }), /files\("\/m"\)\.saveText\(\) was called after the run ended/],
        [() => exp.files.saveBlob(new Uint8Array(1), { to: "b.bin" }), /saveBlob\(\) was called after the run ended/],
        [() => exp.files.saveImage({ data: new Uint8Array(1), width: 1, height: 1 }, { to: "b.png" }), /saveImage\(\) was called after the run ended/],
        [() => exp.files("a.txt").delete(), /delete\(\) was called after the run ended/],
        [() => exp.files("a.txt").update({ tags: [] }), /update\(\) was called after the run ended/],
      ];
      for (const [p, message] of writes) await expectReject(p(), ExperimentNotStartedError, message);
      expect(await exp.files.readText("a.txt")).toBe("x");
    });
  });
}
