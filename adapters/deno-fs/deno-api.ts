/**
 * The file APIs of the `Deno` namespace that the deno-fs adapter uses, typed locally so the same
 * sources type-check under `tsc` (no Deno types) and under `deno check` (without redeclaring
 * Deno's). The Deno runtime's own members (environment, signals, …) are typed in
 * src/runtime/deno/deno-api.ts.
 */

/** An open file (`Deno.FsFile`). */
export interface DenoFile {
  write(p: Uint8Array): Promise<number>;
  read(p: Uint8Array): Promise<number | null>;
  seek(offset: number, whence: 0 | 1 | 2): Promise<number>;
  syncData(): Promise<void>;
  /** fsync (data and metadata; on a folder, its entries). */
  sync(): Promise<void>;
  close(): void;
  readonly readable: ReadableStream<Uint8Array>;
}

/** An open file used synchronously (`Deno.FsFile`'s sync methods). */
export interface DenoSyncFile {
  writeSync(p: Uint8Array): number;
  statSync(): { readonly size: number };
  truncateSync(len?: number): void;
  close(): void;
}

/** `Deno.FileInfo`, the fields we read. */
export interface DenoFileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly mtime: Date | null;
}

/** The file APIs of the `Deno` global that the adapter calls. */
export interface DenoFsApi {
  open(path: string, options: { read?: boolean; write?: boolean; append?: boolean; create?: boolean; truncate?: boolean }): Promise<DenoFile>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
  stat(path: string): Promise<DenoFileInfo>;
  readDir(path: string): AsyncIterable<{ name: string; isFile: boolean; isDirectory: boolean }>;
  openSync(path: string, options: { append: true; create: true }): DenoSyncFile;
  mkdirSync(path: string, options: { recursive: boolean }): void;
  /** Lets the process exit while timer `id` is pending. */
  unrefTimer(id: number): void;
}

/** The `Deno` global (only call this inside Deno). */
export function denoApi(): DenoFsApi {
  return (globalThis as unknown as { Deno: DenoFsApi }).Deno;
}

/** True when `err` is Deno's "not found" error. */
export function isNotFound(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === "NotFound";
}
