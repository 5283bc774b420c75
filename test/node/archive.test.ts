// Tar archives of .dash folders: what exportArchive writes, GNU tar extracts byte for byte
// (long paths included); what GNU tar writes, importArchive reads back.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { exportArchive, importArchive } from "../../src/archive/index.ts";
import { StorageError } from "../../src/errors.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** Each test runs GNU tar in child processes: well under a second idle, several seconds on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const dirs: string[] = [];
const temp = (): string => {
  const d = tempDir("archive");
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const enc = new TextEncoder();
const long = `a/${"deep-folder-name/".repeat(12)}file-with-a-rather-long-name.jsonl`; // > 255 bytes: pax
const medium = `b/${"y".repeat(60)}/${"z".repeat(60)}/data.jsonl`; // > 100 bytes: ustar prefix

async function sample(): Promise<ReturnType<typeof memoryAdapter>> {
  const s = memoryAdapter();
  await s.write("alice/p/run/experiment.json", enc.encode('{"name": "run"}'));
  await s.write("alice/p/run/metrics/train/data.jsonl", enc.encode('{"index": 0}\n{"index": 1}\n'));
  await s.write(`alice/p/run/${long}`, enc.encode("long\n"));
  await s.write(`alice/p/run/${medium}`, enc.encode("medium\n"));
  await s.write("alice/p/run/files/blob.bin", Uint8Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => (i * 7) & 255));
  await s.write("alice/p/run/files/empty.txt", new Uint8Array(0));
  await s.write("alice/p/other/experiment.json", enc.encode("{}"));
  return s;
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("archives", () => {
  test("an export extracts with GNU tar into a .dash folder, byte for byte, long paths included", async () => {
    const s = await sample();
    const dir = temp();
    writeFileSync(join(dir, "run.tar"), await bytesOf(exportArchive(s, "alice/p/run")));
    execFileSync("tar", ["-xf", "run.tar"], { cwd: dir });
    const extracted = nodeFsAdapter({ root: join(dir, ".dash") });
    const keys = await s.list("alice/p/run");
    expect(await extracted.list("")).toEqual(keys);
    for (const k of keys) expect(Buffer.from((await extracted.read(k))!).equals(Buffer.from((await s.read(k))!)), k).toBe(true);
    await extracted.close();
  }, IO_TIMEOUT_MS);

  test("what GNU tar archives, importArchive reads back (ustar prefix, pax and GNU long names)", async () => {
    const dir = temp();
    const files = { "experiment.json": "{}", [long]: "long\n", [medium]: "medium\n", "files/blob.bin": "x".repeat(100_000) };
    for (const [path, body] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, ".dash/alice/p/run", path)), { recursive: true });
      writeFileSync(join(dir, ".dash/alice/p/run", path), body);
    }
    for (const format of ["pax", "gnu", "ustar"]) {
      if (format === "ustar") rmSync(join(dir, ".dash/alice/p/run/a"), { recursive: true }); // ustar cannot hold it
      execFileSync("tar", ["-cf", `${format}.tar`, `--format=${format}`, ".dash"], { cwd: dir });
      const into = memoryAdapter();
      const keys = await importArchive(into, readFileSync(join(dir, `${format}.tar`)));
      const expected = Object.keys(files).filter((p) => format !== "ustar" || p !== long).map((p) => `alice/p/run/${p}`);
      expect([...keys].sort(), format).toEqual(expected.sort());
      for (const p of expected) expect(new TextDecoder().decode((await into.read(p))!), `${format} ${p}`).toBe(files[p.slice("alice/p/run/".length)]);
    }
  }, IO_TIMEOUT_MS);

  test("export then import round-trips a store through a stream, in small pieces", async () => {
    const s = await sample();
    const into = memoryAdapter();
    // Re-chunk the archive into odd sizes, as a network would.
    const archive = await bytesOf(exportArchive(s, ""));
    expect(archive.length % 512).toBe(0);
    let at = 0;
    const trickle = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= archive.length) return c.close();
        const n = 1 + ((at * 31) % 7000);
        c.enqueue(archive.slice(at, at + n));
        at += n;
      },
    });
    const keys = await importArchive(into, trickle);
    expect(keys).toEqual(await s.list(""));
    for (const k of keys) expect(Buffer.from((await into.read(k))!).equals(Buffer.from((await s.read(k))!))).toBe(true);
  }, IO_TIMEOUT_MS);

  test("an archive cannot write outside the store, and garbage is refused", async () => {
    const dir = temp();
    mkdirSync(join(dir, "in"));
    writeFileSync(join(dir, "in/evil.txt"), "x");
    execFileSync("tar", ["-cf", "evil.tar", "--transform=s,in/evil.txt,../../evil.txt,", "in/evil.txt"], { cwd: dir });
    await expect(importArchive(memoryAdapter(), readFileSync(join(dir, "evil.tar")))).rejects.toBeInstanceOf(StorageError);
    await expect(importArchive(memoryAdapter(), new Uint8Array(1024).fill(65))).rejects.toMatchObject({ code: "BAD_ARCHIVE" });
  }, IO_TIMEOUT_MS);
});
