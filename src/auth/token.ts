/**
 * Finding the server token. The `token` option (a string or a provider function) comes first;
 * without it, runtimes with an environment and a file system (Node, Deno, Bun) read
 * `ML_DASH_TOKEN`, then the files the Python CLI's `ml-dash login` writes in `~/.dash`:
 * `tokens.encrypted` (Fernet, key in `encryption.key`), then `tokens.json`. Browsers and workers
 * take only the option: they never read a stored token.
 *
 * Nothing here runs before the first request that needs a token; a missing token is an
 * `AuthenticationError` then, saying how to provide one. No message ever contains a token or
 * the content of a token file.
 */
import { AuthenticationError } from "../errors.ts";
import type { TokenOption } from "../model/options.ts";
import { joinPath } from "../internal/join-path.ts";
import type { RuntimeHooks } from "../model/runtime-hooks.ts";
import { fernetDecrypt, FernetError } from "./fernet.ts";

/** The key under which ML-Dash Python stores the token (keyring user name, JSON key). */
export const TOKEN_KEY = "ml-dash-token";

/** What the loader reads through; a runtime entry implements it in a few lines. */
export interface TokenSources {
  /** An environment variable. */
  env(name: string): string | undefined;
  /** A file's bytes, or `undefined` when it does not exist (other failures throw). */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** The home folder when `HOME` is unset (e.g. `os.homedir()`). */
  home?(): string | undefined;
}

async function read(src: TokenSources, path: string): Promise<Uint8Array | undefined> {
  try {
    return await src.readFile(path);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new AuthenticationError(`Could not read ${path}${typeof code === "string" ? ` (${code})` : ""}: fix its permissions, or set ML_DASH_TOKEN`, { cause });
  }
}

/** The token in a decrypted or plain token file: `{"ml-dash-token": "<token>"}`. */
function tokenIn(bytes: Uint8Array, path: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // No cause: a JSON parser's message quotes the text it choked on, which may be the token.
    throw new AuthenticationError(`${path} is not valid JSON: run \`ml-dash login\` again, or set ML_DASH_TOKEN`);
  }
  const token = doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>)[TOKEN_KEY] : undefined;
  return typeof token === "string" && token.trim() !== "" ? token.trim() : undefined;
}

async function decryptTokens(dir: string, data: Uint8Array, key: Uint8Array): Promise<Uint8Array> {
  try {
    return await fernetDecrypt(key, data);
  } catch (err) {
    if (!(err instanceof FernetError)) throw err;
    const file = `${dir}/tokens.encrypted`;
    const what =
      err.reason === "key"
        ? `${dir}/encryption.key is not a Fernet key`
        : err.reason === "hmac"
          ? `${file} failed its integrity check (HMAC mismatch): it was changed, or ${dir}/encryption.key is not the key it was written with`
          : `${file} is not a readable Fernet token (${err.reason})`;
    throw new AuthenticationError(`${what}; run \`ml-dash login\` again, or set ML_DASH_TOKEN`, { cause: err });
  }
}

/**
 * Reads the token the way ML-Dash Python's token storage does, minus the OS keyring:
 * `ML_DASH_TOKEN`, then `~/.dash/tokens.encrypted` + `~/.dash/encryption.key`, then
 * `~/.dash/tokens.json`. `~` is `HOME` (then `home()`, then `USERPROFILE`). Resolves
 * `undefined` when there is none; throws `AuthenticationError` for a file that exists but
 * cannot be used (tampered, wrong key, not JSON, unreadable).
 */
export async function loadDashToken(src: TokenSources): Promise<string | undefined> {
  const fromEnv = src.env("ML_DASH_TOKEN")?.trim();
  if (fromEnv) return fromEnv;
  const home = src.env("HOME") || src.home?.() || src.env("USERPROFILE");
  if (!home) return undefined;
  const dir = joinPath(home, ".dash");
  const encrypted = await read(src, `${dir}/tokens.encrypted`);
  if (encrypted !== undefined) {
    const key = await read(src, `${dir}/encryption.key`);
    if (key === undefined) {
      throw new AuthenticationError(`${dir}/tokens.encrypted exists but ${dir}/encryption.key does not: run \`ml-dash login\` again, or set ML_DASH_TOKEN`);
    }
    const token = tokenIn(await decryptTokens(dir, encrypted, key), `${dir}/tokens.encrypted (decrypted)`);
    if (token !== undefined) return token;
  }
  const plain = await read(src, `${dir}/tokens.json`);
  return plain === undefined ? undefined : tokenIn(plain, `${dir}/tokens.json`);
}

function missing(runtime: Pick<RuntimeHooks, "loadToken">, dashUrl: string | undefined): AuthenticationError {
  const server = dashUrl ? ` for ${dashUrl}` : "";
  if (runtime.loadToken) {
    return new AuthenticationError(
      `No ML-Dash token${server}. Provide one: set ML_DASH_TOKEN; or pass { token } to new Experiment (a string or a function returning one); ` +
        "or run `ml-dash login` with the Python CLI (pip install ml-dash), which stores it in ~/.dash (a token it put in the OS keyring is not read here: export it as ML_DASH_TOKEN).",
      { code: "NO_TOKEN" },
    );
  }
  return new AuthenticationError(
    `No ML-Dash token${server}. Pass { token } to new Experiment: a string or a function returning one. ` +
      "Browsers and workers never read a stored token (ML_DASH_TOKEN and ~/.dash are read by the Node, Deno and Bun entries only).",
    { code: "NO_TOKEN" },
  );
}

/**
 * The token for the next request: the `token` option (a string, or a provider called each
 * time), else `runtime.loadToken()`. Throws `AuthenticationError` (code `NO_TOKEN`) when there is
 * none, saying how to provide one. Call it lazily, before the first request that needs a token.
 *
 * @example
 * ```ts
 * const token = await resolveToken(options.token, Experiment.runtime, "https://api.dash.ml");
 * headers.set("Authorization", `Bearer ${token}`);
 * ```
 */
export async function resolveToken(token: TokenOption | undefined, runtime: Pick<RuntimeHooks, "loadToken">, dashUrl?: string): Promise<string> {
  if (typeof token === "string" && token.trim() !== "") return token;
  if (typeof token === "function") {
    let value: unknown;
    try {
      value = await token();
    } catch (cause) {
      throw new AuthenticationError("The token provider (the token option) threw; see the cause", { cause });
    }
    if (typeof value !== "string" || value.trim() === "") {
      throw new AuthenticationError(`The token provider (the token option) returned ${typeof value === "string" ? "an empty string" : typeof value}, not a token`);
    }
    return value;
  }
  const loaded = await runtime.loadToken?.();
  if (loaded) return loaded;
  throw missing(runtime, dashUrl);
}

/**
 * {@link resolveToken} with memory: a string option or a loaded token is found once and kept (a
 * failure is not kept, so a later call sees a token stored since); a provider function is
 * called every time, so it can refresh.
 */
export function tokenResolver(token: TokenOption | undefined, runtime: Pick<RuntimeHooks, "loadToken">, dashUrl?: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    if (typeof token === "function") return resolveToken(token, runtime, dashUrl);
    cached ??= resolveToken(token, runtime, dashUrl).catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}
