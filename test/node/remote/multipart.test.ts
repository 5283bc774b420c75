/**
 * The server's streaming multipart reader against bodies built as httpx builds them, cut into
 * chunks at random places (a boundary split across chunks, content full of CR, LF, dashes and
 * near-boundaries), and against malformed bodies.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { boundaryOf, MultipartError, MultipartReader } from "../../../src/server/multipart.ts";
import { httpxMultipart } from "../../support/multipart.ts";

/** Property tests (fast-check, hundreds to thousands of cases): CPU-bound, several seconds on a loaded machine. */
const CPU_TIMEOUT_MS = 30_000;

const enc = new TextEncoder();

function chunked(body: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(body.slice(from, p));
    from = p;
  }
  pieces.push(body.slice(from));
  return new ReadableStream({ pull: (c) => (pieces.length > 0 ? c.enqueue(pieces.shift() as Uint8Array) : c.close()) });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Every part as [name, filename, content], reading file contents as streams and fields as text. */
async function parts(body: ReadableStream<Uint8Array>, boundary: string): Promise<[string, string | undefined, Uint8Array][]> {
  const r = new MultipartReader(body, boundary);
  const out: [string, string | undefined, Uint8Array][] = [];
  for (let p = await r.next(); p; p = await r.next()) out.push([p.name, p.filename, p.filename ? await readAll(p.body) : enc.encode(await p.text(1 << 20))]);
  return out;
}

describe("MultipartReader", () => {
  test("any chunking of any content gives back the parts exactly", async () => {
    const tricky = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom("\r\n", "\r\n--", "--", "\r\n--b0und", "\r", "\n\r\n\r\n").map((s) => enc.encode(s)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(tricky, { maxLength: 8 }).map((xs) => {
          const n = xs.reduce((a, x) => a + x.length, 0);
          const out = new Uint8Array(n);
          let o = 0;
          for (const x of xs) {
            out.set(x, o);
            o += x.length;
          }
          return out;
        }),
        fc.string({ maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (content, desc, cuts) => {
          const { body, headers } = httpxMultipart([["type", "FILE"], ["description", desc]], { name: 'we"ird\\name.bin', bytes: content, type: "application/octet-stream" }, "b0undary1234");
          const boundary = boundaryOf(headers["content-type"] as string) as string;
          const got = await parts(chunked(body, cuts), boundary);
          expect(got.map(([n, f]) => [n, f])).toEqual([
            ["type", undefined],
            ["description", undefined],
            ["file", 'we"ird\\name.bin'],
          ]);
          expect(new TextDecoder().decode(got[1]?.[2])).toBe(desc);
          expect(got[2]?.[2]).toEqual(content);
        },
      ),
      { numRuns: 300 },
    );
  }, CPU_TIMEOUT_MS);

  test("a part not read is skipped; one-byte chunks work; the preamble and epilogue are ignored", async () => {
    const { body } = httpxMultipart([["a", "1"], ["b", "2"]], { name: "f.bin", bytes: enc.encode("x".repeat(5000)), type: "text/plain" }, "BB");
    const framed = new Uint8Array([...enc.encode("preamble\r\n"), ...body, ...enc.encode("epilogue")]);
    const r = new MultipartReader(chunked(framed, Array.from({ length: framed.length }, (_, i) => i)), "BB");
    expect((await r.next())?.name).toBe("a"); // not read
    const b = await r.next();
    expect(await b?.text(10)).toBe("2");
    const f = await r.next();
    expect(f?.contentType).toBe("text/plain");
    expect((await readAll(f?.body as ReadableStream<Uint8Array>)).length).toBe(5000);
    expect(await r.next()).toBeUndefined();
  });

  test("malformed bodies are MultipartErrors; a field over its limit is a 413", async () => {
    const bad = async (text: string, boundary = "BB"): Promise<unknown> => parts(chunked(enc.encode(text), [3, 9]), boundary).catch((e: unknown) => e);
    expect(await bad("no boundary at all")).toBeInstanceOf(MultipartError);
    expect(await bad('--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue without end')).toBeInstanceOf(MultipartError);
    expect(await bad("--BB\r\nContent-Type: text/plain\r\n\r\nx\r\n--BB--\r\n")).toBeInstanceOf(MultipartError); // no Content-Disposition
    expect(await bad('--BB\r\nContent-Disposition: form-data; filename="x"\r\n\r\nx\r\n--BB--\r\n')).toBeInstanceOf(MultipartError); // no name
    const r = new MultipartReader(chunked(enc.encode(`--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\n${"y".repeat(100)}\r\n--BB--\r\n`), []), "BB");
    const err = await (await r.next())?.text(10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultipartError);
    expect((err as MultipartError).status).toBe(413);
    expect(boundaryOf("multipart/form-data")).toBeUndefined();
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe("a b");
    expect(boundaryOf("application/json; boundary=x")).toBeUndefined();
  });
});
