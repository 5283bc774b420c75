/**
 * The files of a run on an ML-Dash server, over the REST calls ML-Dash Python makes (reference
 * ): one FOLDER node per folder of the file's path (owned by the experiment, created once
 * per process), the multipart FILE node, `GET nodes/{id}/download`, `PATCH` and `DELETE
 * nodes/{id}`; plus the REST list `GET experiments/{id}/files` (ML-Dash lists over GraphQL).
 *
 * Answers are flattened to the record the local store keeps ({@link FileInfo}), so the builder
 * API filters, globs and addresses remote files exactly as local ones.
 */
import { NotFoundError, RemoteError } from "../../errors.ts";
import { incrementalSha256, sha256Hex, toHex, type Sha256 } from "../../files/sha256.ts";
import type { DeletedFile, FileContent, FileInfo, FileUpdate } from "../../files/types.ts";
import type { PlainObject } from "../../model/values.ts";
import { routes, target } from "../../protocol/routes.ts";
import { parseBody, type RemoteClient } from "./client.ts";
import { collectBounded as collect, tooLarge } from "../../files/bounded-stream.ts";
import { hashStream, obj, randomKey, readVerified, str, toFileInfo, type Obj } from "./file-record.ts";
import { blobBody, bytesBody, multipartFrame, streamBody } from "./multipart-body.ts";
import { listFilesGraphql } from "./files-graphql.ts";

/** Where files go: the experiment on the server. */
export interface RemoteFileTarget {
  readonly experimentId: string;
  /** The experiment's node id (the parent of its top folder). */
  readonly nodeId: string;
  readonly projectId: string | undefined;
  /** The owner segment of the prefix. */
  readonly namespace: string;
}

/** What an upload stores (the save request without its content). */
export interface UploadMeta {
  readonly path: string;
  readonly filename: string;
  readonly contentType: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly bindrs: readonly string[];
  readonly metadata: PlainObject | null;
  /** When the record was first stored (`ml-dash upload` keeps it): a field of ours, which other servers ignore. */
  readonly uploadedAt?: string | undefined;
}

/** Options of {@link RemoteFilesApi}. */
export interface RemoteFilesOptions {
  /** The runtime's incremental SHA-256, if it has one (else the portable hash, loaded when a stream needs it). */
  readonly sha256?: (() => Sha256) | undefined;
  /** Largest file (bytes). */
  readonly maxBytes: number;
  /** Whether fetch can send a stream body here (not in browsers over HTTP/1.1). Default true. */
  readonly streamBodies?: boolean;
}

const PAGE = 1000;

/** The file calls of one experiment on a server. */
export class RemoteFilesApi {
  /** Folder node ids by logical path (`/models`), created once per process. */
  private readonly folders = new Map<string, Promise<string>>();

  constructor(
    private readonly client: RemoteClient,
    private readonly target: RemoteFileTarget,
    private readonly options: RemoteFilesOptions,
  ) {}

  /** The node id of folder `path` (`/` is the experiment's node), creating each level as Python does. */
  folder(path: string): Promise<string> {
    if (path === "/" || path === "") return Promise.resolve(this.target.nodeId);
    let id = this.folders.get(path);
    if (!id) {
      const cut = path.lastIndexOf("/");
      const parentPath = cut <= 0 ? "/" : path.slice(0, cut);
      const name = path.slice(cut + 1);
      id = this.folder(parentPath).then(async (parentId) => {
        const body: Obj = { type: "FOLDER", projectId: this.target.projectId, experimentId: this.target.experimentId, parentId, name };
        const res = await this.client.request<Obj>(target(routes.createNode, { ns: this.target.namespace }), { json: body });
        const nid = str(obj(res.data?.["node"])["id"]);
        if (nid === null) throw new RemoteError(`The server's answer to creating folder ${path} has no node.id`, res.status, res.data);
        return nid;
      });
      this.folders.set(path, id);
      id.catch(() => this.folders.delete(path));
    }
    return id;
  }

  /**
   * Uploads content as `meta.filename` in folder `meta.path`. `checksum` is the content's SHA-256
   * when the caller knows it (hybrid mode: the local record's); otherwise it is computed, in a
   * first pass when the content can be read again, else while sending.
   */
  async upload(meta: UploadMeta, content: FileContent, checksum?: string): Promise<FileInfo> {
    const max = this.options.maxBytes;
    if (content.kind === "bytes" && content.bytes.length > max) throw tooLarge(content.bytes.length, max);
    if (content.kind === "stream" && content.size !== undefined && content.size > max) {
      await content.stream.cancel().catch(() => undefined);
      throw tooLarge(content.size, max);
    }
    // Everything that can be read twice is hashed first, so the checksum goes before the file as Python sends it.
    let source = content;
    let sum = checksum;
    if (source.kind === "stream" && !source.reopen && !source.blob && this.options.streamBodies === false) {
      source = { kind: "bytes", bytes: await collect(source.stream, max) };
    }
    if (sum === undefined) {
      if (source.kind === "bytes") sum = await sha256Hex(source.bytes);
      else if (source.reopen || source.blob) sum = (await hashStream(source.stream, this.options.sha256, max)).checksum;
    } else if (source.kind === "stream" && (source.reopen || source.blob)) {
      await source.stream.cancel().catch(() => undefined); // each attempt opens its own
    }
    try {
      return await this.send(meta, source, sum);
    } catch (err) {
      // A server that refuses our `uploadedAt` field (it is not ML-Dash's) gets the upload without it.
      if (err instanceof RemoteError && err.status === 400 && meta.uploadedAt !== undefined && JSON.stringify(err.body ?? "").includes("uploadedAt") && (source.kind !== "stream" || source.reopen || source.blob)) {
        const again = source.kind === "stream" && source.reopen ? { ...source, stream: await source.reopen() } : source;
        return this.upload({ ...meta, uploadedAt: undefined }, again, sum);
      }
      // A restarted server may not know a folder created before: create the folders again, once.
      if (!(err instanceof RemoteError && err.status === 404 && obj(err.body)["field"] === "parentId")) throw err;
      this.folders.clear();
      if (source.kind === "stream" && !source.reopen && !source.blob) throw err;
      return this.send(meta, source, sum);
    }
  }

  private async send(meta: UploadMeta, content: FileContent, checksum: string | undefined): Promise<FileInfo> {
    const parentId = await this.folder(meta.path);
    const fields: [string, string][] = [["type", "FILE"]];
    if (this.target.projectId !== undefined) fields.push(["projectId", this.target.projectId]);
    fields.push(["experimentId", this.target.experimentId], ["parentId", parentId], ["name", meta.filename]);
    if (checksum !== undefined) fields.push(["checksum", checksum]);
    if (meta.description) fields.push(["description", meta.description]);
    if (meta.tags.length > 0) fields.push(["tags", meta.tags.some((t) => t.includes(",")) ? JSON.stringify(meta.tags) : meta.tags.join(",")]);
    if (meta.metadata && Object.keys(meta.metadata).length > 0) fields.push(["metadata", JSON.stringify(meta.metadata)]);
    if (meta.bindrs.length > 0) fields.push(["bindrs", meta.bindrs.some((t) => t.includes(",")) ? JSON.stringify(meta.bindrs) : meta.bindrs.join(",")]);
    if (meta.uploadedAt) fields.push(["uploadedAt", meta.uploadedAt]);
    const frame = multipartFrame(fields, meta);
    const size = content.kind === "bytes" ? content.bytes.length : content.size;
    let body: () => Promise<BodyInit>;
    let retries: number | undefined;
    if (content.kind === "bytes") {
      const all = bytesBody(frame, content.bytes);
      body = async () => all as BodyInit;
    } else if (content.blob && this.options.streamBodies === false) {
      const blob = content.blob;
      body = async () => blobBody(frame, blob);
    } else if (content.reopen || content.blob) {
      const reopen = content.reopen ?? (async () => (content.blob as Blob).stream() as ReadableStream<Uint8Array>);
      body = async () => streamBody(frame, await reopen(), this.limit());
    } else {
      // Read once: hashed as it goes, the checksum sent after the file part; no retry is possible.
      const h = await incrementalSha256(this.options.sha256);
      const count = this.limit();
      retries = 0;
      const stream = streamBody(
        frame,
        content.stream,
        (c) => {
          count(c);
          h.update(c);
        },
        () => [["checksum", toHex(h.digest())]],
      );
      body = async () => stream;
    }
    // A large body gets time to go out at 256 KiB/s or more before the answer is due.
    const timeoutMs = size === undefined ? 0 : 30_000 + size / 262.144;
    const res = await this.client.send(target(routes.createNode, { ns: this.target.namespace }), {
      body,
      headers: { "content-type": frame.contentType, "idempotency-key": randomKey() },
      ...(retries === undefined ? {} : { retries }),
      timeoutMs,
    });
    const answer = await parseBody(res);
    return toFileInfo(obj(answer)["file"] ?? answer, { experimentId: this.target.experimentId, path: meta.path, filename: meta.filename, bindrs: meta.bindrs });
  }

  /** A byte counter that stops an upload past the size limit. */
  private limit(): (chunk: Uint8Array) => void {
    let size = 0;
    const max = this.options.maxBytes;
    return (c) => {
      size += c.length;
      if (size > max) throw tooLarge(size, max);
    };
  }

  /**
   * The live files, listed as ML-Dash Python lists them (GraphQL, see `files-graphql.ts`); a server
   * without `/graphql` (404) is asked through the REST list instead.
   */
  async listLive(): Promise<FileInfo[]> {
    try {
      return await listFilesGraphql(this.client, this.target.experimentId);
    } catch (err) {
      if (err instanceof RemoteError && err.status === 404) return (await this.list(false)).filter((f) => f.deletedAt === null);
      throw err;
    }
  }

  /**
   * Every file of the experiment (deleted ones with `includeDeleted`), following pages, through
   * `GET experiments/{id}/files`: ours (ML-Dash lists over GraphQL, live files only), used by
   * `ml-dash upload` to keep deleted records; a server without it answers 404.
   */
  async list(includeDeleted = true): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    for (let offset = 0; ; ) {
      const res = await this.client.request<Obj>(target(routes.listFiles, { id: this.target.experimentId }), {
        query: { limit: PAGE, offset, includeDeleted: includeDeleted ? "true" : undefined },
        msgpack: true,
      });
      const files = Array.isArray(res.data?.["files"]) ? (res.data["files"] as unknown[]) : [];
      for (const f of files) out.push(toFileInfo(f, { experimentId: this.target.experimentId }));
      offset += files.length;
      if (res.data?.["hasMore"] !== true || files.length === 0) return out;
    }
  }

  /** The content's bytes, their SHA-256 checked against the record. */
  async read(file: FileInfo): Promise<Uint8Array> {
    return readVerified(await this.download(file), file);
  }

  /** The content (a 2xx response, body unread). */
  async download(file: FileInfo): Promise<Response> {
    try {
      return await this.client.send(target(routes.downloadNode, { id: file.id }), { headers: { accept: "*/*" } });
    } catch (err) {
      throw this.notFound(err, file.id);
    }
  }

  /** Changes description, tags and metadata. */
  async update(id: string, patch: FileUpdate): Promise<FileInfo> {
    const body: Obj = {};
    if (patch.description !== undefined) body["description"] = patch.description;
    if (patch.tags !== undefined) body["tags"] = patch.tags;
    if (patch.metadata !== undefined) body["metadata"] = patch.metadata;
    try {
      const res = await this.client.request<Obj>(target(routes.updateNode, { id }), { json: body, msgpack: true });
      return toFileInfo(res.data, { experimentId: this.target.experimentId });
    } catch (err) {
      throw this.notFound(err, id);
    }
  }

  /** Soft-deletes a file; `deletedAt` (`ml-dash upload`: the local record's time) goes as a query parameter of ours, which other servers ignore. */
  async remove(id: string, deletedAt?: string): Promise<DeletedFile> {
    try {
      const res = await this.client.request<Obj>(target(routes.deleteNode, { id }), deletedAt ? { query: { deletedAt } } : {});
      return { id: str(res.data?.["id"]) ?? id, deletedAt: str(res.data?.["deletedAt"]) ?? "" };
    } catch (err) {
      throw this.notFound(err, id);
    }
  }

  private notFound(err: unknown, id: string): unknown {
    if (err instanceof RemoteError && err.status === 404) return new NotFoundError(`File ${id} not found on the server (or deleted)`, { cause: err });
    return err;
  }
}
