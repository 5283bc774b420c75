/**
 * The token files `ml-dash login` writes, on disk: the Fernet pair and the plain file made by
 * Python's cryptography (test/fixtures/fernet/make.py) are read from `$HOME/.dash` by the Node
 * entry's loader; a tampered file is refused before anything is decrypted; and Python's
 * cryptography decrypts what we encrypt.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { fernetDecrypt, fernetEncrypt, generateFernetKey } from "../../src/auth/fernet.ts";
import { nodeHostHooks } from "../../src/runtime/node/host.ts";
import { AuthenticationError } from "../../src/index.ts";
import { FIXTURE_TOKEN, HOME_KEY, HOME_TOKENS_ENCRYPTED } from "../fixtures/fernet/vectors.ts";
import { REPO } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** The checks run ML-Dash Python's code in python3 child processes: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const FIXTURES = join(REPO, "test/fixtures/fernet");
const hasCryptography = spawnSync("python3", ["-c", "import cryptography.fernet"]).status === 0;
const python = (code: string, input: string): string => {
  const r = spawnSync("python3", ["-c", code], { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};

describe("token files on disk", () => {
  const saved = { HOME: process.env["HOME"], ML_DASH_TOKEN: process.env["ML_DASH_TOKEN"] };
  const setEnv = (home: string, token?: string): void => {
    process.env["HOME"] = home;
    if (token === undefined) delete process.env["ML_DASH_TOKEN"];
    else process.env["ML_DASH_TOKEN"] = token;
  };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    vi.restoreAllMocks();
  });

  test("the pair ml-dash login leaves in $HOME/.dash (written by Python's cryptography) gives the token", async () => {
    setEnv(join(FIXTURES, "home"));
    expect(await nodeHostHooks.loadToken?.()).toBe(FIXTURE_TOKEN);
    setEnv(join(FIXTURES, "home-plain"));
    expect(await nodeHostHooks.loadToken?.()).toBe(FIXTURE_TOKEN);
    setEnv(join(FIXTURES, "home"), "from-env");
    expect(await nodeHostHooks.loadToken?.()).toBe("from-env");
    setEnv(tempDir("empty-home"));
    expect(await nodeHostHooks.loadToken?.()).toBeUndefined();
  }, IO_TIMEOUT_MS);

  test("a tampered file is refused with an AuthenticationError and nothing is decrypted", async () => {
    const decrypt = vi.spyOn(globalThis.crypto.subtle, "decrypt");
    for (const home of ["home-tampered", "home-wrong-key"]) {
      setEnv(join(FIXTURES, home));
      const err = await nodeHostHooks.loadToken?.().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect((err as Error).message).toMatch(/HMAC mismatch/);
    }
    expect(decrypt).not.toHaveBeenCalled();
    await fernetDecrypt(HOME_KEY, HOME_TOKENS_ENCRYPTED);
    expect(decrypt).toHaveBeenCalledTimes(1);
  }, IO_TIMEOUT_MS);

  test.skipIf(!hasCryptography)("Python's cryptography decrypts what we encrypt", async () => {
    const key = generateFernetKey();
    const plaintexts = ["", "x", "0123456789abcdef", JSON.stringify({ "ml-dash-token": "t".repeat(300) }), "naïve ✓"];
    const tokens = await Promise.all(plaintexts.map((p) => fernetEncrypt(key, p)));
    const out = python(
      "import sys, json; from cryptography.fernet import Fernet; d = json.load(sys.stdin); f = Fernet(d['key'].encode()); print(json.dumps([f.decrypt(t.encode()).decode() for t in d['tokens']]))",
      JSON.stringify({ key, tokens }),
    );
    expect(JSON.parse(out)).toEqual(plaintexts);
  }, IO_TIMEOUT_MS);
});

