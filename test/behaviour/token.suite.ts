/**
 * The token `ml-dash login` left: Fernet files written by Python's `cryptography`
 * (test/fixtures/fernet, made by make.py) read through the portable loader, tampering refused
 * before decryption, the lookup order, lazy `AuthenticationError`s that say how to provide a
 * token, and no token in any error message.
 */
import { describe, expect, test } from "vitest";
import { AuthenticationError, Experiment, ValidationError, type RuntimeHooks } from "../../src/index.ts";
import { base64UrlDecode, base64UrlEncode, fernetDecrypt, fernetEncrypt, FernetError, generateFernetKey } from "../../src/auth/fernet.ts";
import { loadDashToken, resolveToken, tokenResolver, type TokenSources } from "../../src/auth/token.ts";
import { FIXTURE_TOKEN, HOME_KEY, HOME_TOKENS_ENCRYPTED, HOME_TOKENS_JSON, OTHER_KEY, TAMPERED_TOKENS_ENCRYPTED, VECTORS } from "../fixtures/fernet/vectors.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** A home folder in memory: path → file text. */
function sources(files: Record<string, string>, env: Record<string, string> = { HOME: "/home/alice" }): TokenSources & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    env: (n) => env[n],
    readFile: async (p) => {
      reads.push(p);
      return files[p] === undefined ? undefined : enc(files[p] as string);
    },
  };
}

const D = "/home/alice/.dash";
const PAIR = { [`${D}/encryption.key`]: HOME_KEY, [`${D}/tokens.encrypted`]: HOME_TOKENS_ENCRYPTED };

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

/** Every message reachable from an error: its own, and its causes'. */
function messages(err: unknown): string {
  const out: string[] = [];
  for (let e = err, i = 0; e instanceof Error && i < 5; e = e.cause, i++) out.push(String(e), e.message, e.stack ?? "");
  return out.join("\n");
}

function flipByte(token: string, at: number): string {
  const raw = base64UrlDecode(token) as Uint8Array;
  const i = at < 0 ? raw.length + at : at;
  raw[i] = (raw[i] as number) ^ 1;
  return base64UrlEncode(raw);
}

export function tokenSuite(host: string): void {
  describe(`Fernet: ${host}`, () => {
    test("tokens written by Python's cryptography decrypt; the pinned vector is byte-identical when we encrypt", async () => {
      for (const v of VECTORS) expect(await fernetDecrypt(v.key, v.token)).toEqual(b64(v.plaintextB64));
      const pinned = VECTORS.find((v) => v.time !== undefined);
      expect(pinned).toBeDefined();
      if (pinned?.time !== undefined && pinned.ivB64) {
        expect(await fernetEncrypt(pinned.key, b64(pinned.plaintextB64), { time: pinned.time, iv: b64(pinned.ivB64) })).toBe(pinned.token);
      }
      expect(new TextDecoder().decode(await fernetDecrypt(HOME_KEY, HOME_TOKENS_ENCRYPTED))).toBe(`{"ml-dash-token": "${FIXTURE_TOKEN}"}`); // Python's json.dumps
    });

    test("a changed byte anywhere is refused by the HMAC check, before any decryption; so is another key", async () => {
      const reason = async (key: string, token: string): Promise<string> => ((await rejection(fernetDecrypt(key, token))) as FernetError).reason;
      const token = HOME_TOKENS_ENCRYPTED;
      expect(await reason(HOME_KEY, flipByte(token, 0))).toBe("format"); // the version byte
      for (const at of [1, 8, 9, 24, 25, 40, -33, -32, -1]) expect(await reason(HOME_KEY, flipByte(token, at)), `byte ${at}`).toBe("hmac");
      expect(await reason(HOME_KEY, TAMPERED_TOKENS_ENCRYPTED)).toBe("hmac");
      expect(await reason(OTHER_KEY, token)).toBe("hmac");
      expect(await reason(HOME_KEY, token.slice(0, 40))).toBe("format");
      expect(await reason(HOME_KEY, "not base64 at all!")).toBe("format");
      expect(await reason("c2hvcnQ=", token)).toBe("key");
      // A correctly signed token whose ciphertext is not valid PKCS#7 gets past the HMAC and only
      // then fails to decrypt: the order is HMAC first. (Garbage ciphertext still decrypts to
      // valid padding about once in 256 keys: such a key is skipped, so the test cannot flake.)
      let outcome: string | undefined;
      for (let tries = 0; outcome === undefined && tries < 20; tries++) {
        const key = generateFernetKey();
        const raw = base64UrlDecode(await fernetEncrypt(key, "x")) as Uint8Array<ArrayBuffer>;
        const body = raw.slice(0, raw.length - 32);
        body.fill(7, 25);
        const sk = await crypto.subtle.importKey("raw", (base64UrlDecode(key) as Uint8Array<ArrayBuffer>).slice(0, 16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
        const forged = base64UrlEncode(new Uint8Array([...body, ...new Uint8Array(await crypto.subtle.sign("HMAC", sk, body))]));
        outcome = await fernetDecrypt(key, forged).then(
          () => undefined, // padding happened to be valid: try another key
          (err: unknown) => (err as FernetError).reason,
        );
      }
      expect(outcome).toBe("decrypt");
    });

    test("our tokens round-trip for any length, with padding or without", async () => {
      const key = generateFernetKey();
      for (const n of [0, 1, 15, 16, 17, 31, 32, 100, 1000]) {
        const data = crypto.getRandomValues(new Uint8Array(n));
        const token = await fernetEncrypt(key, data);
        expect(base64UrlDecode(token)?.[0]).toBe(0x80);
        expect(await fernetDecrypt(key, token)).toEqual(data);
        expect(await fernetDecrypt(key.replace(/=+$/, ""), `${token}\n`)).toEqual(data);
      }
    });
  });

  describe(`token loading: ${host}`, () => {
    test("ML_DASH_TOKEN, then tokens.encrypted + encryption.key (Python's files), then tokens.json", async () => {
      expect(await loadDashToken(sources(PAIR, { HOME: "/home/alice", ML_DASH_TOKEN: " env-token \n" }))).toBe("env-token");
      expect(await loadDashToken(sources(PAIR))).toBe(FIXTURE_TOKEN);
      expect(await loadDashToken(sources({ [`${D}/tokens.json`]: HOME_TOKENS_JSON }))).toBe(FIXTURE_TOKEN);
      const both = sources({ ...PAIR, [`${D}/tokens.json`]: '{"ml-dash-token": "plain"}' });
      expect(await loadDashToken(both)).toBe(FIXTURE_TOKEN);
      expect(both.reads).not.toContain(`${D}/tokens.json`);
      const emptyPair = { [`${D}/encryption.key`]: HOME_KEY, [`${D}/tokens.encrypted`]: await fernetEncrypt(HOME_KEY, "{}") };
      expect(await loadDashToken(sources({ ...emptyPair, [`${D}/tokens.json`]: '{"ml-dash-token": "plain"}' }))).toBe("plain");
      expect(await loadDashToken(sources({}))).toBeUndefined();
      expect(await loadDashToken(sources({ [`${D}/tokens.json`]: '{"other": "x", "ml-dash-token": null}' }))).toBeUndefined();
    });

    test("~/.dash follows HOME, then the runtime's home folder, then USERPROFILE", async () => {
      const files = { "/custom/.dash/tokens.json": '{"ml-dash-token": "t1"}', "/fallback/.dash/tokens.json": '{"ml-dash-token": "t2"}', "C:\\Users\\al/.dash/tokens.json": '{"ml-dash-token": "t3"}' };
      expect(await loadDashToken(sources(files, { HOME: "/custom" }))).toBe("t1");
      expect(await loadDashToken({ ...sources(files, {}), home: () => "/fallback" })).toBe("t2");
      expect(await loadDashToken(sources(files, { USERPROFILE: "C:\\Users\\al" }))).toBe("t3");
      expect(await loadDashToken(sources(files, {}))).toBeUndefined();
    });

    test("unusable files are AuthenticationErrors that say which file and what to do", async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [{ ...PAIR, [`${D}/tokens.encrypted`]: TAMPERED_TOKENS_ENCRYPTED }, /tokens\.encrypted failed its integrity check \(HMAC mismatch\)/],
        [{ ...PAIR, [`${D}/encryption.key`]: OTHER_KEY }, /HMAC mismatch.*encryption\.key is not the key/],
        [{ [`${D}/tokens.encrypted`]: HOME_TOKENS_ENCRYPTED }, /encryption\.key does not/],
        [{ ...PAIR, [`${D}/encryption.key`]: "not-a-key" }, /encryption\.key is not a Fernet key/],
        [{ [`${D}/tokens.json`]: `{"ml-dash-token": "${FIXTURE_TOKEN}"` }, /tokens\.json is not valid JSON/],
      ];
      for (const [files, message] of cases) {
        const err = await rejection(loadDashToken(sources(files)));
        expect(err).toBeInstanceOf(AuthenticationError);
        expect(err.message).toMatch(message);
        expect(err.message).toMatch(/ml-dash login|ML_DASH_TOKEN/);
      }
      const denied: TokenSources = { env: (n) => (n === "HOME" ? "/h" : undefined), readFile: async () => Promise.reject(Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" })) };
      expect((await rejection(loadDashToken(denied))).message).toMatch(/Could not read \/h\/\.dash\/tokens\.encrypted \(EACCES\)/);
    });

    test("resolveToken: the option first (a provider is asked every time), then the runtime's loader", async () => {
      let loads = 0;
      const runtime: Pick<RuntimeHooks, "loadToken"> = { loadToken: async () => (loads++, "loaded") };
      expect(await resolveToken("opt", runtime)).toBe("opt");
      expect(loads).toBe(0);
      let asks = 0;
      const provider = async (): Promise<string> => `p${++asks}`;
      expect([await resolveToken(provider, runtime), await resolveToken(provider, runtime)]).toEqual(["p1", "p2"]);
      expect(await resolveToken(undefined, runtime)).toBe("loaded");
      expect(await resolveToken("", runtime)).toBe("loaded");
      const cached = tokenResolver(undefined, runtime);
      expect([await cached(), await cached()]).toEqual(["loaded", "loaded"]);
      expect(loads).toBe(3);
      expect(await tokenResolver(provider, runtime)()).toBe("p3");
      // A failure is not kept: a token stored later is found.
      let stored: string | undefined;
      const later = tokenResolver(undefined, { loadToken: async () => stored });
      await expect(later()).rejects.toBeInstanceOf(AuthenticationError);
      stored = "now-there";
      expect(await later()).toBe("now-there");
    });

    test("no token is an AuthenticationError saying how to provide one (Node/Deno/Bun vs browsers)", async () => {
      const server = await rejection(resolveToken(undefined, { loadToken: async () => undefined }, "http://127.0.0.1:9"));
      expect(server).toBeInstanceOf(AuthenticationError);
      expect((server as AuthenticationError).code).toBe("NO_TOKEN");
      for (const hint of ["http://127.0.0.1:9", "ML_DASH_TOKEN", "{ token }", "ml-dash login", "~/.dash"]) expect(server.message).toContain(hint);
      const browser = await rejection(resolveToken(undefined, {}));
      expect(browser.message).toContain("{ token }");
      expect(browser.message).toContain("never read a stored token");
      const provider = await rejection(resolveToken(async () => 42 as unknown as string, {}));
      expect(provider.message).toMatch(/returned number/);
      const thrower = await rejection(resolveToken(() => Promise.reject(new Error("vault down")), {}));
      expect([thrower instanceof AuthenticationError, (thrower.cause as Error).message]).toEqual([true, "vault down"]);
    });

    test("the token never appears in an error message (or its causes)", async () => {
      const errors: unknown[] = [];
      const key = HOME_KEY;
      const notJson = await fernetEncrypt(key, `token=${FIXTURE_TOKEN}`);
      const scenarios: TokenSources[] = [
        sources({ [`${D}/tokens.json`]: `{"ml-dash-token": "${FIXTURE_TOKEN}"` }),
        sources({ [`${D}/tokens.json`]: FIXTURE_TOKEN }),
        sources({ [`${D}/encryption.key`]: key, [`${D}/tokens.encrypted`]: notJson }),
        sources({ ...PAIR, [`${D}/tokens.encrypted`]: TAMPERED_TOKENS_ENCRYPTED }),
        sources({ ...PAIR, [`${D}/encryption.key`]: OTHER_KEY }),
      ];
      for (const s of scenarios) errors.push(await rejection(loadDashToken(s)));
      errors.push(await rejection(resolveToken(async () => ({ token: FIXTURE_TOKEN }) as unknown as string, {})));
      try {
        new Experiment("a/b/c", { storage: null, dashUrl: "http://127.0.0.1:9", token: { secret: FIXTURE_TOKEN } as unknown as string });
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        errors.push(err);
      }
      expect(errors).toHaveLength(7);
      for (const err of errors) {
        expect(err).toBeInstanceOf(Error);
        expect(messages(err)).not.toContain(FIXTURE_TOKEN);
        expect(messages(err)).not.toContain(FIXTURE_TOKEN.slice(0, 12));
      }
    });

    test("an Experiment with dashUrl and no token does not look for one when it is built", async () => {
      let loads = 0;
      const runtime: RuntimeHooks = { name: "test", loadToken: async () => (loads++, undefined) };
      const E = class extends Experiment {
        static override runtime = runtime;
      };
      const exp = new E("a/b/c", { storage: null, dashUrl: "http://127.0.0.1:9" });
      expect(exp.mode).toBe("remote");
      await Promise.resolve();
      expect(loads).toBe(0);
    });
  });
}
