/**
 * Exact numbers on the wire (see `model/exact.ts`). msgpack has no integer beyond 64 bits and
 * no "float that happens to be whole", so both travel as one extension type: a `bigint` or an
 * `ExactNumber` is sent as its JSON number text under ext type {@link EXACT_EXT}, and read back
 * with the JSON token rules (an integer as a number or `bigint`, a float as a number, or kept as
 * an `ExactNumber` where the receiver copies it). JSON carries them as their text: a `bigint` as
 * its digits, an `ExactNumber` verbatim (NaN and ±Infinity, which JSON cannot hold, as `null`).
 */
import { Encoder, ExtensionCodec } from "@msgpack/msgpack";
import { ExactNumber } from "../model/exact.ts";
import { numberToken } from "../layout/py-json-tolerant.ts";
import { decimalString } from "../layout/py-json.ts";

/** The msgpack extension type of an exact number's text. */
export const EXACT_EXT = 1;

const utf8 = new TextEncoder();
const latin = new TextDecoder();

function codec(exact: boolean): ExtensionCodec {
  const c = new ExtensionCodec();
  c.register({
    type: EXACT_EXT,
    encode: (v: unknown) => (typeof v === "bigint" ? utf8.encode(v.toString()) : v instanceof ExactNumber ? utf8.encode(v.text) : null),
    decode: (data: Uint8Array) => numberToken(latin.decode(data), exact),
  });
  return c;
}

/** For receivers that hand values to users: exact floats become numbers, big integers `bigint`s. */
export const plainCodec = codec(false);
/** For receivers that copy values (the server storing a request): exact floats stay `ExactNumber`s. */
export const exactCodec = codec(true);

/**
 * A msgpack encoder for exact numbers: `bigint` and `ExactNumber` as {@link EXACT_EXT}, and -0
 * as a float64 (the library writes it as the integer 0, and Python's `-0.0` would arrive as `0`).
 */
export function exactEncoder(): Encoder {
  const packer = new Encoder({ ignoreUndefined: true, extensionCodec: exactCodec });
  // encodeNumber is private in the library's types; checked here so a version without it only loses -0's sign.
  const p = packer as unknown as { encodeNumber?: (n: number) => void; encodeNumberAsFloat?: (n: number) => void };
  const base = p.encodeNumber;
  const asFloat = p.encodeNumberAsFloat;
  if (typeof base === "function" && typeof asFloat === "function") {
    p.encodeNumber = function (this: unknown, n: number): void {
      if (n === 0 && 1 / n < 0) asFloat.call(this, n);
      else base.call(this, n);
    };
  }
  return packer;
}

/**
 * JSON text of a value with exact numbers: `bigint` digits, `ExactNumber` text, non-finite
 * numbers as `null` (JSON has no NaN); `undefined` object keys skipped, as `JSON.stringify` does.
 */
export function exactJson(v: unknown): string {
  switch (typeof v) {
    case "number":
      return v - v === 0 ? decimalString(v) : "null";
    case "bigint":
      return v.toString();
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (v === null) return "null";
      if (v instanceof ExactNumber) return v.text;
      if (Array.isArray(v)) return "[" + v.map((x) => (x === undefined || typeof x === "function" ? "null" : exactJson(x))).join(",") + "]";
      if (ArrayBuffer.isView(v) || typeof (v as { toJSON?: unknown }).toJSON === "function") return JSON.stringify(v);
      let out = "";
      for (const k in v as Record<string, unknown>) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || typeof x === "function") continue;
        out += (out === "" ? "" : ",") + JSON.stringify(k) + ":" + exactJson(x);
      }
      return "{" + out + "}";
    }
    default:
      return "null";
  }
}
