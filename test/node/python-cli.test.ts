/**
 * ML-Dash Python 0.6.27's CLI (`python -m ml_dash.cli`: upload, list, download, remove, create,
 * api, profile, logout) and every public method of its RemoteClient run against `ml-dash serve`
 * (test/python/cli_full.py, client_full.py); what they print and what the server then holds is
 * checked here. The server answers GraphQL itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PYTHON_SUITE_TIMEOUT_MS, pythonSkipReason } from "../support/python.ts";
import { readMcap } from "../support/mcap-read.ts";
import { failed, ok, saveRecording, startPythonBench, type PythonBench, type ScenarioRun } from "../support/python-scenarios.ts";

const skip = pythonSkipReason();
const NS = "alice";
let bench: PythonBench;
let cliRun: Promise<ScenarioRun>;
let clientRun: Promise<ScenarioRun>;

beforeAll(async () => {
  if (skip) return;
  bench = await startPythonBench({ namespace: NS });
  cliRun = bench.scenario("cli_full.py", ["URL", NS, "py-cli"]);
  clientRun = bench.scenario("client_full.py", ["URL", NS, "py-client"]);
  cliRun.then((r) => saveRecording("cli", r), () => undefined);
  clientRun.then((r) => saveRecording("client", r), () => undefined);
  await Promise.allSettled([cliRun, clientRun]);
}, PYTHON_SUITE_TIMEOUT_MS);

afterAll(async () => {
  await bench?.stop();
});

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
  file?: { text?: string | null; head: string; bytes: number } | null;
}
const cli = (doc: ScenarioRun["doc"], name: string): Cli => ok<Cli>(doc, name);
/** The entries of arm/joints: append_to_track's, then a batch of two. */
const ARM: Record<string, unknown>[] = [{ timestamp: 1, q: [0.1, 0.2] }, { timestamp: 2, q: [0.3, 0.4] }, { timestamp: 3, q: [0.5, 0.6], tag: "x" }];
const values = (read: { data: { data: Record<string, unknown> }[] }) => read.data.map((p) => p.data);
const UPLOADED = [
  { timestamp: 1, x: 2, q: [1, -1] },
  { timestamp: 2, x: 4, q: [2, -2] },
  { timestamp: 3, x: 6, q: [3, -3] },
];

describe.skipIf(skip)(`ML-Dash Python's CLI against ml-dash serve${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("version, profile (fresh from GetCurrentUser, and --cached), api with --jq", async () => {
    const { doc } = await cliRun;
    expect(cli(doc, "cli.version")).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ml-dash \S+\n$/) });
    expect(JSON.parse(cli(doc, "cli.profile").stdout)).toMatchObject({ authenticated: true, source: "server", user: { username: NS } });
    expect(JSON.parse(cli(doc, "cli.profile.cached").stdout)).toMatchObject({ authenticated: true, source: "token" });
    expect(JSON.parse(cli(doc, "cli.api.query").stdout)).toEqual({ me: { username: NS } });
    expect(cli(doc, "cli.api.jq")).toMatchObject({ code: 0, stdout: `"${NS}"\n` });
    expect(JSON.parse(cli(doc, "cli.api.full_query").stdout)).toMatchObject({ namespace: { slug: NS } });
  });

  test("create makes a project (in the given namespace, or the caller's), and again is not an error", async () => {
    const { doc } = await cliRun;
    for (const step of ["cli.create", "cli.create.again", "cli.create.own_namespace"]) {
      expect(cli(doc, step)).toMatchObject({ code: 0, stdout: expect.stringContaining(`namespace '${NS}'`) });
    }
    expect(cli(doc, "cli.create.own_namespace").stdout).toContain("py-cli-mine");
  });

  test("upload: a run Python wrote locally arrives with its params, logs, metrics (None included) and files; tracks are not uploaded", async () => {
    const { doc } = await cliRun;
    expect(cli(doc, "cli.upload.dry_run")).toMatchObject({ code: 0, stdout: expect.stringContaining("DRY RUN") });
    expect(cli(doc, "cli.upload")).toMatchObject({ code: 0, stdout: expect.stringMatching(/Successful\s*│\s*1\/1/) });
    expect(ok(doc, "server.experiment")).toMatchObject({ name: "cli-exp", description: "written locally", tags: ["cli"], metadata: { via: "cli_full" } });
    expect(ok(doc, "server.params")).toEqual({ lr: 0.01, "model.depth": 4 });
    const logs = ok<{ logs: { level: string; message: string; metadata?: unknown }[] }>(doc, "server.logs").logs;
    expect(logs.map((l) => [l.level, l.message, l.metadata])).toEqual([["info", "local log", { n: 1 }], ["error", "local error", undefined]]);
    expect(values(ok(doc, "server.metric.train"))).toEqual([{ loss: 0.9, step: 0, _ts: 10 }, { loss: 0.7, step: 1, _ts: 11 }]);
    expect(values(ok(doc, "server.metric.unnamed"))).toEqual([{ epoch: 1, _ts: 12 }]);
    const files = ok<{ files: { pPath: string }[] }>(doc, "server.files").files.map((f) => f.pPath).sort();
    expect(files).toEqual(["/configs/config.json", "/notes/readme.txt"]);
    expect(ok<{ topic: string }[]>(doc, "server.tracks").map((t) => t.topic)).toEqual(["robot/uploaded"]);
    expect(cli(doc, "cli.upload.target").code).toBe(0);
    expect(ok(doc, "server.copy")).toMatchObject({ name: "cli-exp", project: { slug: "py-cli-copy" } });
  });

  test("upload --tracks sends a JSONL file to one topic (lines without a timestamp skipped), and download --tracks reads it back", async () => {
    const { doc } = await cliRun;
    expect(cli(doc, "cli.upload.track")).toMatchObject({ code: 0, stdout: expect.stringContaining("Total entries: 3") });
    expect(ok(doc, "server.track.uploaded")).toEqual({ entries: UPLOADED, count: 3 });
    const jsonl = cli(doc, "cli.download.track.jsonl");
    expect(jsonl.code).toBe(0);
    expect((jsonl.file?.text ?? "").trim().split("\n").map((l) => JSON.parse(l))).toEqual(UPLOADED);
    const json = cli(doc, "cli.download.track.json");
    expect(JSON.parse(json.file?.text ?? "null")).toEqual({ entries: UPLOADED, count: 3 });
    // "ns/project/folder/cli-exp/topic": the experiment found through the project's node tree
    expect(cli(doc, "cli.download.track.folder_path")).toMatchObject({ code: 0, stdout: expect.stringContaining("Experiment: folder/cli-exp") });
    expect(JSON.parse(cli(doc, "cli.download.track.not_uploaded").file?.text ?? "null")).toMatchObject({ entries: [] });
  });

  test("list: projects, a project's experiments (by status too), glob search, tracks", async () => {
    const { doc } = await cliRun;
    for (const step of ["cli.list.projects", "cli.list.projects.namespace"]) expect(cli(doc, step)).toMatchObject({ code: 0, stdout: expect.stringContaining("py-cli") });
    expect(cli(doc, "cli.list.experiments")).toMatchObject({ code: 0, stdout: expect.stringContaining("folder/cli-exp") });
    expect(cli(doc, "cli.list.experiments.own")).toMatchObject({ code: 0, stdout: expect.stringContaining("folder/cli-exp") });
    // uploaded runs stay RUNNING: the uploader never sends a status
    expect(cli(doc, "cli.list.experiments.status")).toMatchObject({ code: 0, stdout: expect.stringContaining("No experiments found") });
    expect(cli(doc, "cli.list.search")).toMatchObject({ code: 0, stdout: expect.stringMatching(/Search results for: alice\/py-\*\/\*[\s\S]*cli-exp/) });
    expect(cli(doc, "cli.list.search.full")).toMatchObject({ code: 0, stdout: expect.stringContaining("cli-exp") });
    expect(cli(doc, "cli.list.tracks")).toMatchObject({ code: 0, stdout: expect.stringContaining("robot/uploaded") });
  });

  test("remove asks for the name and cancels on a wrong one; logout forgets the token", async () => {
    const { doc } = await cliRun;
    expect(cli(doc, "cli.remove.cancelled")).toMatchObject({ code: 0, stdout: expect.stringContaining("Deletion cancelled") });
    expect(cli(doc, "cli.remove.missing")).toMatchObject({ code: 0, stdout: expect.stringContaining("not found") });
    expect(cli(doc, "cli.logout").code).toBe(0);
    expect(JSON.parse(cli(doc, "cli.profile.logged_out").stdout)).toMatchObject({ authenticated: false });
    expect(ok(doc, "token_after_logout")).toBeNull();
  });

  describe("ML-Dash Python 0.6.27's own CLI bugs, pinned", () => {
    test("download -p ns/project sends 'ns/project' as the project slug, so it never finds an experiment", async () => {
      const { doc, requests } = await cliRun;
      for (const step of ["cli.download", "cli.download.dry_run", "cli.download.experiment"]) {
        expect(cli(doc, step)).toMatchObject({ code: 0, stdout: expect.stringContaining("No experiments found") });
      }
      expect(requests.filter((r) => r.operation === "ExperimentsPaginated" || r.operation === "Experiment").length).toBeGreaterThan(0);
      expect(ok(doc, "downloaded.tree")).toEqual([]);
    });
  });

  describe("remove and track downloads in every format", () => {
    test("remove -y deletes the project (DELETE /api/projects/{id}) with its experiments", async () => {
      const { doc } = await cliRun;
      expect(cli(doc, "cli.remove")).toMatchObject({ code: 0, stdout: expect.stringContaining("deleted from namespace") });
      expect(cli(doc, "cli.remove").stdout).toMatch(/Deleted nodes: \d+/);
      expect(ok<{ projects: { slug: string }[] }>(doc, "server.after_remove").projects.map((p) => p.slug)).not.toContain("py-cli-made");
    });

    test("download --tracks -f parquet writes a Parquet file pyarrow reads back", async () => {
      const { doc } = await cliRun;
      const r = cli(doc, "cli.download.track.parquet");
      expect(r.code).toBe(0);
      expect(Buffer.from(r.file?.head ?? "", "base64").subarray(0, 4).toString("latin1")).toBe("PAR1");
      expect(ok(doc, "cli.download.track.parquet.rows").rows).toEqual(UPLOADED);
    });

    test("download --tracks -f mcap writes an MCAP file: one message per entry", async () => {
      const { doc } = await cliRun;
      const r = cli(doc, "cli.download.track.mcap");
      expect(r.code).toBe(0);
      const mcap = readMcap(Buffer.from(ok<string>(doc, "cli.download.track.mcap.bytes"), "base64"));
      expect(mcap.channels.map((c) => c.topic)).toEqual(["robot/uploaded"]);
      expect(mcap.messages.map((m) => JSON.parse(m.data))).toEqual(UPLOADED);
    });
  });
});

describe.skipIf(skip)(`ML-Dash Python's RemoteClient against ml-dash serve${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("identity: the namespace comes from GetMyNamespace, the user from GetCurrentUser; GraphQL errors become NetworkError", async () => {
    const { doc } = await clientRun;
    expect(ok(doc, "namespace")).toBe(NS);
    expect(ok(doc, "get_current_user")).toMatchObject({ username: NS });
    expect(ok(doc, "graphql_query")).toEqual({ namespace: { slug: NS } });
    expect(failed(doc, "graphql_query.error")).toMatchObject({ type: "NetworkError", message: expect.stringContaining('"noSuchField"') });
    expect(ok(doc, "userinfo")).toMatchObject({ username: NS, bool: true });
    expect(ok(doc, "context_manager")).toEqual({ lr: 0.2, "model.depth": 3 });
  });

  test("experiments are upserted by prefix; status updates find the node with or without the id cache", async () => {
    const { doc } = await clientRun;
    const first = ok(doc, "create_or_update_experiment");
    expect(first).toMatchObject({ experiment: { name: "client-exp", description: "via RemoteClient", tags: ["client"], metadata: { k: "v" } }, project: { slug: "py-client" } });
    expect(ok(doc, "create_or_update_experiment.again")).toMatchObject({ experiment: { id: first.experiment.id }, node: { id: first.node.id } });
    expect(ok(doc, "update_experiment_status")).toMatchObject({ id: first.node.id, status: "COMPLETED" });
    expect(ok(doc, "update_experiment_status.uncached")).toMatchObject({ status: "FAILED" });
    expect(ok(doc, "get_experiment_graphql")).toMatchObject({ id: first.experiment.id, status: "COMPLETED" });
    expect(ok(doc, "get_experiment_graphql.missing")).toBeNull();
    expect(ok(doc, "get_experiment_by_path_graphql")).toMatchObject({ id: first.experiment.id, name: "client-exp" });
    expect(ok(doc, "get_experiment_by_path_graphql.flat")).toMatchObject({ name: "flat-exp", status: "FAILED" });
    expect(ok(doc, "get_experiment_by_path_graphql.missing")).toBeNull();
  });

  test("logs: batches get sequence numbers; queries filter by level, text, time, order and page", async () => {
    const { doc } = await clientRun;
    expect(ok(doc, "create_log_entries")).toMatchObject({ created: 2, startSequence: 0, endSequence: 1 });
    expect(ok<{ logs: { message: string }[] }>(doc, "query_logs").logs.map((l) => l.message)).toEqual(["one", "two"]);
    expect(ok<{ logs: { message: string }[] }>(doc, "query_logs.filtered").logs.map((l) => l.message)).toEqual(["two"]);
    expect(ok<{ logs: { message: string }[] }>(doc, "query_logs.time").logs.map((l) => l.message)).toEqual(["two"]);
  });

  test("params merge; metrics append one point or a batch, read by page, with stats and the list", async () => {
    const { doc } = await clientRun;
    expect(ok(doc, "get_parameters")).toEqual({ lr: 0.2, "model.depth": 3 });
    expect(values(ok(doc, "read_metric_data"))).toEqual([{ v: 1, _ts: 1 }, { v: 0.5, _ts: 2 }, { v: 0.25, _ts: 3 }]);
    expect(values(ok(doc, "get_metric_data"))).toEqual([{ v: 0.5, _ts: 2 }]);
    expect(values(ok(doc, "get_metric_data.unnamed"))).toEqual([{ epoch: 1, _ts: 4 }]);
    expect(ok(doc, "get_metric_stats")).toMatchObject({ name: "loss", description: "the loss", tags: ["t"], metadata: { unit: "nats" }, totalDataPoints: "3" });
    expect(ok<{ name: string | null }[]>(doc, "list_metrics").map((m) => m.name ?? "None").sort()).toEqual(["None", "loss"]);
  });

  test("tracks: a batch, read as JSON / JSONL, by range and columns, listed", async () => {
    const { doc } = await clientRun;
    expect(ok(doc, "get_track_data")).toEqual({ entries: ARM, count: 3 });
    const inRange = ARM.slice(1).map(({ tag: _t, ...e }) => e);
    expect(ok(doc, "get_track_data.range")).toEqual({ entries: inRange, count: 2 });
    expect(ok<{ text: string }>(doc, "get_track_data.jsonl").text.split("\n").map((l) => JSON.parse(l))).toEqual(ARM);
    expect(ok<{ topic: string; totalEntries: number }[]>(doc, "list_tracks")).toMatchObject([{ topic: "arm/joints", totalEntries: 3 }]);
  });

  test("files: upload (prefix with namespace/project/experiment folders stripped), list, search, get, download, update, delete", async () => {
    const { doc } = await clientRun;
    const up = ok(doc, "upload_file");
    expect(up).toMatchObject({ path: "weights/v1", filename: "blob.bin", description: "uploaded by the client", tags: ["w"], metadata: { v: 1 }, sizeBytes: 120 });
    expect(ok(doc, "upload_file.prefixed")).toMatchObject({ path: "more", filename: "again.bin" });
    expect(ok(doc, "upload_file.root")).toMatchObject({ path: "", filename: "root.bin" });
    expect(ok(doc, "upload_file.uncached_node")).toMatchObject({ path: "late", filename: "late.bin" });
    expect(ok<{ files: { pPath: string }[] }>(doc, "list_files").files.map((f) => f.pPath).sort()).toEqual(["/more/again.bin", "/weights/v1/blob.bin"]);
    expect(ok(doc, "list_files.page")).toMatchObject({ files: [expect.anything()], totalCount: 2, hasMore: false });
    expect(ok<{ id: string }[]>(doc, "search_files").map((f) => f.id)).toEqual([up.id]);
    expect(ok<{ name: string }[]>(doc, "search_files.everywhere").map((f) => f.name).sort()).toEqual(["again.bin", "blob.bin", "root.bin"]);
    expect(ok(doc, "get_file")).toMatchObject({ id: up.id, name: "blob.bin", physicalFile: { checksum: up.checksum } });
    expect(ok(doc, "download_file")).toBe(up.checksum);
    expect(ok(doc, "download_file_streaming")).toBe(up.checksum);
    expect(ok(doc, "update_file")).toMatchObject({ description: "updated", tags: ["w", "best"], metadata: { v: 2 } });
    expect(ok(doc, "update_file.tags_only")).toMatchObject({ tags: ["only"] });
    expect(ok(doc, "delete_file")).toMatchObject({ id: up.id, deletedAt: expect.any(String) });
    expect(failed(doc, "delete_file.again").message).toMatch(/404/);
  });

  test("a client that did not create a 6-segment experiment sends its upload to parentId ROOT (Python looks for the node 3 levels deep only); the file still lands in the experiment", async () => {
    const { doc, requests } = await clientRun;
    expect(ok(doc, "upload_file.deep_uncached")).toMatchObject({ path: "d", filename: "deep.bin" });
    expect(ok<{ files: { pPath: string }[] }>(doc, "list_files.deep").files.map((f) => f.pPath)).toEqual(["/d/deep.bin"]);
    // the node search found nothing, so neither GetExpInfo nor GetExperimentPath followed
    const sent = requests.filter((r) => r.step === "upload_file.deep_uncached").map((r) => r.operation ?? r.nodeType);
    expect(sent).toEqual(["GetExperimentProject", "GetExperimentNode", "FOLDER", "FILE"]);
  });

  test("projects and experiments listed and searched through GraphQL", async () => {
    const { doc } = await clientRun;
    expect(ok<{ projects: { slug: string; experimentCount: number }[] }>(doc, "list_projects_graphql").projects).toContainEqual(expect.objectContaining({ slug: "py-client", experimentCount: 3 }));
    expect(ok<{ projects: unknown[] }>(doc, "list_projects_graphql.page").projects).toHaveLength(1);
    expect(ok<{ experiments: { name: string }[] }>(doc, "list_experiments_graphql").experiments.map((e) => e.name).sort()).toEqual(["client-exp", "deep-exp", "flat-exp"]);
    expect(ok<{ experiments: { name: string }[] }>(doc, "list_experiments_graphql.status").experiments.map((e) => e.name)).toEqual(["client-exp"]);
    expect(ok<{ experiments: { name: string }[] }>(doc, "search_experiments_graphql").experiments.map((e) => e.name)).toEqual(["client-exp"]);
    expect(ok<{ experiments: { name: string }[] }>(doc, "search_experiments_graphql.class").experiments.map((e) => e.name).sort()).toEqual(["client-exp", "deep-exp", "flat-exp"]);
    expect(failed(doc, "delete_project.missing").type).toBe("ConfigurationError");
  });

  test("ML-Dash Python's own bug, pinned: userinfo always asks https://api.dash.ml, whatever URL the experiments use", async () => {
    // client_full.py points it at this server by patching ml_dash.client.DEFAULT_API_URL
    expect(ok((await clientRun).doc, "userinfo.default_url")).toBe("https://api.dash.ml");
  });

  describe("the calls the SDK never makes", () => {
    test("delete_project (DELETE /api/projects/{id}) deletes the project and its experiment", async () => {
      expect(ok((await clientRun).doc, "delete_project")).toMatchObject({ deleted: 2, experiments: 1 });
    });
    test("download_metric_chunk (GET …/metrics/{name}/chunks/{n}): a metric under 10,000 points has no full chunk yet (404), its points are all buffered", async () => {
      const { doc } = await clientRun;
      expect(failed(doc, "download_metric_chunk").message).toMatch(/404/);
      expect(ok(doc, "get_metric_stats")).toMatchObject({ totalChunks: 0, bufferedDataPoints: "3", chunkSize: 10000 });
    });
    test("create_track (POST …/tracks) and append_to_track (POST …/tracks/{topic}/append)", async () => {
      const { doc } = await clientRun;
      expect(ok(doc, "create_track")).toMatchObject({ topic: "arm/joints", description: "joint angles", tags: ["arm"], metadata: { fps: 30 } });
      expect(ok(doc, "append_to_track")).toMatchObject({ timestamp: 1, data: { q: [0.1, 0.2] } });
    });
    test("list_tracks with a topic pattern ('arm/*')", async () => {
      expect(ok<{ topic: string }[]>((await clientRun).doc, "list_tracks.filter").map((t) => t.topic)).toEqual(["arm/joints"]);
    });
    test("get_track_data as Parquet (read back by pyarrow) and MCAP (by a reader of its own)", async () => {
      const { doc } = await clientRun;
      expect(ok(doc, "get_track_data.parquet.rows").rows).toEqual(ARM.map((e) => ({ tag: null, ...e })));
      expect(readMcap(Buffer.from(ok<string>(doc, "get_track_data.mcap.bytes"), "base64")).messages.map((m) => JSON.parse(m.data))).toEqual(ARM);
    });
  });
});
