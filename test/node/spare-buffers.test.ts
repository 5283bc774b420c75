// The spare buffers behind column and output-array reuse: a buffer is handed out once, never
// twice, the smallest that fits and never one over twice the need; the byte budget holds, the
// oldest making room.
import { expect, test } from "vitest";
import { SpareBuffers } from "../../src/internal/spare-buffers.ts";

test("take() hands out a kept buffer that fits, once, and never a much bigger one", () => {
  const s = new SpareBuffers(1024);
  const a = new ArrayBuffer(100);
  s.give(a);
  s.give(a); // kept once: two takers would share it
  expect(s.take(200)).toBeUndefined(); // too small
  expect(s.take(40)).toBeUndefined(); // over twice the need: kept for a bigger one
  expect(s.take(64)).toBe(a);
  expect(s.take(64)).toBeUndefined();
  const col = s.float64(10);
  expect(col.length).toBe(10);
  s.give(col.buffer);
  const again = s.float64(8); // a view of the kept 80-byte buffer
  expect(again.buffer).toBe(col.buffer);
  expect(again.length).toBe(8);
});

test("detached, shared and oversized buffers are not kept; the budget makes room by dropping the oldest", () => {
  const s = new SpareBuffers(1000);
  const detached = new ArrayBuffer(64);
  structuredClone(detached, { transfer: [detached] });
  s.give(detached);
  s.give(new SharedArrayBuffer(64));
  s.give(new ArrayBuffer(2000));
  expect(s.take(1000)).toBeUndefined();
  s.give(new ArrayBuffer(200));
  s.give(new ArrayBuffer(300));
  s.give(new ArrayBuffer(400)); // 900 of 1000
  s.give(new ArrayBuffer(250)); // drops the oldest (200)
  // The smallest that fits first: 250 for 200 (the 200 is gone), then 300, then 400.
  expect([s.take(200), s.take(200), s.take(200), s.take(200)].map((x) => x?.byteLength)).toEqual([250, 300, 400, undefined]);
  s.give(new ArrayBuffer(500));
  s.clear();
  expect(s.take(500)).toBeUndefined();
});
