/**
 * Exclusive named locks across every tab and worker of an origin, through the Web Locks API
 * (`navigator.locks`), for the browser storage adapters. Where the API is missing (old
 * browsers, Node with fake-indexeddb) the lock only covers this realm.
 */
import { NamedMutex } from "../internal/mutex.ts";

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** A lock function and whether it reaches beyond this realm. */
export interface OriginLocks {
  /** True when the locks are shared by every tab and worker of the origin (Web Locks). */
  readonly shared: boolean;
  run<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** The origin's Web Locks, or an in-realm mutex when the API is missing. */
export function originLocks(namespace: string): OriginLocks {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  const locks = nav?.locks;
  if (locks && typeof locks.request === "function") {
    // The callback's promise is what Web Locks waits for; a rejection releases the lock too.
    return { shared: true, run: (name, fn) => locks.request(`${namespace}:${name}`, () => fn()) };
  }
  const local = new NamedMutex();
  return { shared: false, run: (name, fn) => local.run(name, fn) };
}
