/**
 * A throwaway S3-compatible server for tests: s3rver (a filesystem-backed implementation of the S3
 * REST protocol), on 127.0.0.1 at a free port, over a fresh temporary folder.
 *
 * It runs in a child process started with `--openssl-legacy-provider`: s3rver encrypts its
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node ≥ 17) only offers through the
 * legacy provider, so any truncated listing answers 500 in a plain Node process. A process of its
 * own also keeps its file I/O off the tests' event loop.
 *
 * What s3rver does not do (so tests must not rely on it): it never checks a SigV4 signature (only
 * that the access key id is one it knows, `S3RVER`), it has no AbortMultipartUpload
 * (DELETE …?uploadId answers 405 MethodNotAllowed), and it cannot store a key with an empty
 * segment (`a//b`). Signing is tested against AWS's published vectors instead (test/fixtures/sigv4).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The only access key id s3rver accepts (its secret is not checked). */
export const S3RVER_ACCESS_KEY_ID = "S3RVER";
/** s3rver's secret for that key. */
export const S3RVER_SECRET_ACCESS_KEY = "S3RVER";

/** A running test server. */
export interface TestS3 {
  /** `http://127.0.0.1:<port>`, the endpoint to give a client (path-style addressing). */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Where s3rver keeps the buckets. */
  readonly dir: string;
  /** Creates a bucket (no error when it exists). */
  createBucket(name: string): Promise<void>;
  /** Stops the server and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts s3rver with the given buckets. */
export async function startS3rver(options: { buckets?: string[] } = {}): Promise<TestS3> {
  const dir = mkdtempSync(join(tmpdir(), "mldash-s3-"));
  const child: ChildProcess = spawn(process.execPath, ["--openssl-legacy-provider", join(import.meta.dirname, "s3rver-child.cjs"), dir], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch (e) {
        reject(e);
      }
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const createBucket = async (name: string): Promise<void> => {
    // CreateBucket without credentials: s3rver only checks requests that carry an Authorization header.
    const res = await fetch(`${endpoint}/${name}`, { method: "PUT" });
    await res.body?.cancel();
    if (!res.ok && res.status !== 409) throw new Error(`s3rver could not create bucket ${name}: ${res.status}`);
  };
  for (const b of options.buckets ?? []) await createBucket(b);
  let stopped = false;
  const kill = (): void => {
    child.kill("SIGTERM");
  };
  process.once("exit", kill);
  return {
    endpoint,
    accessKeyId: S3RVER_ACCESS_KEY_ID,
    secretAccessKey: S3RVER_SECRET_ACCESS_KEY,
    dir,
    createBucket,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", kill);
      child.stdin?.end();
      kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
