/**
 * `ml-dash upload` with files: the files of a run written by ML-Dash Python and of one written
 * by this SDK reach the server (same paths, names, bytes and checksums); what the server already
 * holds is not sent again (after an interrupted upload, or a second run); later local changes
 * (a new file, an update, a delete) are applied by the next upload.
 */
import { cpSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { Experiment } from "../../../src/index.ts";
import { parsePyJson } from "../../../src/layout/py-json-parse.ts";
import { bundleCli, REPO, runCli, type ChildResult } from "../../support/child.ts";
import { call, createExperiment } from "../../support/http.ts";
import { httpxMultipart } from "../../support/multipart.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

const PY_RUN = join(REPO, "test/fixtures/python-run"); // vendored: a fresh clone has no ../shared
const PY = "alice/reference/mlp/python-run";
const TOKEN = "tok-123456789";
type Obj = Record<string, unknown>;
let cli: string;
let srv: TestServer;

beforeAll(async () => {
  cli = await bundleCli();
  srv = await startServer({ token: TOKEN });
});
afterAll(async () => srv.close());

function run(args: string[]): Promise<ChildResult> {
  return runCli(cli, args, { env: { ML_DASH_TOKEN: TOKEN } });
}

async function serverFiles(dir: string): Promise<Obj[]> {
  const b = await srv.storage.read(`${dir}/files/.files_metadata.json`);
  return b ? (parsePyJson(new TextDecoder().decode(b)) as { files: Obj[] }).files : [];
}

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

test("uploads the files of Python's and this SDK's runs, resumes, sends nothing twice, and applies later changes", async () => {
  const root = tempDir("cli-files");
  cpSync(PY_RUN, root, { recursive: true });
  const pyRecords = (parsePyJson(readFileSync(join(root, PY, "files/.files_metadata.json"), "utf8")) as { files: Obj[] }).files;
  const storage = nodeFsAdapter({ root });
  await new Experiment("bob/cli/files", { storage, echo: false }).run(async (e) => {
    await e.files("models", { tags: ["m"] }).saveBlob(new Uint8Array(200_000).fill(7), { to: "w.bin", metadata: { epoch: 1 } });
    await e.files.saveText("a", { to: "notes/a.txt" });
    await e.files.saveText("gone", { to: "tmp.txt" });
    await e.files.delete("tmp.txt");
  });

  // An earlier, interrupted upload got one of Python's files there (sent as Python sends it).
  const { id, nodeId, body } = await createExperiment(srv.url, PY, TOKEN);
  const projectId = (body["project"] as { id: string }).id;
  const folder = await call(srv.url, "POST", "namespaces/alice/nodes", { token: TOKEN, json: { type: "FOLDER", projectId, experimentId: id, parentId: nodeId, name: "configs" } });
  const cfg = readFileSync(join(root, PY, "files/configs/7355085854402512/config.json"));
  const mp = httpxMultipart(
    [["type", "FILE"], ["projectId", projectId], ["experimentId", id], ["parentId", (folder.body["node"] as { id: string }).id], ["name", "config.json"], ["checksum", sha(cfg)]],
    { name: "config.json", bytes: cfg, type: "application/json" },
  );
  expect((await call(srv.url, "POST", "namespaces/alice/nodes", { token: TOKEN, body: mp.body as BodyInit, headers: mp.headers })).status).toBe(200);

  const first = await run(["upload", root, "--dash-url", srv.url]);
  expect(first.code, first.stdout + first.stderr).toBe(0);
  expect(first.stdout).toMatch(/python-run: 45 records sent, 0 already there; files: 2 uploaded \([\d.]+ KiB\), 0 updated, 0 deleted, 1 unchanged/);
  expect(first.stdout).toMatch(/bob\/cli\/files: .*files: 2 uploaded \(195\.\d KiB\), 0 updated, 1 deleted, 0 unchanged/); // tmp.txt was deleted before it ever left: it arrives deleted
  expect(first.stdout).toMatch(/4 file\(s\) uploaded/);
  // Python's files: same places, names, sizes, checksums and bytes on the server.
  const onServer = await serverFiles(PY);
  expect(onServer.map((r) => [r["path"], r["filename"], r["sizeBytes"], r["checksum"], r["contentType"]]).sort()).toEqual(
    pyRecords.map((r) => [r["path"], r["filename"], r["sizeBytes"], r["checksum"], r["contentType"]]).sort(),
  );
  for (const r of onServer) {
    const bytes = (await srv.storage.read(`${PY}/files${r["path"]}/${r["id"]}/${r["filename"]}`)) as Uint8Array;
    expect(sha(bytes)).toBe(r["checksum"]);
  }
  expect((await serverFiles("bob/cli/files")).map((r) => [r["path"], r["filename"], r["tags"], r["metadata"], r["deletedAt"] === null])).toEqual([
    ["/models", "w.bin", ["m"], { epoch: 1 }, true],
    ["/notes", "a.txt", [], null, true],
    ["/", "tmp.txt", [], null, false],
  ]);

  // Again: nothing is sent, the server's records are untouched.
  const ids = (await serverFiles(PY)).map((r) => r["id"]);
  const again = await run(["upload", root, "--dash-url", srv.url]);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/python-run: 0 records sent, 45 already there; files: 0 uploaded \(0\.0 KiB\), 0 updated, 0 deleted, 3 unchanged/);
  expect(again.stdout).toMatch(/0 file\(s\) uploaded/);
  expect((await serverFiles(PY)).map((r) => r["id"])).toEqual(ids);

  // Local changes after the upload: the next upload applies them.
  await new Experiment("bob/cli/files", { storage, echo: false }).run(async (e) => {
    const w = (await e.files.list("w.bin"))[0];
    await e.files.update(w?.id as string, { description: "final" });
    await e.files.delete("notes/a.txt");
    await e.files.saveText("b", { to: "notes/b.txt" });
  });
  const third = await run(["upload", root, "--dash-url", srv.url, "--prefix", "bob"]);
  expect(third.stdout).toMatch(/files: 1 uploaded \(0\.0 KiB\), 1 updated, 1 deleted, 1 unchanged/);
  expect((await serverFiles("bob/cli/files")).map((r) => [r["filename"], r["description"], r["deletedAt"] === null])).toEqual([
    ["w.bin", "final", true],
    ["a.txt", null, false],
    ["tmp.txt", null, false],
    ["b.txt", null, true],
  ]);
  await storage.close();
}, 90_000);
