/**
 * Scrubbing what an answer or an error would give away: absolute paths of the machine that
 * produced the message, and credentials (bearer tokens, `Authorization` and `Cookie` headers).
 */

const ABSOLUTE = /(^|[\s"'(=:,])(?:\/|[A-Za-z]:[\\/]|\\\\)[^\s"'),]*/g;

/** `message` without absolute paths (the server's folders are nobody's business): each becomes `<path>`. */
export function scrubPaths(message: string): string {
  return message.replace(ABSOLUTE, "$1<path>");
}


const BEARER = /\b(bearer\s+)[^\s"',;}]+/gi;
const CREDENTIAL_HEADER = /\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key)(["']?\s*[:=]\s*["']?)[^"'\n,}]+/gi;

/** `text` without credentials: the given secrets, bearer tokens, and the values of credential headers, each as `***`. */
export function scrubCredentials(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return out.replace(CREDENTIAL_HEADER, "$1$2***").replace(BEARER, "$1***");
}

/**
 * A copy of an error (and its cause chain) that can be printed and logged: the same class name
 * and message without credentials, and nothing else — no request, options, headers or response
 * objects some fetch implementations hang on their errors.
 */
export function scrubError(err: unknown, secrets: readonly (string | undefined)[] = [], depth = 0): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const cause = depth < 4 && source.cause !== undefined ? scrubError(source.cause, secrets, depth + 1) : undefined;
  const copy = new Error(scrubCredentials(source.message, secrets), cause === undefined ? undefined : { cause });
  copy.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") (copy as { code?: unknown }).code = code;
  if (source.stack) copy.stack = scrubCredentials(source.stack, secrets);
  return copy;
}

/** A JSON-like value with every string scrubbed of credentials (an answer body a server may echo them into). */
export function scrubValue(value: unknown, secrets: readonly (string | undefined)[] = [], depth = 0): unknown {
  if (typeof value === "string") return scrubCredentials(value, secrets);
  if (depth > 32 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = /^(authorization|cookie|set-cookie|x-api-key|token)$/i.test(k) ? "***" : scrubValue(v, secrets, depth + 1);
  return out;
}
