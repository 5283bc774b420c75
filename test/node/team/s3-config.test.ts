/**
 * The S3 location from `s3://bucket/prefix` and the AWS environment, read as the AWS CLI reads
 * it, and the request URLs that follow; plus the small XML reader for S3's answers.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ConfigurationError, ValidationError } from "../../../src/errors.ts";
import { objectUrl, parseS3Url, s3ConfigFromEnv } from "../../../src/server/stores/team/s3-config.ts";
import { xmlDecode, xmlElements, xmlEscape, xmlRoot, xmlText } from "../../../src/server/stores/team/s3-xml.ts";

const KEYS = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret-value-1234" };

describe("s3:// URLs", () => {
  test("bucket and prefix (always ending with one slash)", () => {
    expect(parseS3Url("s3://ml-dash")).toEqual({ bucket: "ml-dash", prefix: "" });
    expect(parseS3Url("s3://ml-dash/")).toEqual({ bucket: "ml-dash", prefix: "" });
    expect(parseS3Url("s3://ml-dash/team/a")).toEqual({ bucket: "ml-dash", prefix: "team/a/" });
    expect(parseS3Url("s3://ml-dash/team/a/")).toEqual({ bucket: "ml-dash", prefix: "team/a/" });
  });

  test("bad URLs and bucket names are ValidationErrors", () => {
    for (const bad of ["ml-dash", "http://x/y", "s3://", "s3://UPPER", "s3://a", "s3://b/x/../y", "s3://b/x//y", "s3://bad_name"]) {
      expect(() => parseS3Url(bad), bad).toThrow(ValidationError);
    }
  });
});

describe("the AWS environment", () => {
  test("no endpoint: AWS, virtual-hosted, region from AWS_REGION before AWS_DEFAULT_REGION", () => {
    const c = s3ConfigFromEnv("s3://ml-dash/team", { ...KEYS, AWS_REGION: "eu-west-3", AWS_DEFAULT_REGION: "us-west-2" });
    expect(c).toMatchObject({ bucket: "ml-dash", prefix: "team/", region: "eu-west-3", endpoint: undefined, addressing: "virtual" });
    expect(objectUrl(c, "team/a b/ü+x.bin").toString()).toBe("https://ml-dash.s3.eu-west-3.amazonaws.com/team/a%20b/%C3%BC%2Bx.bin");
    expect(s3ConfigFromEnv("s3://b-1", { ...KEYS, AWS_DEFAULT_REGION: "us-west-2" }).region).toBe("us-west-2");
    expect(s3ConfigFromEnv("s3://b-1", KEYS).region).toBe("us-east-1");
    expect(objectUrl(s3ConfigFromEnv("s3://b-1", { ...KEYS, AWS_REGION: "cn-north-1" }), "k").host).toBe("b-1.s3.cn-north-1.amazonaws.com.cn");
  });

  test("a bucket name with a dot uses path style on AWS (the certificate would not match)", () => {
    const c = s3ConfigFromEnv("s3://my.bucket", KEYS);
    expect(c.addressing).toBe("path");
    expect(objectUrl(c, "k").toString()).toBe("https://s3.us-east-1.amazonaws.com/my.bucket/k");
  });

  test("AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL, path style, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", () => {
    const env = { ...KEYS, AWS_ENDPOINT_URL: "http://general:9000", AWS_ENDPOINT_URL_S3: "http://minio.local:9000/" };
    const c = s3ConfigFromEnv("s3://runs", env);
    expect(c).toMatchObject({ endpoint: "http://minio.local:9000", addressing: "path" });
    expect(objectUrl(c, "a/b").toString()).toBe("http://minio.local:9000/runs/a/b");
    expect(objectUrl(c, "", { "list-type": "2" }).toString()).toBe("http://minio.local:9000/runs/?list-type=2");
    expect(s3ConfigFromEnv("s3://runs", { ...KEYS, AWS_ENDPOINT_URL: "http://general:9000" }).endpoint).toBe("http://general:9000");
    expect(s3ConfigFromEnv("s3://runs", { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }).endpoint).toBeUndefined();
    // An endpoint with a path (a gateway under a prefix) keeps it.
    expect(objectUrl(s3ConfigFromEnv("s3://runs", { ...KEYS, AWS_ENDPOINT_URL: "https://gw.example/s3/" }), "k").toString()).toBe("https://gw.example/s3/runs/k");
  });

  test("an R2 endpoint signs for region auto unless a region is set", () => {
    const env = { ...KEYS, AWS_ENDPOINT_URL: "https://0123abcd.r2.cloudflarestorage.com" };
    expect(s3ConfigFromEnv("s3://runs", env).region).toBe("auto");
    expect(s3ConfigFromEnv("s3://runs", { ...env, AWS_REGION: "wnam" }).region).toBe("wnam");
  });

  test("credentials: the session token is optional; missing keys name the variables, not their values", () => {
    expect(s3ConfigFromEnv("s3://b-1", { ...KEYS, AWS_SESSION_TOKEN: "tok" }).credentials).toEqual({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-value-1234", sessionToken: "tok" });
    const err = (() => {
      try {
        s3ConfigFromEnv("s3://b-1", { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toContain("AWS_SECRET_ACCESS_KEY");
    expect((err as Error).message).not.toContain("AKIDEXAMPLE");
    expect(() => s3ConfigFromEnv("s3://b-1", {})).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  test("an endpoint carrying a user and password is refused without echoing it", () => {
    let message = "";
    try {
      s3ConfigFromEnv("s3://b-1", { ...KEYS, AWS_ENDPOINT_URL: "https://user:hunter22@minio:9000" });
    } catch (e) {
      message = (e as Error).message;
      expect(e).toBeInstanceOf(ValidationError);
    }
    expect(message).toContain("must not carry a user or password");
    expect(message).not.toContain("hunter22");
  });
});

describe("S3's XML answers", () => {
  test("elements, text with entities and CDATA, self-closing tags, the root", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated><Contents><Key>a &amp; b&#x2F;&lt;c&gt;</Key><Size>3</Size></Contents><Contents><Key><![CDATA[x<y]]></Key><Size>4</Size></Contents><Prefix/><NextContinuationToken>t+/=</NextContinuationToken></ListBucketResult>`;
    expect(xmlRoot(xml)).toBe("ListBucketResult");
    expect(xmlElements(xml, "Contents").map((c) => xmlText(c, "Key"))).toEqual(["a & b/<c>", "x<y"]);
    expect(xmlText(xml, "Prefix")).toBe("");
    expect(xmlText(xml, "Marker")).toBeUndefined();
    expect(xmlText(xml, "NextContinuationToken")).toBe("t+/=");
    expect(xmlRoot("<Error><Code>NoSuchKey</Code></Error>")).toBe("Error");
  });

  test("escape then decode gives back any text", () => {
    // Text rich in what matters here: markup characters, entity-like sequences, any code point.
    const unit = fc.oneof(
      fc.constantFrom("&", "<", ">", '"', "'", ";", "#", "x", "amp", "&#", "]]>", "<![CDATA["),
      fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
    );
    fc.assert(fc.property(fc.string({ unit }), (s) => xmlDecode(xmlEscape(s)) === s));
  });
});
