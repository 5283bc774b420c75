/**
 * The IndexedDB connection of one adapter, and promises over IndexedDB requests (a few lines
 * instead of a wrapper library: the browser entry has a 20 kB budget).
 *
 * The connection opens lazily, and closes and reopens when another tab upgrades or deletes
 * the database (`versionchange`) or the browser closes it. The database is opened at whatever
 * version it has and upgraded (version + 1) only when our object stores are missing, so a newer
 * schema or another tab's upgrade never leaves us stuck on a `VersionError`.
 */

/** One per stored value: `gen` names the generation of chunks the value is made of. */
export interface Head {
  gen: number;
  size: number;
  mtimeMs: number;
  /** Offset and length of the last chunk, so an append can top it up without a scan. */
  lastOffset: number;
  lastLength: number;
}

/** Heads by key, and chunks by `[key, gen, byte offset]`. */
export const STORES = ["heads", "chunks"] as const;

/** The result of a request. Continuations run while its transaction is still active. */
export function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Resolves when `tx` commits; rejects with its error when it aborts. */
export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new DOMException("The transaction was aborted", "AbortError"));
  });
}

function open(name: string, version?: number): Promise<IDBDatabase> {
  const r = indexedDB.open(name, version);
  r.onupgradeneeded = () => {
    for (const s of STORES) if (!r.result.objectStoreNames.contains(s)) r.result.createObjectStore(s);
  };
  return req(r);
}

/** A lazily opened connection that reopens itself after `versionchange` or termination. */
export class Connection {
  private ready: Promise<IDBDatabase> | undefined;

  constructor(readonly dbName: string) {}

  /**
   * The open database. Every caller awaits the same promise, so transactions are created in
   * call order (IndexedDB runs overlapping read-write transactions in creation order).
   */
  get(): Promise<IDBDatabase> {
    if (!this.ready) {
      const ready = this.open();
      this.ready = ready;
      ready.catch(() => {
        if (this.ready === ready) this.ready = undefined; // retry on the next call
      });
    }
    return this.ready;
  }

  /** Closes `db` and forgets it, so the next call reopens. */
  reset(db: IDBDatabase): void {
    void this.ready?.then((current) => {
      if (current === db) this.ready = undefined;
    });
    db.close();
  }

  close(): void {
    const ready = this.ready;
    this.ready = undefined;
    void ready?.then((db) => db.close(), () => undefined);
  }

  private async open(): Promise<IDBDatabase> {
    let db = await open(this.dbName);
    if (!STORES.every((s) => db.objectStoreNames.contains(s))) {
      db.close();
      db = await open(this.dbName, db.version + 1);
    }
    const forget = (): void => this.reset(db);
    // Another tab wants to upgrade or delete the database: step aside; the next call reopens.
    db.onversionchange = forget;
    db.onclose = forget;
    return db;
  }
}
