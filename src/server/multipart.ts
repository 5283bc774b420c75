/**
 * A streaming `multipart/form-data` reader (RFC 7578) over a Web `ReadableStream`, so a file
 * part goes to storage as it arrives and a 100 GiB upload never sits in memory. `Request.formData()`
 * (and hono's `parseBody`) buffer every part whole, and the isomorphic parsers on npm buffer each
 * part too (up to a size limit), which is why this one exists.
 *
 * Parts are read in order: {@link MultipartReader.next} gives the next part, whose `body` must
 * be read (or is skipped) before the part after it.
 */
import { concatBytes } from "../internal/bytes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CR = 13;

/** One part of a multipart body. */
export interface MultipartPart {
  /** The form field name (`name="…"` of `Content-Disposition`). */
  readonly name: string;
  /** `filename="…"`, for file parts. */
  readonly filename: string | undefined;
  /** The part's `Content-Type`, if it has one. */
  readonly contentType: string | undefined;
  /** The part's bytes as they arrive; ends at the next boundary. */
  readonly body: ReadableStream<Uint8Array>;
  /** The part's content as UTF-8 text, refused past `maxBytes`. */
  text(maxBytes: number): Promise<string>;
}

/** A malformed or oversized multipart body (the server answers 400 / 413). */
export class MultipartError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The `boundary` parameter of a `multipart/form-data` content type, or undefined. */
export function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Position of `needle` in `hay` from `from`, or -1 (first byte found natively, the rest compared). */
function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number;
  const n = needle.length;
  const last = hay.length - n;
  for (let i = from; i <= last; i++) {
    i = hay.indexOf(first, i);
    if (i < 0 || i > last) return -1;
    let j = 1;
    while (j < n && hay[i + j] === needle[j]) j++;
    if (j === n) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.length === 0 ? b : concatBytes([a, b]);
}

/** Undoes the escapes browsers (`%22`, `%0D`, `%0A`) and httpx (`\\`, `%22`) put in quoted parameters. */
function unescapeParam(v: string): string {
  return v.replace(/%22|%0D|%0A|\\\\|\\"/gi, (m) => ({ "%22": '"', "%0d": "\r", "%0a": "\n", "\\\\": "\\", '\\"': '"' })[m.toLowerCase()] ?? m);
}

/** Parameters of a `Content-Disposition` value (`form-data; name="a"; filename="b"`). */
function dispositionParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = (m[1] as string).toLowerCase();
    let v = m[2] !== undefined ? unescapeParam(m[2]) : (m[3] ?? "").trim();
    if (key.endsWith("*")) {
      // RFC 5987: charset'lang'percent-encoded
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      try {
        v = ext ? decodeURIComponent(ext[2] as string) : v;
      } catch {
        continue;
      }
      out.set(key.slice(0, -1), v);
      continue;
    }
    if (!out.has(key)) out.set(key, v);
  }
  return out;
}

/** Limits of a {@link MultipartReader}. */
export interface MultipartLimits {
  /** Largest header block of one part. Default 16 KiB. */
  readonly maxHeaderBytes?: number;
  /** Most parts. Default 64. */
  readonly maxParts?: number;
}

/** Reads the parts of a multipart body one after the other. */
export class MultipartReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly delimiter: Uint8Array;
  /** Bytes read from the stream and not consumed yet. */
  private buf: Uint8Array;
  private eof = false;
  private started = false;
  private finished = false;
  private parts = 0;
  /** The part whose body is being read, until its closing boundary is found. */
  private open: { done: Promise<void>; skip(): Promise<void> } | undefined;

  constructor(
    body: ReadableStream<Uint8Array>,
    boundary: string,
    private readonly limits: MultipartLimits = {},
  ) {
    this.reader = body.getReader();
    this.delimiter = encoder.encode("\r\n--" + boundary);
    // The first boundary has no CRLF before it: pretend it has, so every boundary looks alike.
    this.buf = encoder.encode("\r\n");
  }

  /** The next part, or `undefined` after the closing boundary. Skips what is left of the previous part. */
  async next(): Promise<MultipartPart | undefined> {
    if (this.open) await this.open.skip();
    if (this.finished) return undefined;
    if (!this.started) {
      this.started = true;
      await this.skipTo(); // the preamble
      if (await this.afterBoundary()) return undefined;
    }
    if (++this.parts > (this.limits.maxParts ?? 64)) throw new MultipartError(`Too many parts in the multipart body (at most ${this.limits.maxParts ?? 64})`);
    const headers = await this.headers();
    const disposition = headers.get("content-disposition");
    if (!disposition || !/^\s*form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('A multipart part has no "Content-Disposition: form-data" header');
    const params = dispositionParams(disposition);
    const name = params.get("name");
    if (name === undefined) throw new MultipartError('A multipart part has no name (Content-Disposition: form-data; name="…")');
    const body = this.partBody();
    return {
      name,
      filename: params.get("filename"),
      contentType: headers.get("content-type"),
      body,
      text: (max) => readText(body, max, name),
    };
  }

  /** Stops reading the body (the rest is discarded). */
  async cancel(reason?: unknown): Promise<void> {
    this.finished = true;
    await this.reader.cancel(reason).catch(() => undefined);
  }

  /** Reads one more chunk into the buffer; false at the end of the stream. */
  private async more(): Promise<boolean> {
    if (this.eof) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.eof = true;
      return false;
    }
    this.buf = concat(this.buf, value);
    return true;
  }

  /** Discards everything up to and including the next delimiter. */
  private async skipTo(): Promise<void> {
    for (;;) {
      const i = indexOf(this.buf, this.delimiter, 0);
      if (i >= 0) {
        this.buf = this.buf.subarray(i + this.delimiter.length);
        return;
      }
      this.buf = this.buf.subarray(Math.max(0, this.buf.length - this.delimiter.length + 1));
      if (!(await this.more())) throw new MultipartError("The multipart body has no boundary (check the boundary parameter of the Content-Type)");
    }
  }

  /** After a delimiter: `--` closes the body (true), else the rest of the line is skipped. */
  private async afterBoundary(): Promise<boolean> {
    while (this.buf.length < 2) if (!(await this.more())) throw new MultipartError("The multipart body ends inside a boundary");
    if (this.buf[0] === 45 && this.buf[1] === 45) {
      this.finished = true;
      await this.reader.cancel().catch(() => undefined); // the epilogue is ignored
      return true;
    }
    for (;;) {
      const i = this.buf.indexOf(10);
      if (i >= 0) {
        this.buf = this.buf.subarray(i + 1);
        return false;
      }
      if (this.buf.length > 1024) throw new MultipartError("Malformed multipart boundary line");
      if (!(await this.more())) throw new MultipartError("The multipart body ends after a boundary");
    }
  }

  private async headers(): Promise<Map<string, string>> {
    const max = this.limits.maxHeaderBytes ?? 16 * 1024;
    const end = encoder.encode("\r\n\r\n");
    for (;;) {
      // A part without headers starts with the blank line itself.
      if (this.buf[0] === CR && this.buf[1] === 10) {
        this.buf = this.buf.subarray(2);
        return new Map();
      }
      const i = indexOf(this.buf, end, 0);
      if (i >= 0) {
        const text = decoder.decode(this.buf.subarray(0, i));
        this.buf = this.buf.subarray(i + 4);
        const out = new Map<string, string>();
        for (const line of text.split("\r\n")) {
          const c = line.indexOf(":");
          if (c > 0) out.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
        }
        return out;
      }
      if (this.buf.length > max) throw new MultipartError(`A multipart part's headers are over ${max} bytes`);
      if (!(await this.more())) throw new MultipartError("The multipart body ends inside a part's headers");
    }
  }

  /** The current part's content as a stream that ends at the next delimiter. */
  private partBody(): ReadableStream<Uint8Array> {
    let settle!: () => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      settle = res;
      fail = rej;
    });
    done.catch(() => undefined);
    let ended = false;
    const end = async (): Promise<void> => {
      ended = true;
      this.open = undefined;
      await this.afterBoundary();
    };
    /** Up to one chunk of content; `undefined` once the delimiter is reached. */
    const step = async (): Promise<Uint8Array | undefined> => {
      for (;;) {
        const i = indexOf(this.buf, this.delimiter, 0);
        if (i >= 0) {
          const chunk = this.buf.subarray(0, i);
          this.buf = this.buf.subarray(i + this.delimiter.length);
          if (chunk.length > 0) {
            // Hand this out first; the delimiter is found again (at 0) by the next step.
            this.buf = concat(this.delimiter, this.buf);
            return chunk;
          }
          await end();
          return undefined;
        }
        // Everything but a tail that could be the start of a delimiter is content.
        const safe = this.buf.length - this.delimiter.length + 1;
        if (safe > 0) {
          const chunk = this.buf.subarray(0, safe);
          this.buf = this.buf.slice(safe);
          return chunk;
        }
        if (!(await this.more())) throw new MultipartError("The multipart body ends inside a part (no closing boundary)");
      }
    };
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            const chunk = await step();
            if (chunk === undefined) {
              controller.close();
              settle();
            } else controller.enqueue(chunk);
          } catch (err) {
            controller.error(err);
            fail(err);
          }
        },
        cancel: async () => {
          // Skipped by the consumer: read on to the next part.
          if (!ended) await drain();
        },
      },
      { highWaterMark: 0 },
    );
    const drain = async (): Promise<void> => {
      try {
        while ((await step()) !== undefined);
        settle();
      } catch (err) {
        fail(err);
        throw err;
      }
    };
    this.open = {
      done,
      skip: async () => {
        if (ended) return;
        try {
          await stream.cancel();
        } catch {
          // locked: the consumer still reads it; wait for it to finish
        }
        await done;
      },
    };
    return stream;
  }
}

async function readText(body: ReadableStream<Uint8Array>, max: number, name: string): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new MultipartError(`The multipart field "${name}" is over ${max} bytes`, 413);
    }
    chunks.push(value);
  }
  reader.releaseLock();
  let all: Uint8Array = new Uint8Array(0);
  for (const c of chunks) all = concat(all, c);
  return decoder.decode(all);
}
