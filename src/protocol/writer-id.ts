/**
 * Writer ids: how a client names itself to a server, so that several clients can append to one
 * experiment's streams (see `src/server/store/streams.ts`, `AppendOptions.writer`). A batch's
 * `Idempotency-Key` is `<writer>:<stream key>:<first>`, where `first` is in the writer's own
 * numbering; a client resuming its uploads (hybrid mode after a restart) sends its id in the
 * `ML-Dash-Writer` header when it opens the experiment and is told where its streams end.
 */

/** The header naming a writer when an experiment is opened. */
export const WRITER_HEADER = "ml-dash-writer";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A new random writer id: 22 base64url characters (132 random bits). */
export function newWriterId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
}

/** True when `s` is shaped like a writer id this SDK makes (the server accepts 8 to 64 of these characters). */
export function isWriterId(s: string): boolean {
  return /^[A-Za-z0-9_-]{8,64}$/.test(s);
}
