// Files on Bun: the portable files suite on the memory store (node-fs runs it through
// behaviourSuite), and upload/download through the Bun entry with checksums from Bun's hasher.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { Experiment } from "../../src/runtime/bun/entry.ts";
import { filesSuite } from "../behaviour/files.suite.ts";
import { memoryFixture, tempDir } from "../support/node-fixtures.ts";

/** Whole runs against a server on loopback, files through the disk: bun test's 5 s default is too short on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

filesSuite("memory on Bun", memoryFixture);

const hex = (b: Uint8Array): string => new Bun.CryptoHasher("sha256").update(b).digest("hex");

test("upload, streamed save and download through the Bun entry; checksums are Bun's SHA-256", async () => {
  const dir = tempDir("bunfiles");
  const storage = nodeFsAdapter({ root: join(dir, ".dash") });
  const exp = await new Experiment("alice/bun/files", { storage, echo: false }).run.start();
  const body = crypto.getRandomValues(new Uint8Array(60_000));
  writeFileSync(join(dir, "w.bin"), body);
  const up = await exp.files("m").upload(join(dir, "w.bin"));
  expect([up.sizeBytes, up.checksum]).toEqual([body.length, hex(body)]);
  const chunks = [crypto.getRandomValues(new Uint8Array(40_000)), crypto.getRandomValues(new Uint8Array(3))];
  let i = 0;
  const s = await exp.files.save(new ReadableStream<Uint8Array>({ pull: (c) => (i < 2 ? c.enqueue(chunks[i++] as Uint8Array) : c.close()) }), { to: "s/x.bin" });
  const all = new Uint8Array([...(chunks[0] as Uint8Array), ...(chunks[1] as Uint8Array)]);
  expect(s.checksum).toBe(hex(all));
  const out = await exp.files("m/w.bin").download({ to: join(dir, "copy.bin") });
  expect(hex(new Uint8Array(readFileSync(out)))).toBe(up.checksum);
  await exp.run.complete();
  await storage.close(); // Bun fails on file handles left to the garbage collector
}, IO_TIMEOUT_MS);
