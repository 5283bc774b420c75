/**
 * `assertValidKey` is what keeps every adapter inside its root. Its one-regex fast path must
 * accept exactly the keys the segment-by-segment rule accepts: checked here against that rule,
 * written out plainly, over keys built from the characters that matter.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { assertValidKey } from "../../src/storage/contract.ts";
import { StorageError } from "../../src/errors.ts";

/** The rule as documented: relative, "/"-separated, no empty, "." or ".." segment, no control character or backslash. */
function validByRule(key: string): boolean {
  if (key === "" || key.startsWith("/") || key.endsWith("/")) return false;
  return key.split("/").every((seg) => seg !== "" && seg !== "." && seg !== ".." && !/[\u0000-\u001f\u007f\\]/.test(seg));
}

function accepted(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toContain("Storage key");
    return false;
  }
}

test("a key is accepted exactly when every segment is a real name (property, 20k keys)", () => {
  const char = fc.constantFrom("a", "b", ".", ".", "/", "/", "\\", "\u0000", "\u001f", "\u007f", "é", " ", "~");
  fc.assert(
    fc.property(fc.array(char, { maxLength: 12, size: "max" }).map((cs) => cs.join("")), (key) => {
      expect(accepted(key), JSON.stringify(key)).toBe(validByRule(key));
    }),
    { numRuns: 20_000 },
  );
});

test("the keys an attacker tries are refused, the names a run uses are accepted", () => {
  for (const bad of ["..", ".", "../x", "x/..", "a/../b", "a/./b", "/abs", "a//b", "a/", "a\\b", "..\\x", "a/\u0000b", "a\nb", "a\u007fb"]) expect(accepted(bad), JSON.stringify(bad)).toBe(false);
  for (const good of ["alice/p/run/metrics/train/data.jsonl", "a/...", "a/..b", "a/b..", ".hidden/x", "a/.log_sequence", "ünïcode/名前"]) expect(accepted(good), good).toBe(true);
});
