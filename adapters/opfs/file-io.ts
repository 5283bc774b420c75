/**
 * How the OPFS adapter changes a file's bytes. Two ways, chosen once per adapter:
 *
 * - `sync` (dedicated workers): `createSyncAccessHandle`, writing at the end of the file in
 *   place. The handle is opened in `readwrite-unsafe` mode where the browser has it, so workers
 *   writing one run (coordinated by Web Locks) do not lock each other out, and it is closed
 *   after each operation so other tabs can replace or delete the file.
 * - `writable` (windows, where sync handles do not exist): `createWritable`. Chromium starts
 *   the swap file of `keepExistingData` as a copy of the file, so an append there costs the
 *   size of the file; prefer a worker for long runs (see the README).
 *
 * Either way a whole-value replace writes a temporary file and moves it over the key.
 */

/** The part of `FileSystemSyncAccessHandle` we use (not in TypeScript's DOM library). */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

type SyncCapableHandle = FileSystemFileHandle & {
  createSyncAccessHandle(options?: { mode?: "readwrite" | "read-only" | "readwrite-unsafe" }): Promise<SyncAccessHandle>;
};

/** Byte-level writes to one OPFS file. */
export interface FileIO {
  readonly kind: "sync" | "writable";
  /** Appends `data` at the end of the file. */
  append(file: FileSystemFileHandle, data: Uint8Array): Promise<void>;
  /** Replaces the content of a fresh (temporary) file. */
  fill(file: FileSystemFileHandle, data: Uint8Array): Promise<void>;
  /** Cuts the file to `size` bytes. */
  truncate(file: FileSystemFileHandle, size: number): Promise<void>;
}

/** True in a dedicated worker of a browser with sync access handles. */
export function syncHandlesAvailable(): boolean {
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  return proto !== undefined && "createSyncAccessHandle" in proto;
}

async function openSync(file: FileSystemFileHandle): Promise<SyncAccessHandle> {
  return (file as SyncCapableHandle).createSyncAccessHandle({ mode: "readwrite-unsafe" });
}

function writeFully(h: SyncAccessHandle, data: Uint8Array, at: number): void {
  let off = 0;
  while (off < data.length) {
    const n = h.write(data.subarray(off), { at: at + off });
    if (n <= 0) throw new Error(`short write: ${off} of ${data.length} bytes written`);
    off += n;
  }
}

/** Writes through sync access handles (dedicated workers). */
export const syncIO: FileIO = {
  kind: "sync",
  async append(file, data) {
    const h = await openSync(file);
    try {
      writeFully(h, data, h.getSize());
      h.flush();
    } finally {
      h.close();
    }
  },
  async fill(file, data) {
    const h = await openSync(file);
    try {
      h.truncate(0);
      writeFully(h, data, 0);
      h.flush();
    } finally {
      h.close();
    }
  },
  async truncate(file, size) {
    const h = await openSync(file);
    try {
      if (size < h.getSize()) h.truncate(size);
      h.flush();
    } finally {
      h.close();
    }
  },
};

/** Writes through writable streams (windows). */
export const writableIO: FileIO = {
  kind: "writable",
  async append(file, data) {
    const size = (await file.getFile()).size;
    const ws = await file.createWritable({ keepExistingData: true });
    try {
      await ws.write({ type: "write", position: size, data: data as Uint8Array<ArrayBuffer> });
      await ws.close();
    } catch (err) {
      await ws.abort().catch(() => undefined);
      throw err;
    }
  },
  async fill(file, data) {
    const ws = await file.createWritable();
    try {
      await ws.write(data as Uint8Array<ArrayBuffer>);
      await ws.close();
    } catch (err) {
      await ws.abort().catch(() => undefined);
      throw err;
    }
  },
  async truncate(file, size) {
    const ws = await file.createWritable({ keepExistingData: true });
    try {
      await ws.truncate(size);
      await ws.close();
    } catch (err) {
      await ws.abort().catch(() => undefined);
      throw err;
    }
  },
};
