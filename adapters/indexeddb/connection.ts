/**
 * The IndexedDB connection of one adapter (through idb, which loads with it): opened lazily,
 * closed and reopened when another tab upgrades or deletes the database (`versionchange`), or
 * when the browser terminates it.
 *
 * The database is opened at whatever version it has, and upgraded (version + 1) only when our
 * object stores are missing, so a newer schema or another tab's upgrade never leaves us stuck
 * on a `VersionError`.
 */
import type { DBSchema, IDBPDatabase } from "idb";

/** One per stored value: `gen` names the generation of chunks the value is made of. */
export interface Head {
  gen: number;
  size: number;
  mtimeMs: number;
  /** Offset and length of the last chunk, so an append can top it up without a scan. */
  lastOffset: number;
  lastLength: number;
}

/** The schema: heads by key, and chunks by `[key, gen, byte offset]`. */
export interface DashDB extends DBSchema {
  heads: { key: string; value: Head };
  chunks: { key: [string, number, number]; value: Uint8Array };
}

export type Db = IDBPDatabase<DashDB>;

/** Both object stores: every transaction spans them. */
export const STORES: ("heads" | "chunks")[] = ["heads", "chunks"];

function createStores(db: Db): void {
  for (const s of STORES) if (!db.objectStoreNames.contains(s)) db.createObjectStore(s);
}

/** A lazily opened connection that reopens itself after `versionchange` or termination. */
export class Connection {
  private current: Db | undefined;
  private ready: Promise<Db> | undefined;

  constructor(readonly dbName: string) {}

  /**
   * The open database. Every caller awaits the same promise, so transactions are created in
   * call order (IndexedDB then runs overlapping read-write transactions in creation order).
   */
  get(): Promise<Db> {
    if (!this.ready) {
      const ready = this.open();
      this.ready = ready;
      ready.catch(() => {
        if (this.ready === ready) this.ready = undefined; // retry on the next call
      });
    }
    return this.ready;
  }

  /** Closes `db` and forgets it, so the next call reopens (after `versionchange` or `InvalidStateError`). */
  reset(db: Db): void {
    if (this.current === db) {
      this.current = undefined;
      this.ready = undefined;
    }
    db.close();
  }

  close(): void {
    const db = this.current;
    const ready = this.ready;
    this.current = undefined;
    this.ready = undefined;
    if (db) db.close();
    else void ready?.then((opened) => opened.close(), () => undefined); // still opening
  }

  private async open(): Promise<Db> {
    let db = await this.connect(undefined);
    if (!STORES.every((s) => db.objectStoreNames.contains(s))) {
      const version = db.version + 1;
      db.close();
      db = await this.connect(version);
    }
    this.current = db;
    return db;
  }

  private async connect(version: number | undefined): Promise<Db> {
    // idb loads with the first connection: a page that never opens the database does not download it.
    const { openDB } = await import("idb");
    let db: Db | undefined;
    // Another tab wants to upgrade or delete the database (or the browser closed it): step
    // aside; the next call reopens.
    const stepAside = (): void => {
      if (db) this.reset(db);
    };
    return openDB<DashDB>(this.dbName, version, {
      upgrade: createStores,
      blocking: stepAside,
      terminated: stepAside,
    }).then((opened) => (db = opened));
  }
}
