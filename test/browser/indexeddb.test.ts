// What the IndexedDB adapter promises beyond the storage contract: appends that never rewrite
// a value, and stepping aside for another tab's upgrade or delete. (Quota errors are tested in
// test/node/chromium-quota.test.ts: Chromium reads an origin's quota once per open backing
// store, so the override needs a fresh origin.)
import { afterEach, describe, expect, test } from "vitest";
import { deleteDB, openDB } from "idb";
import { indexedDBAdapter } from "../../adapters/indexeddb/index.ts";

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);
const names: string[] = [];
function dbName(): string {
  const n = `mldash-idb-${Date.now().toString(36)}-${names.length}`;
  names.push(n);
  return n;
}
afterEach(async () => {
  for (const n of names.splice(0)) await deleteDB(n);
});

/** The raw chunk keys `[key, gen, offset]` of one key, read around the adapter. */
async function chunkKeys(name: string, key: string): Promise<[string, number, number][]> {
  const db = await openDB(name);
  try {
    return (await db.getAllKeys("chunks", IDBKeyRange.bound([key], [key, []]))) as [string, number, number][];
  } finally {
    db.close();
  }
}

describe("indexedDBAdapter", () => {
  test("large values are stored in 1 MiB chunks; an append adds a chunk at the end and leaves the others alone", async () => {
    const name = dbName();
    const s = indexedDBAdapter({ dbName: name });
    await s.write("run/big.bin", bytes(3 * 1024 * 1024, 1));
    const before = await chunkKeys(name, "run/big.bin");
    expect(before.map((k) => k[2])).toEqual([0, 1 << 20, 2 << 20]);
    await s.append("run/big.bin", bytes(200_000, 2));
    await s.append("run/big.bin", bytes(10, 3)); // a small last chunk...
    await s.append("run/big.bin", bytes(20, 4)); // ...is topped up, not followed by another
    const after = await chunkKeys(name, "run/big.bin");
    expect(after.slice(0, 3)).toEqual(before); // same generation, same chunks
    expect(after.map((k) => k[2])).toEqual([0, 1 << 20, 2 << 20, 3 << 20, (3 << 20) + 200_000]);
    const back = await s.readRange("run/big.bin", (3 << 20) - 5, (3 << 20) + 200_015);
    expect(Array.from(back!)).toEqual([...Array(5).fill(1), ...Array(200_000).fill(2), ...Array(10).fill(3), ...Array(5).fill(4)]);
    expect((await s.stat("run/big.bin"))?.size).toBe((3 << 20) + 200_030);
    await s.close();
  });

  test("many small appends top up the last chunk instead of adding one chunk each", async () => {
    const name = dbName();
    const s = indexedDBAdapter({ dbName: name });
    const line = new TextEncoder().encode(`{"index": 0, "data": {"loss": 0.123456}}\n`);
    for (let i = 0; i < 3000; i++) await s.append("run/m.jsonl", line);
    const keys = await chunkKeys(name, "run/m.jsonl");
    expect(keys.length).toBeLessThanOrEqual(Math.ceil((3000 * line.length) / (64 * 1024)) + 1);
    expect((await s.stat("run/m.jsonl"))?.size).toBe(3000 * line.length);
    await s.close();
  });

  test("a replace drops the old generation's chunks in the same transaction", async () => {
    const name = dbName();
    const s = indexedDBAdapter({ dbName: name });
    await s.write("doc.json", bytes(2 * 1024 * 1024, 1));
    await s.write("doc.json", bytes(10, 2));
    const keys = await chunkKeys(name, "doc.json");
    expect(keys).toHaveLength(1);
    await s.close();
  });

  test("another tab upgrading the database is not blocked: the adapter closes, then reopens at the new version", async () => {
    const name = dbName();
    const s = indexedDBAdapter({ dbName: name });
    await s.write("a/b", bytes(3, 7));
    const db = await openDB(name); // learn the version
    const version = db.version;
    db.close();
    let blocked = false;
    const other = await openDB(name, version + 1, {
      upgrade: (u) => void u.createObjectStore("someone-else"),
      blocked: () => void (blocked = true),
    });
    expect(blocked).toBe(false);
    other.close();
    expect(Array.from((await s.read("a/b"))!)).toEqual([7, 7, 7]);
    await s.append("a/b", bytes(1, 8));
    expect((await s.stat("a/b"))?.size).toBe(4);
    await s.close();
  });

  test("another tab deleting the database: the adapter lets it go and starts a fresh one", async () => {
    const name = dbName();
    const s = indexedDBAdapter({ dbName: name });
    await s.write("a/b", bytes(3, 7));
    await deleteDB(name, { blocked: () => expect.unreachable("delete was blocked by the adapter") });
    expect(await s.read("a/b")).toBeNull();
    await s.write("a/c", bytes(1, 1));
    expect(await s.list("")).toEqual(["a/c"]);
    await s.close();
  });
});
