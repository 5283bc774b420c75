/**
 * Fernet (the format of Python's `cryptography.fernet`, which `ml-dash login` uses for
 * `~/.dash/tokens.encrypted`) on WebCrypto.
 *
 * A key is urlsafe base64 of 32 bytes: the first 16 sign (HMAC-SHA256), the last 16 encrypt
 * (AES-128-CBC, PKCS#7). A token is urlsafe base64 of
 * `0x80 ‖ timestamp (8 bytes, big-endian seconds) ‖ IV (16) ‖ ciphertext ‖ HMAC (32)`, the HMAC
 * covering everything before it. The HMAC is checked, in constant time, before anything is
 * decrypted, so a changed file is refused rather than decrypted into garbage.
 */

/** Why a key or token was refused. */
export type FernetFailure = "key" | "format" | "hmac" | "decrypt";

/** Internal: a refused Fernet key or token (callers turn it into an `AuthenticationError`). */
export class FernetError extends Error {
  readonly reason: FernetFailure;

  constructor(reason: FernetFailure, message: string) {
    super(message);
    this.name = "FernetError";
    this.reason = reason;
  }
}

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;

/** Decodes urlsafe (or standard) base64, padded or not, ignoring surrounding whitespace. */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> | undefined {
  const s = text.trim().replace(/-/g, "+").replace(/_/g, "/");
  const body = s.replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(body) || body.length % 4 === 1 || s.length - body.length > 2) return undefined;
  const bin = atob(body.padEnd(Math.ceil(body.length / 4) * 4, "="));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Urlsafe base64 with padding, as Python's `base64.urlsafe_b64encode`. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_");
}

/** Compares two byte arrays in time that depends only on their length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const text = (x: string | Uint8Array): string => (typeof x === "string" ? x : new TextDecoder().decode(x));

function decodeKey(key: string | Uint8Array): { signing: Uint8Array<ArrayBuffer>; encryption: Uint8Array<ArrayBuffer> } {
  const raw = base64UrlDecode(text(key));
  if (raw === undefined || raw.length !== 32) throw new FernetError("key", "the Fernet key is not urlsafe base64 of 32 bytes");
  return { signing: raw.slice(0, 16), encryption: raw.slice(16) };
}

async function hmac(signing: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", signing, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
}

/**
 * Verifies and decrypts a Fernet token. Throws {@link FernetError}: `key` (malformed key),
 * `format` (not a Fernet token), `hmac` (changed data or another key), `decrypt` (bad padding).
 * Like Python's `Fernet.decrypt` without `ttl`, the timestamp is not checked.
 */
export async function fernetDecrypt(key: string | Uint8Array, token: string | Uint8Array): Promise<Uint8Array> {
  const { signing, encryption } = decodeKey(key);
  const data = base64UrlDecode(text(token));
  if (data === undefined || data.length < HEADER + 16 + MAC || data[0] !== VERSION || (data.length - HEADER - MAC) % 16 !== 0) {
    throw new FernetError("format", "the data is not a Fernet token");
  }
  const signed = data.slice(0, data.length - MAC);
  if (!constantTimeEqual(await hmac(signing, signed), data.subarray(data.length - MAC))) {
    throw new FernetError("hmac", "the HMAC does not match: the data was changed, or it was written with another key");
  }
  const aes = await crypto.subtle.importKey("raw", encryption, "AES-CBC", false, ["decrypt"]);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv: data.slice(9, HEADER) }, aes, data.slice(HEADER, data.length - MAC)));
  } catch (cause) {
    throw Object.assign(new FernetError("decrypt", "the ciphertext does not decrypt (bad padding)"), { cause });
  }
}

/** Options of {@link fernetEncrypt} (fixed values are for tests). */
export interface FernetEncryptOptions {
  /** Unix seconds written in the token. Default: now. */
  readonly time?: number;
  /** 16 bytes. Default: random. */
  readonly iv?: Uint8Array;
}

/** Encrypts and signs `plaintext` into a Fernet token (urlsafe base64 text). */
export async function fernetEncrypt(key: string | Uint8Array, plaintext: Uint8Array | string, options: FernetEncryptOptions = {}): Promise<string> {
  const { signing, encryption } = decodeKey(key);
  const iv = options.iv ? Uint8Array.from(options.iv) : crypto.getRandomValues(new Uint8Array(16));
  if (iv.length !== 16) throw new RangeError("iv must be 16 bytes");
  const body = typeof plaintext === "string" ? new TextEncoder().encode(plaintext) : Uint8Array.from(plaintext);
  const aes = await crypto.subtle.importKey("raw", encryption, "AES-CBC", false, ["encrypt"]);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aes, body));
  const signed = new Uint8Array(HEADER + ct.length);
  signed[0] = VERSION;
  new DataView(signed.buffer).setBigUint64(1, BigInt(Math.floor(options.time ?? Date.now() / 1000)));
  signed.set(iv, 9);
  signed.set(ct, HEADER);
  const token = new Uint8Array(signed.length + MAC);
  token.set(signed);
  token.set(await hmac(signing, signed), signed.length);
  return base64UrlEncode(token);
}

/** A new random Fernet key (what `Fernet.generate_key()` returns, as text). */
export function generateFernetKey(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
}
