/**
 * `ml-dash upload` keeps a run's history: every metric line's `createdAt` (so the server's
 * `firstDataAt` is when the data was written, not uploaded), an inferred terminal status for a
 * run that never recorded one (ML-Dash Python's), and soft-deleted file records, as deleted.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { RemoteClient } from "../../../src/backends/remote/client.ts";
import { parseJsonLines } from "../../../src/layout/py-json-parse.ts";
import { uploadRun } from "../../../src/replicate/sync.ts";
import { REPO } from "../../support/child.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

const PY_RUN = join(REPO, "test/fixtures/python-run");
const RUN = "alice/reference/mlp/python-run";
const TOKEN = "tok-123456789";
let srv: TestServer;

beforeAll(async () => {
  srv = await startServer({ token: TOKEN });
});
afterAll(async () => srv.close());

async function serverText(key: string): Promise<string> {
  const b = await srv.storage.read(key);
  return b ? new TextDecoder().decode(b) : "";
}

/** Adds a soft-deleted record (with its content, which Python keeps) to a Python run's files. */
function addDeleted(dir: string, id: string, path: string, filename: string, content: string, at: string): void {
  const metaFile = join(dir, "files/.files_metadata.json");
  const doc = JSON.parse(readFileSync(metaFile, "utf8")) as { files: Record<string, unknown>[] };
  mkdirSync(join(dir, "files", path.replace(/^\//, ""), id), { recursive: true });
  writeFileSync(join(dir, "files", path.replace(/^\//, ""), id, filename), content);
  const checksum = createHash("sha256").update(content).digest("hex");
  doc.files.unshift({ ...doc.files[0], id, path, filename, contentType: "text/plain", sizeBytes: Buffer.byteLength(content), checksum, uploadedAt: at, updatedAt: at, deletedAt: at });
  writeFileSync(metaFile, JSON.stringify(doc));
}

describe("upload keeps history", () => {
  test("createdAt of every metric line, params times, an inferred COMPLETED status, soft-deleted files as deleted; a second upload adds nothing", async () => {
    const root = tempDir("upload-history");
    cpSync(PY_RUN, root, { recursive: true });
    const dir = join(root, RUN);
    addDeleted(dir, "7355085854400001", "/notes", "readme.txt", "an older readme\n", "2026-11-26T06:40:57.420000Z");
    addDeleted(dir, "7355085854400002", "/old", "gone.txt", "deleted before the upload\n", "2026-11-26T06:40:57.421000Z");
    const storage = nodeFsAdapter({ root });
    expect(JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8")).status).toBeUndefined(); // Python records none
    const client = new RemoteClient({ dashUrl: srv.url, token: TOKEN });

    const first = await uploadRun(client, storage, RUN);
    expect(first.files).toMatchObject({ uploaded: 3, deleted: 2 });

    let lines = 0;
    for (const m of ["train", "eval", "batch", "None"]) {
      const local = parseJsonLines<Record<string, unknown>>(readFileSync(join(dir, `metrics/${m}/data.jsonl`))).records;
      const remote = parseJsonLines<Record<string, unknown>>(await serverText(`${RUN}/metrics/${m}/data.jsonl`)).records;
      expect(remote.map((r) => r["createdAt"])).toEqual(local.map((r) => r["createdAt"]));
      // firstDataAt (the metadata's createdAt) is when the first point was written, not the upload.
      expect(JSON.parse(await serverText(`${RUN}/metrics/${m}/metadata.json`)).createdAt).toBe(local[0]?.["createdAt"]);
      lines += local.length;
    }
    expect(lines).toBe(35);
    expect(JSON.parse(await serverText(`${RUN}/experiment.json`)).status).toBe("COMPLETED");
    const params = JSON.parse(readFileSync(join(dir, "parameters.json"), "utf8"));
    expect(JSON.parse(await serverText(`${RUN}/parameters.json`))).toEqual(params); // data, version and updatedAt

    const files = (JSON.parse(await serverText(`${RUN}/files/.files_metadata.json`)) as { files: { filename: string; path: string; uploadedAt: string; deletedAt: string | null; checksum: string }[] }).files;
    expect(files.length).toBe(5);
    // Each record keeps its times: when it was first stored and, for a deleted one, when it was deleted.
    const localFiles = (JSON.parse(readFileSync(join(dir, "files/.files_metadata.json"), "utf8")) as { files: { filename: string; path: string; uploadedAt: string; deletedAt: string | null }[] }).files;
    const times = (fs: readonly { filename: string; path: string; uploadedAt: string; deletedAt: string | null }[]): string[] => fs.map((f) => `${f.path}/${f.filename} ${f.uploadedAt} ${f.deletedAt}`).sort();
    expect(times(files)).toEqual(times(localFiles));
    expect(files.filter((f) => f.deletedAt !== null).map((f) => f.filename).sort()).toEqual(["gone.txt", "readme.txt"]);
    expect(files.filter((f) => f.deletedAt === null).map((f) => f.filename).sort()).toEqual(["config.json", "data.bin", "readme.txt"]);

    const again = await uploadRun(client, storage, RUN);
    expect(again.sent).toBe(0);
    expect(again.files).toMatchObject({ uploaded: 0, deleted: 0, unchanged: 4 });
    expect((JSON.parse(await serverText(`${RUN}/files/.files_metadata.json`)) as { files: unknown[] }).files.length).toBe(5);
  }, 60_000);
});
