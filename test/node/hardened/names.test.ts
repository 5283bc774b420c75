/**
 * Issue 14 items 2 and 6, as the attack: over-long names, control characters and Unicode
 * direction overrides are refused before anything is registered or written, by the server (a
 * real one over loopback, on a real folder, where ENAMETOOLONG would bite) and by the SDK (a
 * 300-character metric name is a ValidationError at log(), and the run completes).
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { Experiment, ValidationError } from "../../../src/index.ts";
import { call, createExperiment } from "../../support/http.ts";
import { httpxMultipart } from "../../support/multipart.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

const IO_TIMEOUT_MS = 60_000;

const BAD: [string, string][] = [
  ["300 ASCII characters", "n".repeat(300)],
  ["128 two-byte characters (256 bytes)", "é".repeat(128)],
  ["a right-to-left override", "report\u202Etxt.exe"],
  ["a direction isolate", "a\u2066b"],
  ["a control character", "a\u0007b"],
  ["a C1 control character", "a\u0085b"],
];

/** Every folder and file under `dir`, relative. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

let root: string;
let srv: TestServer;
let exp: { id: string };
beforeAll(async () => {
  root = tempDir("hardened-names");
  srv = await startServer({ storage: nodeFsAdapter({ root }), token: "secret" });
  exp = await createExperiment(srv.url, "alice/p/run");
});
afterAll(async () => srv?.close());

/** The three listings the review saw answer 500 after a bad create: all still answer 200, with no path of the server's. */
async function listingsAnswer(): Promise<void> {
  for (const path of ["experiments", "search/files", `experiments/${exp.id}/files`]) {
    const r = await call(srv.url, "GET", path);
    expect(r.status, path).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(root);
  }
}

describe("the server refuses bad names before registering anything", () => {
  test.each(BAD)("an experiment, a project and a prefix with %s", async (_what, bad) => {
    const before = tree(root);
    const answers = [
      await call(srv.url, "POST", "namespaces/alice/nodes", { json: { type: "EXPERIMENT", name: bad, projectSlug: "fresh" } }),
      await call(srv.url, "POST", "namespaces/alice/nodes", { json: { type: "EXPERIMENT", name: "x", projectSlug: bad } }),
      await call(srv.url, "POST", "namespaces/alice/nodes", { json: { type: "PROJECT", name: bad, slug: bad } }),
      await call(srv.url, "POST", "namespaces/alice/nodes", { json: { type: "EXPERIMENT", name: "x", projectSlug: "fresh2", prefix: `alice/fresh2/${bad}/x` } }),
      await call(srv.url, "POST", `experiments/${exp.id}/metrics/${encodeURIComponent(bad)}/append`, { json: { data: { v: 1 } } }),
      await call(srv.url, "POST", `experiments/${exp.id}/tracks/${encodeURIComponent(bad)}/append_batch`, { json: { entries: [{ timestamp: 1, v: 1 }] } }),
    ];
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(400);
      expect(["name", "projectSlug", "slug", "prefix", "topic"]).toContain((a.body as { field?: string }).field);
      expect(JSON.stringify(a.body)).not.toContain(root);
    }
    // No trace: no project, no folder, no file.
    expect(tree(root)).toEqual(before);
    const projects = (await call<{ experiments: { prefix: string }[] }>(srv.url, "GET", "experiments")).body.experiments.map((e) => e.prefix);
    expect(projects).toEqual(["alice/p/run"]);
    await listingsAnswer();
  }, IO_TIMEOUT_MS);

  test("an uploaded file with an over-long name: 400 naming it, no bytes and no record", async () => {
    const before = tree(root);
    const { body, headers } = httpxMultipart(
      [["type", "FILE"], ["experimentId", exp.id], ["name", "f".repeat(300)], ["checksum", "0".repeat(64)]],
      { name: "f.bin", bytes: new Uint8Array(10), type: "application/octet-stream" },
    );
    const r = await call(srv.url, "POST", "namespaces/alice/nodes", { body: body as BodyInit, headers });
    expect(r.status).toBe(400);
    expect(r.body["field"]).toBe("name");
    expect(tree(root)).toEqual(before);
    await listingsAnswer();
  }, IO_TIMEOUT_MS);

  test("a file whose whole key is over 1024 bytes (every name short enough alone): 400, no trace", async () => {
    const before = tree(root);
    let parentId: string | undefined;
    for (let i = 0; i < 4; i++) {
      const f = await call(srv.url, "POST", "namespaces/alice/nodes", { json: { type: "FOLDER", experimentId: exp.id, projectId: (await call<{ experiment: { projectId: string } }>(srv.url, "GET", `experiments/${exp.id}`)).body.experiment.projectId, parentId: parentId ?? null, name: `${i}`.repeat(250) } });
      expect(f.status, JSON.stringify(f.body)).toBe(200);
      parentId = (f.body["node"] as { id: string }).id;
    }
    const { body, headers } = httpxMultipart(
      [["type", "FILE"], ["experimentId", exp.id], ["parentId", parentId as string], ["name", "z".repeat(200)], ["checksum", "0".repeat(64)]],
      { name: "f.bin", bytes: new Uint8Array(10), type: "application/octet-stream" },
    );
    const r = await call(srv.url, "POST", "namespaces/alice/nodes", { body: body as BodyInit, headers });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body["field"]).toBe("name");
    expect(JSON.stringify(r.body)).not.toContain(root);
    expect(tree(root).filter((p) => !before.includes(p)).filter((p) => p.includes("z".repeat(200)))).toEqual([]);
    await listingsAnswer();
  }, IO_TIMEOUT_MS);
});

describe("the SDK refuses bad names where they are given", () => {
  test("metrics(300 characters).log() is a ValidationError naming the field; the run still completes", async () => {
    const dir = tempDir("hardened-sdk");
    const e = await new Experiment("alice/p/sdk", { storage: nodeFsAdapter({ root: dir }), echo: false }).run.start();
    let err: unknown;
    try {
      e.metrics("n".repeat(300)).log({ v: 1 });
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe("name");
    expect(() => e.metrics.log({ ["m".repeat(300)]: { v: 1 } })).toThrow(ValidationError);
    expect(() => e.tracks("t".repeat(300)).append({ v: 1 })).toThrow(ValidationError);
    e.metrics("ok").log({ v: 1 });
    await e.run.complete();
    expect(tree(dir).some((p) => p.endsWith("ok/data.jsonl"))).toBe(true);
  }, IO_TIMEOUT_MS);

  test("over-long file names and prefixes are ValidationErrors naming the field", async () => {
    const dir = tempDir("hardened-sdk-files");
    expect(() => new Experiment(`alice/p/${"x".repeat(600)}`, { storage: nodeFsAdapter({ root: dir }), echo: false })).toThrow(ValidationError);
    expect(() => new Experiment(`alice/p/a\u202Eb`, { storage: nodeFsAdapter({ root: dir }), echo: false })).toThrow(ValidationError);
    const e = await new Experiment("alice/p/files", { storage: nodeFsAdapter({ root: dir }), echo: false }).run.start();
    const err = await e.files.saveText("x", { to: "f".repeat(300) }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe("to");
    await e.run.complete();
  }, IO_TIMEOUT_MS);
});
