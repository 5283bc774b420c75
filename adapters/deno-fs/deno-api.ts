/**
 * The part of the `Deno` namespace that ml-dash uses, typed locally so the same sources
 * type-check under `tsc` (no Deno types) and under `deno check` (without redeclaring Deno's).
 */

/** An open file (`Deno.FsFile`). */
export interface DenoFile {
  write(p: Uint8Array): Promise<number>;
  read(p: Uint8Array): Promise<number | null>;
  seek(offset: number, whence: 0 | 1 | 2): Promise<number>;
  syncData(): Promise<void>;
  close(): void;
  readonly readable: ReadableStream<Uint8Array>;
}

/** `Deno.FileInfo`, the fields we read. */
export interface DenoFileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly mtime: Date | null;
}

/** The `Deno` global, the members we call. */
export interface DenoApi {
  open(path: string, options: { read?: boolean; write?: boolean; append?: boolean; create?: boolean; truncate?: boolean }): Promise<DenoFile>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
  stat(path: string): Promise<DenoFileInfo>;
  readDir(path: string): AsyncIterable<{ name: string; isFile: boolean; isDirectory: boolean }>;
  statSync(path: string): DenoFileInfo;
  cwd(): string;
  readonly mainModule: string;
  env: { get(name: string): string | undefined };
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  removeSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  kill(pid: number, signal: "SIGINT" | "SIGTERM"): void;
  exit(code?: number): never;
  unrefTimer(id: number): void;
  readonly pid: number;
  readonly build: { readonly os: string };
}

/** The `Deno` global (only call this inside Deno). */
export function denoApi(): DenoApi {
  return (globalThis as unknown as { Deno: DenoApi }).Deno;
}

/** True when `err` is Deno's "not found" error. */
export function isNotFound(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === "NotFound";
}
