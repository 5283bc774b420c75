/**
 * Scans metric JSONL bytes into {@link MetricColumns} without building an object per line.
 *
 * `JSON.parse` per line costs ~1 µs for a 140-byte record, so 1M points took 0.8–1.8 s here; this
 * byte scanner reads the shape every ML-Dash writer emits
 * (`{"index": N, "data": {"k": number, …}, "createdAt": "…"}`) directly, in about a third of
 * that. Any line it does not recognise (string values, escapes, another key order) goes through
 * the tolerant parser instead, so nothing is misread — only slower.
 *
 * Numbers: up to 15 significant digits the result is exact (Clinger's fast path: an exact
 * integer scaled by an exact power of ten). Longer mantissas (Python's 17-digit `repr`) may be
 * off by an ulp or two, which no chart can show; raw windows and CSV exports re-read the lines
 * exactly (see `readRawRows`).
 */
import { parsePyJson } from "../../../layout/py-json-parse.ts";
import { Cell, type FieldColumn, type MetricColumns, OFFSET_STRIDE } from "./metric-columns.ts";

const NL = 10;
const P10: number[] = [];
for (let i = 0; i <= 308; i++) P10.push(Number(`1e${i}`));
const PREFIX = new TextEncoder().encode('{"index": ');
const DATA = new TextEncoder().encode(', "data": {');
const decoder = new TextDecoder();

/** Result slot of {@link readNumber} (avoids allocating a tuple per value). */
let parsed = 0;

/** Parses a JSON number or NaN/Infinity/-Infinity at `i`; returns the end or -1. */
function readNumber(b: Uint8Array, i: number): number {
  let c = b[i] as number;
  let neg = false;
  if (c === 45) {
    neg = true;
    c = b[++i] as number;
  }
  if (c === 73) {
    // Infinity
    if (b[i + 7] !== 121) return -1;
    parsed = neg ? -Infinity : Infinity;
    return i + 8;
  }
  if (c === 78) {
    if (neg || b[i + 1] !== 97 || b[i + 2] !== 78) return -1;
    parsed = NaN;
    return i + 3;
  }
  if (c < 48 || c > 57) return -1;
  let m = 0;
  let digits = 0;
  let e = 0;
  while (c >= 48 && c <= 57) {
    if (digits < 19) {
      m = m * 10 + (c - 48);
      if (m !== 0) digits++;
    } else e++;
    c = b[++i] as number;
  }
  if (c === 46) {
    c = b[++i] as number;
    while (c >= 48 && c <= 57) {
      if (digits < 19) {
        m = m * 10 + (c - 48);
        e--;
        if (m !== 0) digits++;
      }
      c = b[++i] as number;
    }
  }
  if (c === 101 || c === 69) {
    c = b[++i] as number;
    let sign = 1;
    if (c === 45) {
      sign = -1;
      c = b[++i] as number;
    } else if (c === 43) c = b[++i] as number;
    let x = 0;
    while (c >= 48 && c <= 57) {
      x = x * 10 + (c - 48);
      c = b[++i] as number;
    }
    e += sign * x;
  }
  let v: number;
  if (m === 0) v = 0;
  else if (e >= 0) v = e <= 308 ? m * (P10[e] as number) : Infinity;
  else if (e >= -308) v = m / (P10[-e] as number);
  else v = m / 1e308 / (P10[Math.min(308, -e - 308)] as number);
  parsed = neg ? -v : v;
  return i;
}

/** Fills row `row` from a parsed record (the slow path). Returns false when it is no metric record. */
function fillFromObject(cols: MetricColumns, row: number, line: Uint8Array): boolean {
  let rec: unknown;
  try {
    rec = parsePyJson(decoder.decode(line));
  } catch {
    return false;
  }
  const data = rec !== null && typeof rec === "object" ? (rec as { data?: unknown }).data : undefined;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return false;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const f = cols.field(k);
    if (typeof v === "number") cols.setNumber(f, row, v);
    else cols.setOther(f, row);
  }
  return true;
}

/**
 * Consumes the complete lines of `b` (which starts at file offset `base`, on a line boundary)
 * into `cols`. Returns the number of bytes consumed; a trailing partial line is left for later.
 */
export function scanMetricBytes(cols: MetricColumns, b: Uint8Array, base: number): number {
  const end = b.lastIndexOf(NL) + 1;
  if (end === 0) return 0;
  // The first chunk sizes the columns by an estimate of its rows (at least 40 bytes a line); then
  // MetricCache sizes them for the whole file, and rows past the capacity grow it (checked per row).
  if (cols.capacity === 0) cols.reserve(Math.ceil(end / 40));
  const fields = cols.fields;
  let pos = 0;
  let row = cols.rows;
  while (pos < end) {
    if (row >= cols.capacity) cols.reserve(row + 1);
    if (row % OFFSET_STRIDE === 0) cols.offsets[row / OFFSET_STRIDE] = base + pos;
    let i = pos;
    // '{"index": ' — checked at its first, second, sixth and last bytes.
    let ok = b[i] === 123 && b[i + 1] === 34 && b[i + 6] === 120 && b[i + 9] === 32;
    if (ok) {
      i += PREFIX.length;
      while ((b[i] as number) >= 48 && (b[i] as number) <= 57) i++;
      // ', "data": {' — checked at its distinctive bytes (the comma, the d, the colon, the brace).
      ok = b[i] === 44 && b[i + 3] === 100 && b[i + 8] === 58 && b[i + 10] === 123;
      i += DATA.length;
    }
    // Expected field order: the same as the previous line's, checked byte by byte.
    let j = 0;
    while (ok) {
      let c = b[i] as number;
      if (c === 125) break; // "}" closes data
      if (c !== 34) {
        ok = false;
        break;
      }
      const ks = i + 1;
      let ke = ks;
      while (ke < end && b[ke] !== 34 && b[ke] !== 92 && b[ke] !== NL) ke++;
      if (b[ke] !== 34) {
        ok = false;
        break;
      }
      let f: FieldColumn | undefined = fields[j];
      if (f !== undefined && f.key.length === ke - ks) {
        const key = f.key;
        for (let q = 0; q < key.length; q++) {
          if (key[q] !== b[ks + q]) {
            f = undefined;
            break;
          }
        }
      } else f = undefined;
      if (f === undefined) f = cols.field(decoder.decode(b.subarray(ks, ke)));
      i = ke + 1;
      if (b[i] !== 58) {
        ok = false;
        break;
      }
      i++;
      if (b[i] === 32) i++;
      const v = readNumber(b, i);
      if (v < 0) {
        ok = false;
        break;
      }
      i = v;
      cols.setNumber(f, row, parsed);
      j = f.pos + 1;
      c = b[i] as number;
      if (c === 44) {
        i++;
        if (b[i] === 32) i++;
      } else if (c !== 125) ok = false;
    }
    let nl: number;
    if (ok) {
      // The rest of the line (`, "createdAt": "…"}`) is short: a JS loop beats a native call per line.
      nl = i;
      while (nl < end && b[nl] !== NL) nl++;
    } else {
      nl = b.indexOf(NL, pos);
      // Clear what the fast path may have set on this row, then parse it properly.
      for (const f of fields) if (f.kinds.length > row) f.kinds[row] = Cell.Missing;
      cols.reserve(row + 1);
      if (!fillFromObject(cols, row, b.subarray(pos, nl))) cols.skipped++;
    }
    pos = nl + 1;
    row++;
  }
  cols.rows = row;
  cols.bytes = base + end;
  return end;
}
