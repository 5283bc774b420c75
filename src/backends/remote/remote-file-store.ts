/**
 * `exp.files` of a remote-only run: a {@link FileStore} over the server's file API. Saves go
 * straight to the server (resolving with the server's record); lists are the server's records
 * flattened to the local shape, so the builder's folder, glob and tag filters apply to them
 * exactly as to local files (ML-Dash Python's remote list returns raw GraphQL nodes, which its
 * own filters cannot match).
 */
import type { DeletedFile, FileInfo, FileStore, FileUpdate, SaveRequest } from "../../files/types.ts";
import type { RemoteFilesApi } from "./files-api.ts";

/** The server's files of one experiment. */
export class RemoteFileStore implements FileStore {
  constructor(
    /** The API of the experiment (once it exists on the server). */
    private readonly api: () => Promise<RemoteFilesApi>,
  ) {}

  async save(req: SaveRequest): Promise<FileInfo> {
    return (await this.api()).upload(req, req.content);
  }

  /** The server's live files (a remote-only run never needs the deleted ones). */
  async records(): Promise<FileInfo[]> {
    return (await this.api()).listLive();
  }

  async read(file: FileInfo): Promise<Uint8Array> {
    return (await this.api()).read(file);
  }

  async stream(file: FileInfo): Promise<ReadableStream<Uint8Array>> {
    const res = await (await this.api()).download(file);
    if (!res.body) return new Blob([]).stream() as ReadableStream<Uint8Array>;
    return res.body;
  }

  async delete(id: string): Promise<DeletedFile> {
    return (await this.api()).remove(id);
  }

  async update(id: string, patch: FileUpdate): Promise<FileInfo> {
    return (await this.api()).update(id, patch);
  }
}

