/**
 * Files as interchange with ML-Dash Python: the files of the reference run (written by Python)
 * list and read here; the files written here are what Python's local storage code reads (its
 * json.load / list / read / checksum logic, and fnmatch for globs); a record Python adds while
 * a run is open here is seen and kept.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { Experiment } from "../../src/runtime/node/entry.ts";
import type { FileInfo } from "../../src/index.ts";
import { REPO } from "../support/child.ts";
import { tempDir } from "../support/node-fixtures.ts";

/** The checks run ML-Dash Python's code in python3 child processes: seconds each on a loaded machine. */
const IO_TIMEOUT_MS = 60_000;

const PY_RUN_ROOT = join(REPO, "test/fixtures/python-run"); // vendored: a fresh clone has no ../shared
const PREFIX = "alice/reference/mlp/python-run";
const hasPython = spawnSync("python3", ["-c", "import json, fnmatch, hashlib"]).status === 0;

function copyOfPythonRun(): string {
  const root = tempDir("pyfiles");
  cpSync(PY_RUN_ROOT, root, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", root]);
  return root;
}

/** What Python 0.6.27's local storage and FileBuilder.list do with a files folder (storage.py, files.py). */
const PY_READER = String.raw`
import fnmatch, hashlib, json, os, sys
root, prefix, patterns = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
files_dir = os.path.join(root, prefix, "files")
meta_path = os.path.join(files_dir, ".files_metadata.json")
text = open(meta_path, encoding="utf-8").read()
meta = json.load(open(meta_path))
assert json.dumps(meta) == text, "not json.dump's formatting"
KEYS = ["id", "experimentId", "path", "filename", "description", "tags", "bindrs", "contentType", "sizeBytes", "checksum", "metadata", "uploadedAt", "updatedAt", "deletedAt"]
for f in meta["files"]:
    assert list(f.keys()) == KEYS, list(f.keys())
live = [f for f in meta.get("files", []) if f.get("deletedAt") is None]
for f in live:
    p = f["path"].lstrip("/") if f["path"] else ""
    src = os.path.join(files_dir, p, f["id"], f["filename"]) if p else os.path.join(files_dir, f["id"], f["filename"])
    data = open(src, "rb").read()
    assert hashlib.sha256(data).hexdigest() == f["checksum"], src
    assert len(data) == f["sizeBytes"], src
matches = {}
for pattern in patterns:
    pat = pattern.lstrip("/")
    out = []
    for f in live:
        full = (f.get("path", "/").rstrip("/") + "/" + f["filename"]).lstrip("/")
        if fnmatch.fnmatch(f["filename"], pat) or fnmatch.fnmatch(full, pat):
            out.append(f["id"])
    matches[pattern] = out
print(json.dumps({"live": [f["id"] for f in live], "all": len(meta["files"]), "matches": matches}))
`;

describe("files written by ML-Dash Python", () => {
  test("list and read back here, records unchanged and checksums verified", async () => {
    const root = copyOfPythonRun();
    const storage = nodeFsAdapter({ root });
    const exp = await new Experiment(PREFIX, { storage, echo: false }).run.start();
    const onDisk = JSON.parse(readFileSync(join(root, PREFIX, "files/.files_metadata.json"), "utf8")).files as FileInfo[];
    expect(await exp.files.list()).toEqual(onDisk);
    expect(await exp.files.readJson("configs/config.json")).toEqual({ model: "mlp", lr: 0.001 });
    expect(await exp.files.readText("notes/readme.txt")).toBe("hello from python\n");
    expect(Array.from(await exp.files.read("blobs/data.bin"))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect((await exp.files.list("*.json")).map((f) => f.filename)).toEqual(["config.json"]);
    expect((await exp.files("notes").list()).map((f) => f.id)).toEqual(["7355085854403896"]);
    // Adding one keeps Python's records byte for byte.
    await exp.files.saveText("from ts", { to: "notes/ts.txt" });
    const text = readFileSync(join(root, PREFIX, "files/.files_metadata.json"), "utf8");
    const original = readFileSync(join(PY_RUN_ROOT, PREFIX, "files/.files_metadata.json"), "utf8");
    expect(text.startsWith(original.slice(0, -2) + ", {")).toBe(true);
    await exp.run.complete();
    await storage.close();
  }, IO_TIMEOUT_MS);
});

describe.skipIf(!hasPython)("files written here, read by Python's code", () => {
  test("Python's json, list, read and checksum logic accept them; fnmatch agrees with our globs", async () => {
    const root = tempDir("pyread-files");
    const storage = nodeFsAdapter({ root });
    const exp = await new Experiment("alice/proj/sub/run", { storage, echo: false }).run.start();
    const saved: FileInfo[] = [];
    saved.push(await exp.files("configs", { tags: ["c"], metadata: { é: [1, NaN] } }).saveJson({ lr: 0.1 }, { to: "cfg.json" }));
    for (let i = 0; i < 20; i++) saved.push(await exp.files(i % 2 ? "images" : "images/val").saveBlob(new Uint8Array([i]), { to: `img_${i}.png` }));
    saved.push(await exp.files.saveText("top", { to: "top.txt" }));
    saved.push(await exp.files.saveText("note é", { to: "notes/a b.txt" }));
    await exp.files("images").saveBlob(new Uint8Array([99]), { to: "img_1.png" }); // overwrite
    await exp.files.delete("images/val/img_4.png");
    await exp.files.update(saved[0]!.id, { description: "updated", tags: ["x", "y"] });
    await exp.files.saveText("after", { to: "after.txt" }); // in-place add after full rewrites
    const patterns = ["*.png", "images/*", "images/val/*.png", "img_1?.png", "[!i]*", "*/a b.txt", "notes/*", "top.txt", "[a-c]*.json"];
    const py = JSON.parse(execFileSync("python3", ["-c", PY_READER, root, "alice/proj/sub/run", JSON.stringify(patterns)], { encoding: "utf8" })) as {
      live: string[];
      all: number;
      matches: Record<string, string[]>;
    };
    expect(py.live).toEqual((await exp.files.list()).map((f) => f.id));
    expect(py.all).toBe(24); // 24 saves; the overwrite replaced one, the delete kept its record
    for (const p of patterns) expect((await exp.files.list(p)).map((f) => f.id), p).toEqual(py.matches[p]);
    await exp.run.complete();
    await storage.close();
  }, IO_TIMEOUT_MS);

  test("a record Python adds while the run is open here is seen, read and kept", async () => {
    const root = tempDir("pywrite-files");
    const storage = nodeFsAdapter({ root });
    const exp = await new Experiment("alice/proj/mixed", { storage, echo: false }).run.start();
    await exp.files.saveText("ts 1", { to: "a/ts1.txt" });
    await exp.files.saveText("ts 2", { to: "a/ts2.txt" });
    // What Python's _save_file does under its lock: copy the bytes, json.load, append, json.dump.
    const script = String.raw`
import datetime, hashlib, json, os, sys
files_dir = os.path.join(sys.argv[1], "alice/proj/mixed/files")
data = b"from python"
fid = "7355099999999999"
os.makedirs(os.path.join(files_dir, "py", fid))
open(os.path.join(files_dir, "py", fid, "p.txt"), "wb").write(data)
now = datetime.datetime.utcnow().isoformat() + "Z"
meta = json.load(open(os.path.join(files_dir, ".files_metadata.json")))
meta["files"].append({"id": fid, "experimentId": "proj/alice/proj/mixed", "path": "/py", "filename": "p.txt", "description": None, "tags": [], "bindrs": [], "contentType": "text/plain", "sizeBytes": len(data), "checksum": hashlib.sha256(data).hexdigest(), "metadata": None, "uploadedAt": now, "updatedAt": now, "deletedAt": None})
with open(os.path.join(files_dir, ".files_metadata.json"), "w") as f:
    json.dump(meta, f)
`;
    execFileSync("python3", ["-c", script, root]);
    expect((await exp.files.list()).map((f) => f.filename)).toEqual(["ts1.txt", "ts2.txt", "p.txt"]);
    expect(await exp.files.readText("py/p.txt")).toBe("from python");
    await exp.files.saveText("ts 3", { to: "a/ts3.txt" });
    const doc = JSON.parse(readFileSync(join(root, "alice/proj/mixed/files/.files_metadata.json"), "utf8")).files as FileInfo[];
    expect(doc.map((f) => f.filename)).toEqual(["ts1.txt", "ts2.txt", "p.txt", "ts3.txt"]);
    await exp.run.complete();
    await storage.close();
  }, IO_TIMEOUT_MS);
});
