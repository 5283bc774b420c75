/**
 * Scrubbing what an answer or an error would give away: absolute paths of the machine that
 * produced the message, and credentials (bearer tokens, `Authorization` and `Cookie` headers).
 */

const ABSOLUTE = /(^|[\s"'(=:,])(?:\/|[A-Za-z]:[\\/]|\\\\)[^\s"'),]*/g;

/** `message` without absolute paths (the server's folders are nobody's business): each becomes `<path>`. */
export function scrubPaths(message: string): string {
  return message.replace(ABSOLUTE, "$1<path>");
}

