/**
 * Files: the multipart upload through `POST namespaces/{ns}/nodes` (as
 * ML-Dash Python sends it), `GET nodes/{id}`, `GET nodes/{id}/download`, `PATCH nodes/{id}`,
 * `DELETE nodes/{id}` (soft), `GET search/files`, and `GET experiments/{id}/files` (the list,
 * which ML-Dash serves over GraphQL). Node requests that are not about files fall through to
 * the node routes.
 */
import { Hono, type Context } from "hono";
import type { ValidationError } from "../errors.ts";
import { fullPath, inDir, normalizeDir } from "../files/names.ts";
import { globMatch } from "../files/glob.ts";
import type { PlainObject } from "../model/values.ts";
import { fileJson, fileNodeJson } from "./file-json.ts";
import { check, HttpError } from "./http-error.ts";
import { intQuery, readBody, reply } from "./http-io.ts";
import { experimentOf, nodeOf } from "./lookups.ts";
import type { RunStore } from "./store/index.ts";
import type { ExperimentRef, FileRecord } from "./store/records.ts";
import { FileUpdateBody } from "./schemas.ts";
import { keptTime, uploadFile } from "./upload.ts";

/** `attachment; filename="…"; filename*=UTF-8''…` for any file name. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function truthy(v: string | undefined): boolean {
  return v === "true" || v === "1";
}

/** The file routes. */
export function fileRoutes(store: RunStore): Hono {
  const app = new Hono();

  /** The file `:id`; undefined when it names no file; 404 when deleted unless `deleted`. */
  const file = async (c: Context, deleted = false): Promise<{ entry: ExperimentRef; file: FileRecord } | undefined> => {
    const node = await nodeOf(store, c);
    if (node?.kind !== "file") return undefined;
    if (node.file.deletedAt !== null && !deleted) throw new HttpError(404, `File ${node.file.id} has been deleted`);
    return { entry: node.experiment, file: node.file };
  };

  app.post("/namespaces/:ns/nodes", async (c, next) => {
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/")) return next();
    return reply(c, await uploadFile(c, store));
  });

  app.get("/nodes/:id", async (c, next) => {
    const node = await nodeOf(store, c);
    if (node?.kind === "file-folder") {
      const { folder, experiment: e } = node;
      return reply(c, { id: folder.id, type: "FOLDER", name: folder.name, parentId: folder.parentId, projectId: e.projectId, experimentId: e.id, path: folder.path });
    }
    const f = await file(c, true);
    if (!f) return next();
    return reply(c, fileNodeJson(f.entry, f.file));
  });

  app.get("/nodes/:id/download", async (c) => {
    const f = await file(c);
    if (!f) throw new HttpError(404, `File ${JSON.stringify(c.req.param("id"))} not found`);
    const body = await store.readFile(f.entry, f.file);
    return new Response(body, {
      headers: {
        "content-type": f.file.contentType,
        "content-length": String(f.file.sizeBytes),
        "content-disposition": disposition(f.file.filename),
        etag: `"${f.file.checksum}"`,
      },
    });
  });

  app.patch("/nodes/:id", async (c, next) => {
    const f = await file(c);
    if (!f) return next();
    const patch = check(FileUpdateBody, await readBody(c, { msgpack: true }), "file update");
    const update: { description?: string | null; tags?: string[]; metadata?: PlainObject | null } = {};
    if (patch.description !== undefined) update.description = patch.description;
    if (patch.tags !== undefined) update.tags = patch.tags;
    if (patch.metadata !== undefined) update.metadata = patch.metadata as PlainObject | null;
    return reply(c, fileNodeJson(f.entry, await store.updateFile(f.entry, f.file.id, update)));
  });

  app.delete("/nodes/:id", async (c) => {
    const f = await file(c);
    if (!f) throw new HttpError(404, `Node ${JSON.stringify(c.req.param("id"))} not found (only file nodes can be deleted)`);
    // `deletedAt` (ours): an upload's copy of a record deleted at that time.
    return reply(c, await store.deleteFile(f.entry, f.file.id, { deletedAt: keptTime(c.req.query("deletedAt"), "deletedAt") }));
  });

  app.get("/experiments/:id/files", async (c) => {
    const e = await experimentOf(store, c.req.param("id"));
    const dir = c.req.query("path");
    const pattern = c.req.query("pattern")?.replace(/^\/+/, "");
    let folder: string | undefined;
    try {
      folder = dir === undefined ? undefined : normalizeDir(dir, "path");
    } catch (err) {
      throw new HttpError(400, (err as ValidationError).message, { field: "path" });
    }
    const all = (await store.files(e)).filter(
      (f) =>
        (f.deletedAt === null || truthy(c.req.query("includeDeleted"))) &&
        (folder === undefined || inDir(f.path, folder)) &&
        (!pattern || globMatch(pattern, f.filename) || globMatch(pattern, fullPath(f.path, f.filename))),
    );
    const offset = intQuery(c, "offset", 0);
    const limit = intQuery(c, "limit", 1000, 10_000);
    const page = all.slice(offset, offset + limit);
    return reply(c, { files: page.map((f) => fileJson(e, f)), total: all.length, offset, limit, hasMore: offset + page.length < all.length });
  });

  app.get("/search/files", async (c) => {
    const pattern = (c.req.query("pattern") ?? "").replace(/^\/+/, "");
    const id = c.req.query("experimentId");
    const experiments = id !== undefined && id !== "" ? [await experimentOf(store, id)] : (await store.experiments()).sort((a, b) => a.path.localeCompare(b.path));
    const hits: Record<string, unknown>[] = [];
    for (const e of experiments) {
      for (const f of await store.files(e)) {
        if (f.deletedAt !== null) continue;
        const full = fullPath(f.path, f.filename);
        if (pattern && !globMatch(pattern, full) && !globMatch(pattern, f.filename)) continue;
        // `path` is the file's own path here: Python matches `path.lstrip("/")` against the path it looks for.
        hits.push({ ...fileJson(e, f), name: f.filename, path: "/" + full, dir: f.path, pPath: "/" + full });
      }
    }
    const offset = intQuery(c, "offset", 0);
    const limit = intQuery(c, "limit", 100, 10_000);
    const page = hits.slice(offset, offset + limit);
    return reply(c, { files: page, total: hits.length, offset, limit, hasMore: offset + page.length < hits.length });
  });

  return app;
}
