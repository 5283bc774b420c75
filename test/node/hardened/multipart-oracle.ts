/**
 * busboy as the oracle of our streaming multipart reader (`src/server/multipart.ts`), for the
 * fuzz test: multipart bodies from fast-check, read by both in the same chunks, must give the
 * same parts (names, file names, bytes), or both refuse them.
 */
import busboy from "busboy";
import fc from "fast-check";
import { concatBytes } from "../../../src/internal/bytes.ts";
import { boundaryOf, MultipartError, MultipartReader } from "../../../src/server/multipart.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One part: a field (no file name) or a file. */
export interface Part {
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly bytes: Uint8Array;
}

/** A parsed body: its parts with their bytes, or the error that refused it. */
export type Parsed = { ok: true; parts: { name: string; filename: string | null; bytes: number[] }[] } | { ok: false; error: string };

const BCHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?";
/** Names and file names: printable, with the separators a header has, but no quotes, backslashes or `%` (whose escapes differ by client). */
const paramText = fc.string({ unit: fc.constantFrom(..."abcXYZ019 ;=,.-_/:éü☃"), minLength: 1, maxLength: 12 });

/** A well-formed multipart body, its boundary, and the chunks it arrives in. */
export const multipartCase = fc
  .record({
    boundary: fc.string({ unit: fc.constantFrom(...BCHARS), minLength: 1, maxLength: 70 }),
    parts: fc.array(
      fc.record({
        name: paramText,
        filename: fc.option(paramText, { nil: undefined }),
        contentType: fc.option(fc.constantFrom("application/octet-stream", "text/plain", "image/png"), { nil: undefined }),
        content: fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom("\r\n", "--", "\r\n-", "\r\n--", "\r", "\n").map((s) => enc.encode(s)), fc.nat(70).map((k) => k)), { maxLength: 6 }),
        headerCase: fc.constantFrom("Content-Disposition", "content-disposition", "CONTENT-DISPOSITION"),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    preamble: fc.constantFrom("", "preamble text"),
    epilogue: fc.constantFrom("", "\r\n", "epilogue"),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  })
  .map(({ boundary, parts, preamble, epilogue, cuts }) => {
    const delimiter = enc.encode(`\r\n--${boundary}`);
    const built: Part[] = parts.map((p) => {
      // A number stands for the first k characters of the delimiter (the near-misses a reader must not end at).
      const pieces = p.content.map((c) => (typeof c === "number" ? delimiter.subarray(0, Math.min(c, delimiter.length - 1)) : c));
      let bytes = concatBytes(pieces);
      while (indexOf(bytes, delimiter) >= 0) bytes = bytes.subarray(0, indexOf(bytes, delimiter));
      return { name: p.name, filename: p.filename, contentType: p.contentType, bytes, headerCase: p.headerCase } as Part & { headerCase: string };
    });
    const out: Uint8Array[] = [enc.encode(preamble === "" ? "" : `${preamble}\r\n`)];
    for (const p of built as (Part & { headerCase: string })[]) {
      let head = `--${boundary}\r\n${p.headerCase}: form-data; name="${p.name}"`;
      if (p.filename !== undefined) head += `; filename="${p.filename}"`;
      head += "\r\n";
      if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
      out.push(enc.encode(`${head}\r\n`), p.bytes, enc.encode("\r\n"));
    }
    out.push(enc.encode(`--${boundary}--${epilogue}`));
    const body = concatBytes(out);
    return { boundary, parts: built, body, chunks: split(body, cuts), closing: `\r\n--${boundary}--`.length + epilogue.length };
  });

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** `body` cut at the given offsets (modulo its length). */
export function split(body: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => (body.length === 0 ? 0 : c % body.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, body.length]) {
    out.push(body.slice(prev, c));
    prev = c;
  }
  return out;
}

/** The content type that names `boundary` (quoted: busboy and RFC 2046 need it for `:=?()`). */
export function contentType(boundary: string): string {
  return `multipart/form-data; boundary="${boundary}"`;
}

/** Our reader over the chunks. A non-MultipartError is a bug and is rethrown. */
export async function ours(chunks: readonly Uint8Array[], boundary: string): Promise<Parsed> {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
  const named = boundaryOf(contentType(boundary)); // read from the Content-Type, as the server does
  if (named !== boundary) return { ok: false, error: `boundaryOf read ${JSON.stringify(named)}` };
  const reader = new MultipartReader(stream, named);
  const parts: { name: string; filename: string | null; bytes: number[] }[] = [];
  try {
    for (let p = await reader.next(); p; p = await reader.next()) {
      const bytes = new Uint8Array(await new Response(p.body).arrayBuffer());
      // A field is text: compared as busboy hands it out (decoded as UTF-8, then encoded back).
      // busboy hands a part out as a file when it has a file name or is application/octet-stream.
      const file = p.filename !== undefined || p.contentType?.toLowerCase() === "application/octet-stream";
      parts.push({ name: p.name, filename: p.filename ?? null, bytes: Array.from(file ? bytes : enc.encode(dec.decode(bytes))) });
    }
  } catch (err) {
    if (err instanceof MultipartError) return { ok: false, error: err.message };
    throw err;
  }
  return { ok: true, parts };
}

/** busboy over the same chunks. */
export function oracle(chunks: readonly Uint8Array[], boundary: string): Promise<Parsed> {
  return new Promise((resolve) => {
    const parts: { name: string; filename: string | null; bytes: number[] }[] = [];
    const pending: Promise<void>[] = [];
    let settled = false;
    const finish = (r: Parsed) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    let bb: ReturnType<typeof busboy>;
    try {
      bb = busboy({ headers: { "content-type": contentType(boundary) }, defParamCharset: "utf8", preservePath: true, limits: { parts: 64 } });
    } catch (err) {
      finish({ ok: false, error: String(err) });
      return;
    }
    bb.on("field", (name, val) => {
      parts.push({ name, filename: null, bytes: Array.from(enc.encode(val)) });
    });
    bb.on("file", (name, stream, info) => {
      const slot = { name, filename: info.filename ?? null, bytes: [] as number[] };
      parts.push(slot);
      pending.push(
        new Promise((res) => {
          stream.on("data", (d: Buffer) => slot.bytes.push(...d));
          stream.on("end", () => res());
          stream.on("error", () => res());
        }),
      );
    });
    bb.on("error", (err) => finish({ ok: false, error: String(err) }));
    bb.on("close", () => void Promise.all(pending).then(() => finish({ ok: true, parts })));
    for (const c of chunks) bb.write(Buffer.from(c));
    bb.end();
  });
}
