/**
 * SigV4 against AWS's published vectors — the only check of signing, since s3rver accepts any
 * signature. Two sets (test/fixtures/sigv4/README.md):
 * - AWS's generic v4 suite (from awslabs/aws-c-auth): canonical request, string to sign,
 *   signature and Authorization header, through the signer the S3 client uses;
 * - the S3 API Reference's worked examples, through the S3 client itself (its URL building,
 *   headers and payload hashing), with a fetch that captures what would be sent.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { S3Client } from "../../../src/server/stores/team/s3.ts";
import { s3ConfigFromEnv } from "../../../src/server/stores/team/s3-config.ts";
import { createSigner, EMPTY_SHA256, signRequest } from "../../../src/server/stores/team/s3-sign.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/sigv4");
const SUITE = join(FIXTURES, "aws-c-auth/v4");

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

/** request.txt: the request line, header lines ("Name:value"), a blank line, the body. */
function parseRequest(text: string): { method: string; path: string; host: string; headers: [string, string][]; body: string } {
  const blank = text.indexOf("\n\n");
  const head = blank === -1 ? text : text.slice(0, blank);
  const body = blank === -1 ? "" : text.slice(blank + 2);
  const [requestLine = "", ...lines] = head.split("\n");
  const parts = requestLine.split(" ");
  const method = parts[0] as string;
  const path = parts.slice(1, -1).join(" ");
  let host = "";
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line === "") continue;
    const i = line.indexOf(":");
    const name = line.slice(0, i);
    const value = line.slice(i + 1);
    if (name.toLowerCase() === "host") host = value;
    else headers.push([name, value]);
  }
  return { method, path, host, headers, body };
}

const vectors = readdirSync(SUITE).sort();

describe("AWS SigV4 test suite (aws-c-auth)", () => {
  test("the suite is there", () => {
    expect(vectors.length).toBe(28);
  });

  test.each(vectors)("%s", async (name) => {
    const read = (f: string): string => readFileSync(join(SUITE, name, f), "utf8");
    const ctx = JSON.parse(read("context.json")) as Context;
    const req = parseRequest(read("request.txt"));
    const input = {
      method: req.method,
      url: `https://${req.host}${req.path}`,
      headers: req.headers,
      payloadSha256: ctx.sign_body ? createHash("sha256").update(req.body).digest("hex") : EMPTY_SHA256,
    };
    const options = {
      credentials: {
        accessKeyId: ctx.credentials.access_key_id,
        secretAccessKey: ctx.credentials.secret_access_key,
        sessionToken: ctx.omit_session_token ? undefined : ctx.credentials.token,
      },
      region: ctx.region,
      service: ctx.service,
      datetime: ctx.timestamp.replace(/[:-]/g, ""),
      // The suite adds x-amz-content-sha256 only when it signs the body.
      contentSha256Header: ctx.sign_body,
      // Its request paths are written unencoded: encode once, as S3 does.
      singleEncode: true,
    };
    const signer = createSigner(input, options);
    expect(await signer.canonicalString()).toBe(read("header-canonical-request.txt"));
    expect(await signer.stringToSign()).toBe(read("header-string-to-sign.txt"));
    expect(await signer.signature()).toBe(read("header-signature.txt").trim());
    const expectedAuth = /^Authorization:(.*)$/m.exec(read("header-signed-request.txt"))?.[1];
    const { headers } = await signRequest(input, options);
    expect(headers.get("authorization")).toBe(expectedAuth);
    expect(headers.get("x-amz-date")).toBe(options.datetime);
  });
});

interface S3Example {
  name: string;
  method: "GET" | "PUT";
  key?: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  payloadSha256?: string;
  canonicalRequest?: string;
  stringToSign?: string;
  signedHeaders: string;
  signature: string;
}

const s3 = JSON.parse(readFileSync(join(FIXTURES, "s3-examples.json"), "utf8")) as {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  datetime: string;
  bucket: string;
  host: string;
  examples: S3Example[];
};

describe("S3 API Reference signing examples, through the S3 client", () => {
  /** A client on examplebucket (virtual-hosted, as the examples) whose fetch captures the request. */
  function capturingClient(): { client: S3Client; sent: { url: URL; headers: Headers }[] } {
    const sent: { url: URL; headers: Headers }[] = [];
    const config = s3ConfigFromEnv(
      `s3://${s3.bucket}`,
      { AWS_REGION: s3.region },
      { endpoint: "https://s3.amazonaws.com", addressing: "virtual", credentials: s3.credentials },
    );
    const client = new S3Client(config, {
      now: () => new Date("2013-05-24T00:00:00Z"),
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        sent.push({ url: new URL(input.toString()), headers: new Headers(init?.headers) });
        return new Response("0123456789", { status: 200 });
      }) as typeof fetch,
    });
    return { client, sent };
  }

  function authorizationParts(auth: string | null): Record<string, string> {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth ?? "");
    expect(m, `Authorization header: ${auth}`).not.toBeNull();
    return { credential: m![1] as string, signedHeaders: m![2] as string, signature: m![3] as string };
  }

  test.each(s3.examples.map((e) => [e.name, e] as const))("%s", async (_name, example) => {
    const { client, sent } = capturingClient();
    if (example.name.startsWith("GET Object")) {
      // The public ranged read: it must produce exactly the documented request.
      await client.getRange(example.key as string, 0, 10);
    } else {
      await client.send({
        operation: example.name,
        method: example.method,
        ...(example.key === undefined ? {} : { key: example.key }),
        query: example.query,
        headers: example.headers,
        ...(example.body ? { body: new TextEncoder().encode(example.body) } : {}),
      });
    }
    expect(sent).toHaveLength(1);
    const { url, headers } = sent[0]!;
    expect(url.host).toBe(s3.host);
    expect(headers.get("x-amz-date")).toBe(s3.datetime);
    expect(headers.get("x-amz-content-sha256")).toBe(example.payloadSha256 ?? EMPTY_SHA256);
    const auth = authorizationParts(headers.get("authorization"));
    expect(auth).toEqual({ credential: `${s3.credentials.accessKeyId}/20130524/us-east-1/s3/aws4_request`, signedHeaders: example.signedHeaders, signature: example.signature });
  });

  test("the GET Object example's canonical request and string to sign, step by step", async () => {
    const example = s3.examples[0]!;
    const signer = createSigner(
      { method: "GET", url: `https://${s3.host}/test.txt`, headers: example.headers },
      { credentials: s3.credentials, region: s3.region, datetime: s3.datetime },
    );
    expect(await signer.canonicalString()).toBe(example.canonicalRequest);
    expect(await signer.stringToSign()).toBe(example.stringToSign);
    expect(await signer.signature()).toBe(example.signature);
  });

  test("a session token is sent and signed as x-amz-security-token", async () => {
    const { url, headers } = await signRequest(
      { method: "GET", url: "https://b.s3.us-east-1.amazonaws.com/k" },
      { credentials: { accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "tok/en+=" }, region: "us-east-1", datetime: "20240101T000000Z" },
    );
    expect(url.toString()).toBe("https://b.s3.us-east-1.amazonaws.com/k");
    expect(headers.get("x-amz-security-token")).toBe("tok/en+=");
    expect(authorizationParts(headers.get("authorization")).signedHeaders).toBe("host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  });
});
