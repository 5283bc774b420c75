/**
 * What the files API needs from a runtime's file system for `upload(localPath)` and
 * `download({ to })`. Runtime entries with a file system provide it through
 * `RuntimeHooks.localFiles`; elsewhere those two methods explain that there is none.
 */

/** A local file opened for reading. */
export interface LocalFile {
  /** The file's base name (the default target name of an upload). */
  readonly name: string;
  readonly size: number;
  /** Its bytes, read in chunks. */
  readonly stream: ReadableStream<Uint8Array>;
}

/** File-system access handed in by a runtime entry. */
export interface LocalFileSystem {
  /** Opens a regular file; a missing path or a folder is a `ValidationError` naming `localPath`. */
  open(localPath: string): Promise<LocalFile>;
  /**
   * Writes `data` to `target` (creating parent folders), replacing it once complete; when
   * `target` is an existing folder (or ends with a separator) the file goes inside it as
   * `name`. Resolves to the path written.
   */
  write(target: string, name: string, data: ReadableStream<Uint8Array>): Promise<string>;
  /** Removes a file written by `write` (a failed checksum check). */
  remove(path: string): Promise<void>;
  /** Joins a folder and a file name with the platform's separator. */
  join(dir: string, name: string): string;
}
