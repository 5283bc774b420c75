/**
 * The live files of an experiment as ML-Dash Python lists them: GraphQL
 * `ListExperimentFilesPaginated` at the server's root (`/graphql`), the query text its client
 * sends, 500 files a page. What ML-Dash's own server answers, so `exp.files().list()` of a
 * remote-only run sends nothing Python does not. The answer has no `bindrs` or `updatedAt`:
 * those stay empty in the records it gives.
 */
import { RemoteError } from "../../errors.ts";
import type { FileInfo } from "../../files/types.ts";
import { routes, target } from "../../protocol/routes.ts";
import type { RemoteClient } from "./client.ts";
import { obj, str, toFileInfo } from "./file-record.ts";

/** Python's query, verbatim (ml_dash/client.py `list_files`). */
const LIST_QUERY = `
        query ListExperimentFilesPaginated($experimentId: ID!, $limit: Int!, $offset: Int!) {
          experimentById(id: $experimentId) {
            filesPaginated(limit: $limit, offset: $offset) {
              files {
                id
                name
                description
                tags
                metadata
                createdAt
                pPath
                physicalFile {
                  id
                  filename
                  contentType
                  sizeBytes
                  checksum
                  s3Url
                }
              }
              totalCount
              hasMore
            }
          }
        }
        `;

const PAGE = 500;

/** A GraphQL file node as a record: `pPath` is the folder and the name. */
function fileOf(node: unknown, experimentId: string): FileInfo {
  const n = obj(node);
  const pPath = str(n["pPath"]) ?? "";
  const cut = pPath.lastIndexOf("/");
  const path = cut > 0 ? pPath.slice(0, cut) : "/";
  return { ...toFileInfo({ ...n, path }, { experimentId }), deletedAt: null };
}

/** Every live file of experiment `experimentId`, following pages. GraphQL errors are a {@link RemoteError} naming them. */
export async function listFilesGraphql(client: RemoteClient, experimentId: string): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for (let offset = 0; ; ) {
    const res = await client.request<Record<string, unknown>>(target(routes.graphql, {}), { json: { query: LIST_QUERY, variables: { experimentId, limit: PAGE, offset } } });
    const body = obj(res.data);
    if (Array.isArray(body["errors"]) && body["errors"].length > 0) {
      const messages = body["errors"].map((e) => str(obj(e)["message"]) ?? JSON.stringify(e)).join("; ");
      throw new RemoteError(`Listing the files of experiment ${experimentId} failed: ${messages}`, res.status, body);
    }
    const page = obj(obj(obj(body["data"])["experimentById"])["filesPaginated"]);
    const files = Array.isArray(page["files"]) ? (page["files"] as unknown[]) : [];
    for (const f of files) out.push(fileOf(f, experimentId));
    offset += files.length;
    if (page["hasMore"] !== true || files.length === 0) return out;
  }
}
