/**
 * The team store's S3 client against a real S3 protocol server (s3rver on loopback): every
 * operation, pagination, streamed multipart uploads (completed and aborted), and the typed errors
 * for a missing bucket, a missing key, an unknown access key and an unreachable service.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { AuthenticationError, ConfigurationError, NetworkError, NotFoundError, StorageError, ValidationError } from "../../../src/errors.ts";
import { S3Client } from "../../../src/server/stores/team/s3.ts";
import { s3ConfigFromEnv } from "../../../src/server/stores/team/s3-config.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { bytesOf, clientFor, recordingFetch, SECRET, sha256, streamOf, TOKEN } from "./s3-helpers.ts";
import { freePort, silentServer } from "../../support/ports.ts";

const MiB = 1024 * 1024;
let s3: TestS3;
// Generous bounds for a loaded machine; nothing here waits for time to pass.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ["team", "pages"] });
});
afterAll(async () => {
  await s3?.stop();
});

/** Everything an error shows a log: message, stack, causes, own properties. */
function everything(err: unknown): string {
  return `${inspect(err, { depth: 10, showHidden: true })}\n${JSON.stringify(err, Object.getOwnPropertyNames(err ?? {}))}`;
}

function expectNoSecret(err: unknown): void {
  const text = everything(err);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain("S3RVER"); // the access key id
  expect(text).not.toMatch(/Signature=|Authorization|AWS4-HMAC-SHA256 Credential/i);
}

describe("objects", () => {
  test("put, get, head and delete round-trip bytes, type and metadata under the prefix", async () => {
    const c = clientFor(s3, "s3://team/runs/alice");
    const body = bytesOf(100_000, 7);
    const put = await c.put("exp-1/model.bin", body, { contentType: "application/x-test", metadata: { experiment: "exp-1" } });
    expect(put).toMatchObject({ key: "exp-1/model.bin", size: 100_000, sha256: sha256(body) });
    expect(put.etag).toMatch(/^[0-9a-f]{32}$/);

    expect(await c.getBytes("exp-1/model.bin")).toEqual(body);
    const got = await c.get("exp-1/model.bin");
    expect(got).toMatchObject({ size: 100_000, contentType: "application/x-test", etag: put.etag });
    expect(new Uint8Array(await new Response(got.body).arrayBuffer())).toEqual(body);

    const info = await c.head("exp-1/model.bin");
    expect(info).toMatchObject({ key: "exp-1/model.bin", size: 100_000, etag: put.etag, contentType: "application/x-test", metadata: { experiment: "exp-1" } });
    expect(info?.lastModified).toBeInstanceOf(Date);

    // The prefix is part of the object's key in the bucket.
    const bare = clientFor(s3, "s3://team");
    expect(await bare.head("runs/alice/exp-1/model.bin")).toMatchObject({ size: 100_000 });

    await c.delete("exp-1/model.bin");
    expect(await c.head("exp-1/model.bin")).toBeUndefined();
    await c.delete("exp-1/model.bin"); // deleting what is not there is not an error (as in S3)
  });

  test("strings are stored as UTF-8 and keys with spaces, unicode and URL characters round-trip", async () => {
    const c = clientFor(s3, "s3://team/keys");
    const keys = ["a b/c+d.txt", "ünï/cødé ✓.json", "q?x=1&y=2#frag", "pct%20not-decoded", "paren(1)!'*.txt"];
    for (const k of keys) await c.put(k, `value of ${k}`);
    for (const k of keys) expect(new TextDecoder().decode(await c.getBytes(k))).toBe(`value of ${k}`);
    const listed: string[] = [];
    for await (const o of c.list()) listed.push(o.key);
    expect(listed.sort()).toEqual([...keys].sort());
  });

  test("ranged reads: a middle slice, an open end, an end past the object, and a start past it", async () => {
    const c = clientFor(s3, "s3://team/ranges");
    const body = bytesOf(10_000, 3);
    await c.put("r.bin", body);
    expect(await c.getRange("r.bin", 100, 50)).toEqual(body.slice(100, 150));
    expect(await c.getRange("r.bin", 9_990)).toEqual(body.slice(9_990));
    expect(await c.getRange("r.bin", 9_000, 5_000)).toEqual(body.slice(9_000));
    expect(await c.getRange("r.bin", 0, 0)).toEqual(new Uint8Array(0));
    const past = await c.getRange("r.bin", 20_000, 10).catch((e: unknown) => e);
    expect(past).toBeInstanceOf(ValidationError);
    expect((past as ValidationError).field).toBe("range");
    await expect(c.getRange("r.bin", -1, 2)).rejects.toBeInstanceOf(ValidationError);
  });

  test("a missing key is a NotFoundError naming the object; head answers undefined", async () => {
    const c = clientFor(s3, "s3://team/missing");
    const err = await c.getBytes("nope/x.bin").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain("s3://team/missing/nope/x.bin");
    expectNoSecret(err);
    await expect(c.get("nope/x.bin")).rejects.toBeInstanceOf(NotFoundError);
    await expect(c.getRange("nope/x.bin", 0, 1)).rejects.toBeInstanceOf(NotFoundError);
    expect(await c.head("nope/x.bin")).toBeUndefined();
  });

  test("a missing bucket is a ConfigurationError that names it and says to create it", async () => {
    const c = clientFor(s3, "s3://no-such-bucket/x");
    for (const op of [() => c.put("a", "x"), () => c.getBytes("a"), () => c.listPage(), () => c.deleteMany(["a"])]) {
      const err = await op().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigurationError);
      expect(err).toMatchObject({ code: "S3_NO_SUCH_BUCKET" });
      expect((err as Error).message).toContain('bucket "no-such-bucket" does not exist');
      expect((err as Error).message).toContain("aws s3 mb s3://no-such-bucket");
      expectNoSecret(err);
    }
  });

  test("keys that a URL cannot carry are refused before any request", async () => {
    const { fetch, seen } = recordingFetch();
    const c = clientFor(s3, "s3://team", { fetch });
    for (const k of ["a/../b", "./x", ""]) await expect(c.put(k, "x")).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toEqual([]);
  });
});

describe("listing and deleting many", () => {
  test("ListObjectsV2 pages: every key once, in order, under the prefix only", async () => {
    const c = clientFor(s3, "s3://pages/p");
    const keys = Array.from({ length: 23 }, (_, i) => `k/${String(i).padStart(3, "0")}`);
    await Promise.all(keys.map((k) => c.put(k, k)));
    await clientFor(s3, "s3://pages/other").put("k/zzz", "outside the prefix");

    const { fetch, seen } = recordingFetch();
    const paged = clientFor(s3, "s3://pages/p", { fetch });
    const listed: string[] = [];
    for await (const o of paged.list("k/", { pageSize: 5 })) {
      listed.push(o.key);
      expect(o.size).toBe(o.key.length);
    }
    expect(listed).toEqual(keys);
    expect(seen.filter((r) => r.url.searchParams.get("list-type") === "2")).toHaveLength(5);

    const first = await paged.listPage("k/", { pageSize: 10 });
    expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 10));
    expect(first.continuationToken).toBeTruthy();
    const second = await paged.listPage("k/", { pageSize: 10, continuationToken: first.continuationToken });
    expect(second.objects.map((o) => o.key)).toEqual(keys.slice(10, 20));
    const after = await paged.listPage("k/", { startAfter: "k/019" });
    expect(after.objects.map((o) => o.key)).toEqual(keys.slice(20));
    expect(after.continuationToken).toBeUndefined();
    expect((await paged.listPage("none/")).objects).toEqual([]);
  });

  test("deleteMany removes the keys, 1000 per request, and ignores keys that are not there", async () => {
    const c = clientFor(s3, "s3://pages/del");
    await Promise.all(["a", "b", "c", "keep"].map((k) => c.put(k, k)));
    const { fetch, seen } = recordingFetch();
    const counting = clientFor(s3, "s3://pages/del", { fetch });
    const ghosts = Array.from({ length: 1001 }, (_, i) => `ghost-${i}`);
    await counting.deleteMany(["a", ...ghosts, "b", "c"]);
    const posts = seen.filter((r) => r.method === "POST" && r.url.searchParams.has("delete"));
    expect(posts).toHaveLength(2);
    expect(posts[0]?.headers.get("content-md5")).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const left: string[] = [];
    for await (const o of c.list()) left.push(o.key);
    expect(left).toEqual(["keep"]);
    await counting.deleteMany([]);
  });
});

describe("streamed uploads", () => {
  test("a stream that fits in one part is one PUT", async () => {
    const { fetch, seen } = recordingFetch();
    const c = clientFor(s3, "s3://team/stream", { fetch });
    const data = bytesOf(300_000, 11);
    const put = await c.putStream("small.bin", streamOf(data, [65_536]), { contentType: "application/octet-stream" });
    expect(put).toMatchObject({ size: 300_000, sha256: sha256(data) });
    expect(seen.map((r) => `${r.method} ${[...r.url.searchParams.keys()].join(",")}`)).toEqual(["PUT "]);
    expect(await c.getBytes("small.bin")).toEqual(data);
  });

  test("a 13 MiB stream in uneven chunks goes up as three 5 MiB-class parts with its SHA-256", async () => {
    const { fetch, seen } = recordingFetch();
    const c = clientFor(s3, "s3://team/stream", { fetch });
    const data = bytesOf(13 * MiB + 12_345, 5);
    const put = await c.putStream("big.bin", streamOf(data, [1_000_003, 77_777, 2 * MiB + 1, 512]), { partSize: 5 * MiB, concurrency: 2 });
    expect(put).toMatchObject({ key: "big.bin", size: data.length, sha256: sha256(data) });
    const parts = seen.filter((r) => r.method === "PUT" && r.url.searchParams.has("partNumber"));
    expect(parts.map((r) => r.url.searchParams.get("partNumber")).sort()).toEqual(["1", "2", "3"]);
    // Each part's own hash is signed, not UNSIGNED-PAYLOAD.
    for (const p of parts) expect(p.headers.get("x-amz-content-sha256")).toMatch(/^[0-9a-f]{64}$/);
    expect(seen.filter((r) => r.method === "POST").map((r) => [...r.url.searchParams.keys()][0])).toEqual(["uploads", "uploadId"]);
    const back = await c.getBytes("big.bin");
    expect(back.length).toBe(data.length);
    expect(sha256(back)).toBe(sha256(data));
    expect(await c.getRange("big.bin", 5 * MiB - 10, 20)).toEqual(data.slice(5 * MiB - 10, 5 * MiB + 10));
  });

  test("a stream of exactly two parts, given as one large chunk, is split at the part size", async () => {
    const c = clientFor(s3, "s3://team/stream");
    const data = bytesOf(10 * MiB, 9);
    const put = await c.putStream("two.bin", streamOf(data, [10 * MiB]), { partSize: 5 * MiB });
    expect(put.sha256).toBe(sha256(data));
    expect(sha256(await c.getBytes("two.bin"))).toBe(sha256(data));
  });

  test("when the source breaks mid-upload, the upload is aborted and no object appears", async () => {
    const { fetch, seen } = recordingFetch();
    const c = clientFor(s3, "s3://team/stream", { fetch });
    const data = bytesOf(12 * MiB, 13);
    const err = await c.putStream("broken.bin", streamOf(data, [MiB], 11 * MiB), { partSize: 5 * MiB }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toContain("the source broke after");
    expect((err as Error).message).toContain("s3://team/stream/broken.bin");
    // The abort was sent. s3rver has no AbortMultipartUpload (405), so the error says the parts stay.
    const abort = seen.find((r) => r.method === "DELETE" && r.url.searchParams.has("uploadId"));
    expect(abort).toBeDefined();
    expect(err).toMatchObject({ code: "S3_ABORT_FAILED" });
    expect((err as Error).message).toContain("AbortIncompleteMultipartUpload");
    expect(await c.head("broken.bin")).toBeUndefined();
    expectNoSecret(err);
  });

  test("a part the service refuses fails the upload, which is aborted (and the abort is the last request)", async () => {
    const { fetch, seen } = recordingFetch((req) =>
      req.method === "PUT" && req.url.searchParams.get("partNumber") === "2"
        ? new Response('<?xml version="1.0"?><Error><Code>InternalError</Code><Message>disk on fire</Message></Error>', { status: 500 })
        : undefined,
    );
    const c = clientFor(s3, "s3://team/stream", { fetch, retries: 1 });
    const data = bytesOf(11 * MiB, 17);
    const err = await c.putStream("refused.bin", streamOf(data, [MiB]), { partSize: 5 * MiB, concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toContain("disk on fire");
    // part 2 was tried twice (one retry), then the upload was abandoned: no completion.
    expect(seen.filter((r) => r.url.searchParams.get("partNumber") === "2")).toHaveLength(2);
    expect(seen.some((r) => r.method === "POST" && r.url.searchParams.has("uploadId"))).toBe(false);
    expect(seen.at(-1)).toMatchObject({ method: "DELETE" });
    expect(seen.at(-1)?.url.searchParams.has("uploadId")).toBe(true);
    expect(await c.head("refused.bin")).toBeUndefined();
  });

  test("an aborted signal stops the upload with the signal's reason", async () => {
    const controller = new AbortController();
    const c = clientFor(s3, "s3://team/stream");
    const data = bytesOf(12 * MiB, 19);
    let sent = 0;
    const source = streamOf(data, [MiB]).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          sent += chunk.length;
          if (sent > 6 * MiB) controller.abort(new DOMException("stopped by the test", "AbortError"));
          ctl.enqueue(chunk);
        },
      }),
    );
    const err = await c.putStream("stopped.bin", source, { partSize: 5 * MiB, signal: controller.signal }).catch((e: unknown) => e);
    // On S3 the abort succeeds and the signal's reason is thrown as is; s3rver cannot abort an
    // upload, so the error says the parts stay, with the reason as its cause.
    expect(err).toMatchObject({ code: "S3_ABORT_FAILED" });
    expect(((err as Error).cause as Error).name).toBe("AbortError");
    expect(await c.head("stopped.bin")).toBeUndefined();
  });

  test("part sizes under 5 MiB are refused", async () => {
    const c = clientFor(s3, "s3://team/stream");
    await expect(c.putStream("x", streamOf(bytesOf(10), [10]), { partSize: MiB })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("errors without secrets", () => {
  test("an access key the service does not know is an AuthenticationError that says which variable to check", async () => {
    const c = clientFor(s3, "s3://team/x", {}, { AWS_ACCESS_KEY_ID: "AKIAUNKNOWNKEY123" });
    const err = await c.getBytes("a").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: "S3_INVALID_ACCESS_KEY" });
    expect((err as Error).message).toContain("AWS_ACCESS_KEY_ID");
    expect(everything(err)).not.toContain("AKIAUNKNOWNKEY123");
    expectNoSecret(err);
  });

  test("a closed port is a NetworkError naming the endpoint and the key", async () => {
    const port = await freePort();
    const c = new S3Client(
      s3ConfigFromEnv("s3://team/x", { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: "AKIA-ID", AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN }),
      { retries: 0 },
    );
    const err = await c.put("a.bin", "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: "S3_UNREACHABLE" });
    expect((err as Error).message).toContain(`http://127.0.0.1:${port}`);
    expect((err as Error).message).toContain("s3://team/x/a.bin");
    expect((err as Error).message).toContain("ECONNREFUSED");
    expectNoSecret(err);
  });

  test("a service that accepts the connection but never answers is a timeout NetworkError", async () => {
    const silent = await silentServer();
    try {
      const c = new S3Client(
        s3ConfigFromEnv("s3://team", { AWS_ENDPOINT_URL: `http://127.0.0.1:${silent.port}`, AWS_ACCESS_KEY_ID: "AKIA-ID", AWS_SECRET_ACCESS_KEY: SECRET }),
        { retries: 0, timeoutMs: 300 },
      );
      const err = await c.head("a").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect(err).toMatchObject({ code: "S3_TIMEOUT" });
      expectNoSecret(err);
    } finally {
      await silent.close();
    }
  });

  test("a service error answer is retried, then reported as unavailable", async () => {
    const { fetch, seen } = recordingFetch(() => new Response("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", { status: 503 }));
    const c = clientFor(s3, "s3://team", { fetch, retries: 2 });
    const err = await c.getBytes("a").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: "S3_UNAVAILABLE" });
    expect(seen).toHaveLength(3);
  });
});

