/**
 * Who sends a request. One server token (`token`) is the simple default: whoever holds it is the
 * server's one user (`user`) and may write every namespace. With per-user tokens (`users`, from
 * `ml-dash serve --users users.json`) each token is one person: it reads every run, and writes
 * only its own namespace (the first segment of a prefix, its username); writing another is a 403.
 * Without either, nobody is asked for anything (a loopback server for one person).
 *
 * Tokens are compared without an early exit, and never appear in an answer or a message.
 */
import { ConfigurationError } from "../errors.ts";
import { sameSecret } from "../internal/secret.ts";
import type { GraphqlUser } from "./graphql/resolvers.ts";

/** A user with their own token. */
export interface ServerUser {
  /** The user's name: the namespace their runs go to (`alice` in `alice/project/run`). */
  readonly username: string;
  /** Their bearer token. */
  readonly token: string;
  readonly email?: string | null | undefined;
  /** Full name, for `GetCurrentUser`. */
  readonly name?: string | null | undefined;
}

/** The user behind a request. */
export interface Caller extends GraphqlUser {
  /** May write runs of any namespace (the one server token, or no token at all). */
  readonly writesAnywhere: boolean;
}

/** Options of {@link authenticator}. */
export interface IdentityOptions {
  /** One token for everyone (the user is `user`). */
  readonly token?: string | undefined;
  /** The name of the one token's user (what `GetCurrentUser` answers). Default `local`. */
  readonly user?: string | undefined;
  /** Per-user tokens; each may write only its own namespace. */
  readonly users?: readonly ServerUser[] | undefined;
}

/** The outcome of checking a request's `Authorization` header. */
export type Authenticated = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly error: string };


const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Checks a list of users: names usable as a namespace, tokens long enough and unique. */
export function checkUsers(users: readonly ServerUser[]): void {
  const names = new Set<string>();
  const tokens = new Set<string>();
  users.forEach((u, i) => {
    if (typeof u?.username !== "string" || !NAME.test(u.username)) throw new ConfigurationError(`users[${i}].username must be a name like "alice" (letters, digits, ".", "_", "-")`);
    if (typeof u.token !== "string" || u.token.length < 16) throw new ConfigurationError(`users[${i}] (${u.username}): token must be a string of at least 16 characters`);
    if (names.has(u.username)) throw new ConfigurationError(`users[${i}]: username ${JSON.stringify(u.username)} appears twice`);
    if (tokens.has(u.token)) throw new ConfigurationError(`users[${i}] (${u.username}): the same token is given to two users`);
    names.add(u.username);
    tokens.add(u.token);
  });
}

/** A function from a request's `Authorization` header to its caller, or why it has none. */
export function authenticator(o: IdentityOptions): (authorization: string | undefined) => Authenticated {
  const users = o.users ?? [];
  if (users.length > 0) checkUsers(users);
  const single: Caller = { username: o.user ?? "local", writesAnywhere: true };
  if (o.token === undefined && users.length === 0) return () => ({ ok: true, caller: single });
  const callers = users.map((u): Caller => ({ username: u.username, email: u.email ?? null, name: u.name ?? null, writesAnywhere: false }));
  return (authorization) => {
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
    if (!m) return { ok: false, error: "Missing bearer token: send Authorization: Bearer <token>" };
    const given = (m[1] as string).trim();
    let found: Caller | undefined;
    // Every token is compared, found or not.
    if (o.token !== undefined && sameSecret(given, o.token)) found = single;
    users.forEach((u, i) => {
      if (sameSecret(given, u.token)) found = callers[i];
    });
    return found ? { ok: true, caller: found } : { ok: false, error: "Invalid bearer token" };
  };
}
