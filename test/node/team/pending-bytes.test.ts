/** The team store's kept pending rows: looked up by series, first index and count; the oldest go past the budget. */
import { expect, test } from "vitest";
import { PendingBytes } from "../../../src/server/stores/team/pending-bytes.ts";

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

test("a row is found by its series, first index and count; dropped rows and other counts are not", () => {
  const kept = new PendingBytes(1000);
  kept.put("7", 0, 100, bytes(10, 1));
  kept.put("8", 0, 100, bytes(10, 2));
  expect(kept.get("7", 0, 100)).toEqual(bytes(10, 1));
  expect(kept.get("8", 0, 100)).toEqual(bytes(10, 2));
  expect(kept.get("7", 0, 99)).toBeUndefined();
  expect(kept.get("7", 100, 100)).toBeUndefined();
  kept.drop("7", 0);
  expect(kept.get("7", 0, 100)).toBeUndefined();
  expect(kept.bytes).toBe(10);
});

test("past the budget the oldest rows go; a row bigger than the budget is not kept", () => {
  const kept = new PendingBytes(100);
  for (let k = 0; k < 10; k++) kept.put("1", k * 10, 10, bytes(30, k));
  expect(kept.bytes).toBe(90);
  expect([...Array(10).keys()].filter((k) => kept.get("1", k * 10, 10) !== undefined)).toEqual([7, 8, 9]);
  kept.put("1", 200, 10, bytes(101));
  expect(kept.get("1", 200, 10)).toBeUndefined();
  kept.put("1", 90, 10, bytes(5)); // replacing a row counts its bytes once
  expect(kept.bytes).toBe(65);
});
