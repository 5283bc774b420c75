/**
 * Files on Node: PNGs decoded by an independent decoder (pngjs), Python's dtype rules checked
 * against numpy, JPEG decoded by jpeg-js's decoder, checksums against node:crypto, upload and
 * download through the file system, and the 256 MiB stream's memory bound in a child process.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { Experiment } from "../../src/runtime/node/entry.ts";
import { encodePng } from "../../src/files/png.ts";
import { ConfigurationError, Experiment as CoreExperiment, StorageError, ValidationError } from "../../src/index.ts";
import { bundle, start } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** Image codecs checked by independent decoders and numpy (python3), and file I/O: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const hasNumpy = spawnSync("python3", ["-c", "import numpy"]).status === 0;

async function run<T>(fn: (exp: Experiment, root: string) => Promise<T>, core = false): Promise<T> {
  const root = tempDir("files");
  const Ctor = core ? CoreExperiment : Experiment;
  const storage = nodeFsAdapter({ root });
  const exp = await new Ctor("alice/proj/files", { storage, echo: false }).run.start();
  try {
    return await fn(exp as Experiment, root);
  } finally {
    await exp.run.complete().catch(() => undefined);
    await storage.close();
  }
}

/** Decodes a PNG with pngjs and returns its IHDR color type and the pixels in `channels` layout. */
function decodePng(bytes: Uint8Array, channels: 1 | 2 | 3 | 4): { colorType: number; width: number; height: number; px: number[] } {
  const png = PNG.sync.read(Buffer.from(bytes));
  const out: number[] = [];
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g, b, a] = [png.data[i * 4], png.data[i * 4 + 1], png.data[i * 4 + 2], png.data[i * 4 + 3]] as number[];
    if (channels === 1) out.push(r as number);
    else if (channels === 2) out.push(r as number, a as number);
    else if (channels === 3) out.push(r as number, g as number, b as number);
    else out.push(r as number, g as number, b as number, a as number);
  }
  return { colorType: png.colorType, width: png.width, height: png.height, px: out };
}

describe("saveImage PNG decodes to exactly the input pixels (pngjs)", () => {
  test("gray, gray+alpha, RGB and RGBA at several sizes, including noise and gradients", async () => {
    await run(async (exp) => {
      const sizes: [number, number][] = [[1, 1], [5, 3], [67, 33], [256, 256]];
      for (const channels of [1, 2, 3, 4] as const) {
        for (const [w, h] of sizes) {
          const noise = new Uint8Array(randomBytes(w * h * channels));
          const gradient = Uint8Array.from({ length: w * h * channels }, (_, i) => (Math.floor(i / channels / w) * 3 + (i % (w * channels))) & 255);
          for (const [kind, data] of [["noise", noise], ["gradient", gradient]] as const) {
            const info = await exp.files("png").saveImage({ data, width: w, height: h, channels }, { to: `${kind}-${channels}-${w}x${h}.png` });
            const bytes = await exp.files({ fileId: info.id }).read();
            const d = decodePng(bytes, channels);
            expect([d.colorType, d.width, d.height], `${kind} ${channels}ch ${w}x${h}`).toEqual([{ 1: 0, 2: 4, 3: 2, 4: 6 }[channels], w, h]);
            expect(d.px, `${kind} ${channels}ch ${w}x${h}`).toEqual(Array.from(data));
            expect(info.checksum).toBe(sha(bytes));
          }
        }
      }
    });
  }, 60_000);

  test("every PNG row filter (None, Sub, Up, Average, Paeth) and the adaptive choice decode exactly", async () => {
    for (const channels of [1, 2, 3, 4] as const) {
      const [w, h] = [37, 23];
      const data = new Uint8Array(randomBytes(w * h * channels)).map((v, i) => (i % 3 === 0 ? v : (i * 7) & 255));
      for (const filter of ["adaptive", 0, 1, 2, 3, 4] as const) {
        const d = decodePng(await encodePng(data, w, h, channels, filter), channels);
        expect(d.px, `${channels}ch filter ${filter}`).toEqual(Array.from(data));
      }
    }
  }, IO_TIMEOUT_MS);

  test("ImageData-shaped input ({ data: Uint8ClampedArray, width, height }) is RGBA; nested H×W×C arrays work", async () => {
    await run(async (exp) => {
      const data = new Uint8ClampedArray(randomBytes(7 * 4 * 4));
      const a = await exp.files.saveImage({ data, width: 7, height: 4 }, { to: "id.png" });
      expect(decodePng(await exp.files.read("id.png"), 4).px).toEqual(Array.from(data));
      expect(a.contentType).toBe("image/png");
      const nested = [
        [[10, 20, 30], [40, 50, 60]],
        [[70, 80, 90], [100, 110, 120]],
      ];
      await exp.files.saveImage(nested, { to: "nested.png" }); // numbers in 0..255 that are not uint8: min-max scaled, as numpy would
      const px = decodePng(await exp.files.read("nested.png"), 3).px;
      expect(px[0]).toBe(0);
      expect(px.at(-1)).toBe(255);
    });
  }, IO_TIMEOUT_MS);

  test.skipIf(!hasNumpy)("non-8-bit data follows ML-Dash Python's dtype rules exactly (checked with numpy)", async () => {
    await run(async (exp) => {
      const w = 16;
      const h = 8;
      const cases: [string, ArrayLike<number> & { length: number }, string][] = [
        ["f64-unit", Float64Array.from({ length: w * h }, (_, i) => (i * 0.7919) % 1), "float64"],
        ["f64-range", Float64Array.from({ length: w * h }, (_, i) => Math.sin(i) * 3 + 2), "float64"],
        ["f32-eighths", Float32Array.from({ length: w * h }, (_, i) => (i % 9) / 8), "float32"],
        ["i16", Int16Array.from({ length: w * h }, (_, i) => ((i * 997) % 4000) - 2000), "int16"],
        ["u16-small", Uint16Array.from({ length: w * h }, (_, i) => i % 2), "uint16"],
        ["constant", new Float64Array(w * h).fill(5), "float64"],
      ];
      const script = `
import json, sys, numpy as np
out = {}
for name, values, dtype in json.load(sys.stdin):
    array = np.array(values, dtype=dtype)
    if array.dtype != np.uint8:
        if array.max() <= 1.0:
            array_uint8 = (array * 255).astype(np.uint8)
        else:
            with np.errstate(all="ignore"):
                array_uint8 = ((array - array.min()) / (array.max() - array.min()) * 255).astype(np.uint8)
    out[name] = [int(v) for v in array_uint8]
print(json.dumps(out))
`;
      const expected = JSON.parse(
        execFileSync("python3", ["-c", script], { input: JSON.stringify(cases.map(([n, v, d]) => [n, Array.from(v), d])), encoding: "utf8" }),
      ) as Record<string, number[]>;
      for (const [name, data] of cases) {
        await exp.files("dtype").saveImage({ data, width: w, height: h, channels: 1 }, { to: `${name}.png` });
        const px = decodePng(await exp.files(`dtype/${name}.png`).read(), 1).px;
        // numpy's NaN → uint8 cast of a constant image is platform-defined; we write 0.
        expect(px, name).toEqual(name === "constant" ? new Array(w * h).fill(0) : expected[name]);
      }
    });
  }, IO_TIMEOUT_MS);
});

describe("saveImage JPEG", () => {
  test("decodes close to the input; alpha is composited onto white like Python; quality changes the size", async () => {
    await run(async (exp) => {
      const w = 64;
      const h = 48;
      const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => ((i % (w * 3)) * 2 + Math.floor(i / (w * 3)) * 3) & 255);
      const hi = await exp.files.saveImage({ data: rgb, width: w, height: h, channels: 3 }, { to: "hi.jpg", quality: 95 });
      const lo = await exp.files.saveImage({ data: rgb, width: w, height: h, channels: 3 }, { to: "lo.jpeg", quality: 20 });
      expect(hi.contentType).toBe("image/jpeg");
      expect(lo.sizeBytes).toBeLessThan(hi.sizeBytes);
      const dec = jpeg.decode(await exp.files.read("hi.jpg"), { useTArray: true });
      expect([dec.width, dec.height]).toEqual([w, h]);
      let err = 0;
      for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) err += Math.abs((dec.data[i * 4 + c] as number) - (rgb[i * 3 + c] as number));
      expect(err / (w * h * 3)).toBeLessThan(4);
      // Transparent red → white; half-transparent black → mid gray.
      const rgba = new Uint8Array(w * h * 4);
      for (let i = 0; i < w * h; i++) rgba.set(i < (w * h) / 2 ? [255, 0, 0, 0] : [0, 0, 0, 128], i * 4);
      await exp.files.saveImage({ data: rgba, width: w, height: h, channels: 4 }, { to: "alpha.jpg" });
      const a = jpeg.decode(await exp.files.read("alpha.jpg"), { useTArray: true });
      const px = (i: number): number[] => [a.data[i * 4], a.data[i * 4 + 1], a.data[i * 4 + 2]] as number[];
      for (const v of px(w * 4 + 5)) expect(v).toBeGreaterThan(245);
      for (const v of px(w * h - w * 4 - 5)) expect(Math.abs(v - 127)).toBeLessThan(8);
    });
  }, IO_TIMEOUT_MS);
});

describe("checksums equal node:crypto's SHA-256", () => {
  for (const core of [false, true]) {
    test(`buffered and streamed saves (${core ? "portable @noble/hashes" : "node:crypto hook"})`, async () => {
      await run(async (exp, root) => {
        const small = new Uint8Array(randomBytes(100_000));
        const chunks = Array.from({ length: 12 }, (_, i) => new Uint8Array(randomBytes(250_000 + i)));
        const all = Buffer.concat(chunks);
        const a = await exp.files.saveBlob(small, { to: "b/small.bin" });
        let i = 0;
        const s = new ReadableStream<Uint8Array>({ pull: (c) => (i < chunks.length ? c.enqueue(chunks[i++] as Uint8Array) : c.close()) });
        const b = await exp.files.save(s, { to: "b/stream.bin" });
        expect([a.checksum, a.sizeBytes]).toEqual([sha(small), small.length]);
        expect([b.checksum, b.sizeBytes]).toEqual([sha(all), all.length]);
        expect(sha(readFileSync(join(root, "alice/proj/files/files/b", b.id, "stream.bin")))).toBe(b.checksum);
      }, core);
    }, IO_TIMEOUT_MS);
  }
});

describe("upload and download through the file system", () => {
  test("upload streams a local file in; download writes it out (to a file, into a folder, by pattern) and verifies the checksum", async () => {
    await run(async (exp, root) => {
      const dir = tempDir("updown");
      const local = join(dir, "weights.bin");
      const body = new Uint8Array(randomBytes(2_500_000));
      writeFileSync(local, body);
      const up = await exp.files("models").upload(local);
      expect(up).toMatchObject({ path: "/models", filename: "weights.bin", sizeBytes: body.length, checksum: sha(body), contentType: "application/octet-stream" });
      const up2 = await exp.files.upload(local, { to: "ckpt/epoch1.bin" });
      expect([up2.path, up2.filename]).toEqual(["/ckpt", "epoch1.bin"]);

      const out = join(dir, "out", "copy.bin");
      expect(await exp.files("models/weights.bin").download({ to: out })).toBe(out);
      expect(sha(readFileSync(out))).toBe(up.checksum);
      mkdirSync(join(dir, "into"));
      expect(await exp.files.download("ckpt/epoch1.bin", { to: join(dir, "into") })).toBe(join(dir, "into", "epoch1.bin"));
      const many = await exp.files.download("*.bin", { to: join(dir, "all") });
      expect((many as string[]).sort()).toEqual([join(dir, "all", "epoch1.bin"), join(dir, "all", "weights.bin")]);

      // A stored file that no longer matches its checksum: the copy is removed and the error says so.
      const stored = join(root, "alice/proj/files/files/models", up.id, "weights.bin");
      const bad = readFileSync(stored);
      bad[10] = (bad[10] as number) ^ 1;
      writeFileSync(stored, bad);
      const target = join(dir, "tampered.bin");
      const err = await exp.files("models/weights.bin").download({ to: target }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/Checksum verification failed for file \d+ \(weights\.bin\).*the copy was removed/);
      expect(existsSync(target)).toBe(false);
      await expect(exp.files("models/weights.bin").read()).rejects.toThrow(/Checksum verification failed/);

      const missing = await exp.files.upload(join(dir, "nope.bin")).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(ValidationError);
      expect((missing as ValidationError).field).toBe("localPath");
      expect((missing as Error).message).toMatch(/upload\(\): cannot open ".*nope\.bin"/);
      await expect(exp.files.upload(dir)).rejects.toThrow(/is not a regular file/);
    });
  }, IO_TIMEOUT_MS);

  test("without a file system (ml-dash/core) upload and download say so", async () => {
    await run(async (exp) => {
      await exp.files.saveText("x", { to: "a.txt" });
      await expect(exp.files.upload("/etc/hostname")).rejects.toBeInstanceOf(ConfigurationError);
      await expect(exp.files("a.txt").download()).rejects.toThrow(/files\.download\(\) needs a file system, and this runtime has none: use read\(\), stream\(\)/);
    }, true);
  }, IO_TIMEOUT_MS);
});

describe("failures keep the store consistent", () => {
  test("a failed metadata write rejects the save, removes its bytes, and the next save works", async () => {
    const inner = memoryAdapter();
    let failNext = false;
    const storage = {
      ...inner,
      async write(key: string, data: Uint8Array) {
        if (failNext && key.endsWith(".files_metadata.json")) {
          failNext = false;
          throw new Error("disk full");
        }
        return inner.write(key, data);
      },
      async append(key: string, data: Uint8Array) {
        if (failNext && key.endsWith(".files_metadata.json")) {
          failNext = false;
          throw new Error("disk full");
        }
        return inner.append(key, data);
      },
    };
    const exp = await new CoreExperiment("a/b/fail", { storage, echo: false }).run.start();
    await exp.files.saveText("one", { to: "d/one.txt" });
    failNext = true;
    const err = await exp.files.saveText("two", { to: "d/two.txt" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(/disk full/);
    expect((await inner.list("a/b/fail/files/d")).length).toBe(1); // only one.txt's bytes
    const doc = new TextDecoder().decode((await inner.read("a/b/fail/files/.files_metadata.json")) as Uint8Array);
    expect(JSON.parse(doc).files.map((f: { filename: string }) => f.filename)).toEqual(["one.txt"]); // not left cut
    await exp.files.saveText("three", { to: "d/three.txt" });
    expect((await exp.files.list()).map((f) => f.filename)).toEqual(["one.txt", "three.txt"]);
    await exp.run.complete();
  }, IO_TIMEOUT_MS);

  test("a source stream that fails leaves no record and no bytes", async () => {
    await run(async (exp, root) => {
      let n = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(c) {
          if (n++ < 3) c.enqueue(new Uint8Array(100_000));
          else c.error(new Error("camera unplugged"));
        },
      });
      await expect(exp.files.save(source, { to: "v/frames.bin" })).rejects.toThrow(/camera unplugged/);
      expect(await exp.files.list()).toEqual([]);
      expect(spawnSync("find", [join(root, "alice/proj/files/files"), "-mindepth", "2"], { encoding: "utf8" }).stdout.trim()).toBe(""); // not even its <id>/ folder
      // A bad target is refused before the local file is opened (no handle left for the GC).
      const local = join(tempDir("up"), "x.bin");
      writeFileSync(local, "x");
      await expect(exp.files.upload(local, { to: "../x.bin" })).rejects.toThrow(/has a "\.\." segment/);
    });
  }, IO_TIMEOUT_MS);
});

describe("a 256 MiB stream", () => {
  test("is written through node-fs with peak RSS growth under 64 MiB and the right checksum", async () => {
    const root = tempDir("big");
    const script = await bundle(`
      import { Experiment } from "ml-dash";
      import { nodeFsAdapter } from "ml-dash/adapters/node-fs";
      const chunk = new Uint8Array(1024 * 1024);
      let sent = 0;
      const source = new ReadableStream({
        pull(c) {
          if (sent === 256) return c.close();
          chunk.fill(sent & 255);
          sent++;
          c.enqueue(chunk.slice());
        },
      });
      const exp = await new Experiment("a/b/big", { storage: nodeFsAdapter({ root: ${JSON.stringify(root)} }), echo: false }).run.start();
      const base = process.memoryUsage.rss();
      let peak = base;
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
      const t0 = performance.now();
      const info = await exp.files("big").save(source, { to: "stream.bin" });
      const s = (performance.now() - t0) / 1000;
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      await exp.run.complete();
      console.log(JSON.stringify({ growth: (peak - base) / 1048576, size: info.sizeBytes, checksum: info.checksum, mbs: info.sizeBytes / 1e6 / s, id: info.id }));
    `);
    const r = await start(script);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as { growth: number; size: number; checksum: string; mbs: number; id: string };
    const h = createHash("sha256");
    for (let i = 0; i < 256; i++) h.update(new Uint8Array(1024 * 1024).fill(i & 255));
    expect(out.size).toBe(256 * 1024 * 1024);
    expect(out.checksum).toBe(h.digest("hex"));
    expect(out.growth).toBeLessThan(64);
    console.log(`256 MiB stream: ${out.mbs.toFixed(0)} MB/s, peak RSS growth ${out.growth.toFixed(1)} MiB`);
    const f = join(root, "a/b/big/files/big", out.id, "stream.bin");
    expect(readFileSync(f).length).toBe(out.size);
  }, 120_000);
});

