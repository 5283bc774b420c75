/**
 * Issue 14 item 8 (tar import), as the attack: archives crafted by hand, header by header.
 * The old reader could not read a pax `size` record or a base-256 size (how tar writes files over
 * 8 GiB) and turned a non-octal size into NaN and an empty file. Now the format is read by
 * modern-tar (strict), and our path checks still refuse keys outside the store.
 */
import { describe, expect, test } from "vitest";
import { importArchive } from "../../../src/archive/index.ts";
import { memoryAdapter } from "../../../adapters/memory/index.ts";
import { StorageError } from "../../../src/errors.ts";
import { concatBytes } from "../../../src/internal/bytes.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A ustar header block; `size` is the raw 12-byte size field (octal text, or base-256 bytes). */
function header(name: string, size: Uint8Array | string, type = "0"): Uint8Array {
  const b = new Uint8Array(512);
  b.set(enc.encode(name).subarray(0, 100), 0);
  b.set(enc.encode("0000644\0"), 100);
  b.set(enc.encode("0000000\0"), 108);
  b.set(enc.encode("0000000\0"), 116);
  b.set(typeof size === "string" ? enc.encode(size) : size, 124);
  b.set(enc.encode("00000000000\0"), 136);
  b.fill(0x20, 148, 156);
  b[156] = type.charCodeAt(0);
  b.set(enc.encode("ustar\u000000"), 257);
  let sum = 0;
  for (const x of b) sum += x;
  b.set(enc.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return b;
}

const octal = (n: number) => n.toString(8).padStart(11, "0") + "\0";
const pad = (n: number) => new Uint8Array((512 - (n % 512)) % 512);
const END = new Uint8Array(1024);

function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

function paxRecord(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return enc.encode(`${len}${body}`);
}

async function imported(tar: Uint8Array): Promise<Record<string, string>> {
  const store = memoryAdapter();
  const keys = await importArchive(store, tar);
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = dec.decode((await store.read(k)) as Uint8Array);
  return out;
}

async function refusal(tar: Uint8Array): Promise<StorageError> {
  const err = await importArchive(memoryAdapter(), tar).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StorageError);
  return err as StorageError;
}

describe("sizes tar writes for big files", () => {
  test("a pax `size` record overrides the header's size field (which says 0)", async () => {
    const data = enc.encode("pax-sized body\n");
    const pax = paxRecord("size", String(data.length));
    const tar = concat(header("PaxHeader/a", octal(pax.length), "x"), pax, pad(pax.length), header(".dash/alice/p/r/a.txt", octal(0)), data, pad(data.length), END);
    expect(await imported(tar)).toEqual({ "alice/p/r/a.txt": "pax-sized body\n" });
  });

  test("a base-256 size (high bit set, big-endian) is read as a number", async () => {
    const data = enc.encode("base-256 sized\n");
    const field = new Uint8Array(12);
    field[0] = 0x80;
    field[11] = data.length;
    const tar = concat(header(".dash/alice/p/r/b.txt", field), data, pad(data.length), END);
    expect(await imported(tar)).toEqual({ "alice/p/r/b.txt": "base-256 sized\n" });
  });

  test("a pax `path` record gives a long name, as before", async () => {
    const long = `.dash/alice/p/r/${"d".repeat(120)}/${"f".repeat(120)}.txt`;
    const data = enc.encode("long\n");
    const pax = paxRecord("path", long);
    const tar = concat(header("PaxHeader/x", octal(pax.length), "x"), pax, pad(pax.length), header("short.txt", octal(data.length)), data, pad(data.length), END);
    expect(await imported(tar)).toEqual({ [long.slice(".dash/".length)]: "long\n" });
  });
});

describe("damaged and hostile archives are refused, never guessed", () => {
  test("a non-octal size: a BAD_ARCHIVE error saying so (was NaN and an empty file)", async () => {
    const data = enc.encode("hello\n");
    const err = await refusal(concat(header(".dash/alice/p/r/c.txt", "00000000z12\0"), data, pad(data.length), END));
    expect(err.code).toBe("BAD_ARCHIVE");
    expect(err.message).toMatch(/tar number/i);
  });

  test("a size past the archive's end: BAD_ARCHIVE (truncated), no file half written under its key", async () => {
    const store = memoryAdapter();
    const err = await importArchive(store, concat(header(".dash/alice/p/r/d.txt", octal(4096)), enc.encode("short"))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_ARCHIVE" });
    expect(await store.list("")).toEqual([]);
  });

  test("a bad checksum: BAD_ARCHIVE", async () => {
    const h = header(".dash/alice/p/r/e.txt", octal(0));
    h[0] = "X".charCodeAt(0);
    expect((await refusal(concat(h, END))).code).toBe("BAD_ARCHIVE");
  });

  test("paths outside the store (.., absolute, via pax) are refused by our key checks", async () => {
    const data = enc.encode("x");
    for (const name of ["../../evil.txt", ".dash/../../evil.txt", "/etc/evil"]) {
      await refusal(concat(header(name, octal(1)), data, pad(1), END));
    }
    const pax = paxRecord("path", "../../evil.txt");
    await refusal(concat(header("PaxHeader/e", octal(pax.length), "x"), pax, pad(pax.length), header("ok.txt", octal(1)), data, pad(1), END));
  });

  test("links and folders are skipped, files after them imported", async () => {
    const data = enc.encode("after\n");
    const tar = concat(header(".dash/alice/p/r/link", octal(0), "2"), header(".dash/alice/p/r/dir/", octal(0), "5"), header(".dash/alice/p/r/f.txt", octal(data.length)), data, pad(data.length), END);
    expect(await imported(tar)).toEqual({ "alice/p/r/f.txt": "after\n" });
  });
});
