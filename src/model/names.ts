/**
 * The one rule for names that become folders and files of a store (prefix segments, metric
 * names, track topics, file folders and names), shared by the SDK and the server so both refuse
 * the same names before anything is written or registered:
 *
 * - one segment is at most {@link MAX_SEGMENT_BYTES} bytes of UTF-8 (what ext4, APFS, NTFS and
 *   the object stores allow for one name), a whole key at most {@link MAX_KEY_BYTES} (S3 and R2
 *   allow 1024; a prefix is held to {@link MAX_PREFIX_BYTES} so the layout's names fit under it);
 * - no control characters (C0, DEL, C1), and no Unicode direction overrides or isolates
 *   (U+202A–U+202E, U+2066–U+2069), which make a name display in a false order.
 */
import { ValidationError } from "../errors.ts";

/** Longest path segment, in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** Longest storage key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** Longest experiment prefix, in UTF-8 bytes: leaves room for `/metrics/<255 bytes>/metadata.json` and file folders. */
export const MAX_PREFIX_BYTES = 512;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DIRECTION = /[\u202a-\u202e\u2066-\u2069]/;

/** The UTF-8 length of `s` (without encoding it). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Why `text` cannot be (part of) a name — control or direction characters, or over `maxBytes` — else `undefined`. */
export function textProblem(text: string, maxBytes: number = MAX_SEGMENT_BYTES): string | undefined {
  if (CONTROL.test(text)) return "contains a control character";
  if (DIRECTION.test(text)) return "contains a Unicode direction override or isolate (U+202A–U+202E, U+2066–U+2069), which would show it in a false order";
  const n = utf8Bytes(text);
  if (n > maxBytes) return `is ${n} bytes long in UTF-8; the limit is ${maxBytes}`;
  return undefined;
}

/** Why `seg` cannot be one folder or file name, else `undefined`. */
export function segmentProblem(seg: string): string | undefined {
  if (seg === "") return 'has an empty segment ("//")';
  if (seg === "." || seg === "..") return `has a "${seg}" segment, which would leave its folder`;
  if (seg.includes("\\")) return "contains a backslash (use / between folders)";
  return textProblem(seg, MAX_SEGMENT_BYTES);
}

/** Why a `/`-separated path (each part a segment, the whole at most `maxBytes`) cannot be used, else `undefined`. */
export function pathProblem(path: string, maxBytes: number = MAX_KEY_BYTES): string | undefined {
  for (const seg of path.split("/")) {
    const p = segmentProblem(seg);
    if (p) return seg.length > 40 ? `${p} (segment ${shown(seg)})` : p;
  }
  const n = utf8Bytes(path);
  if (n > maxBytes) return `is ${n} bytes long in UTF-8; the limit is ${maxBytes}`;
  return undefined;
}

/** `value` for a message: JSON, cut to 60 characters (a 10 kB name does not fill a log). */
export function shown(value: unknown): string {
  const s = typeof value === "string" ? value : String(value);
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

/** Throws a {@link ValidationError} naming `field` when `key` (a whole storage key) is over {@link MAX_KEY_BYTES}. */
export function checkKeyLength(key: string, field: string, what: string = field): void {
  const n = utf8Bytes(key);
  if (n > MAX_KEY_BYTES) {
    throw new ValidationError(`Invalid ${what}: the storage key it makes (${shown(key)}) is ${n} bytes long in UTF-8; the limit is ${MAX_KEY_BYTES}: use shorter names`, { field });
  }
}
