import { StorageError } from "../errors.ts";

/**
 * The storage contract (its types live in model/storage.ts, the bottom of the house, since the
 * core's options and runtime hooks name them) and the key check every adapter runs.
 */
import type { StorageAdapter, StorageCapabilities, StorageLease, StorageStat } from "../model/storage.ts";

export type { StorageAdapter, StorageCapabilities, StorageLease, StorageStat };

const BAD_SEGMENT = /[\u0000-\u001f\u007f\\]/;
/** What {@link assertValidKey} refuses, in one pass: a leading, trailing or doubled "/", a "." or ".." segment, a control character or backslash. */
const INVALID_KEY = /^\/|\/$|\/\/|(?:^|\/)\.\.?(?:\/|$)|[\u0000-\u001f\u007f\\]/;

/**
 * Checks a storage key: relative, `/`-separated, no empty, `.` or `..` segments, no control
 * characters or backslashes. Adapters call this before touching their backend so that no key
 * can escape the store's root.
 */
export function assertValidKey(key: string, allowEmpty = false): void {
  if (key === "" ? allowEmpty : !INVALID_KEY.test(key)) return;
  const seg = key.split("/").find((s) => s === "" || s === "." || s === ".." || BAD_SEGMENT.test(s));
  throw new StorageError(
    key === "" ? "Storage key is empty" : /^\/|\/$/.test(key) ? `Storage key "${key}" must not start or end with "/"` : `Storage key "${key}" has an invalid segment "${seg}"`,
    { code: "INVALID_KEY" },
  );
}
