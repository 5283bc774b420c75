/**
 * Keeping secrets out of errors. The team store holds an S3 secret key, maybe a session token, and
 * a PostgreSQL password; every error it raises goes through a redactor built from them, and causes
 * are rebuilt as plain errors (message and code only), so no request, header or option object of
 * a library rides along in `cause` to a log.
 */

/** Replaces every secret in a text by `[redacted]`. */
export type Redact = (text: string) => string;

/** A redactor for `secrets` (empty and very short values are ignored: they would mangle text). */
export function redactor(secrets: readonly (string | undefined)[]): Redact {
  const list = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 4))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of list) {
      out = out.split(s).join("[redacted]");
      // URL-encoded forms too (a password inside a connection URL).
      const enc = encodeURIComponent(s);
      if (enc !== s) out = out.split(enc).join("[redacted]");
    }
    return out;
  };
}

/**
 * A safe stand-in for a library's error: its message (redacted) and its `code`, nothing else.
 * Used as the `cause` of the errors we raise.
 */
export function safeCause(cause: unknown, redact: Redact): Error {
  const message = cause instanceof Error ? cause.message : String(cause);
  const err = new Error(redact(message));
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string") (err as Error & { code?: string }).code = code;
  if (cause instanceof Error) err.name = cause.name;
  // The library's own cause (e.g. fetch's TypeError → the socket error) keeps its code and message.
  const inner = cause instanceof Error ? cause.cause : undefined;
  if (inner !== undefined && inner !== cause) (err as Error & { cause?: unknown }).cause = safeCause(inner, redact);
  return err;
}

/** The `code` of an error or of the first cause that has one (fetch wraps socket errors). */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    if ((e as { name?: unknown }).name === "TimeoutError") return "TIMEOUT";
  }
  return undefined;
}
