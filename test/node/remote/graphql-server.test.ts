/**
 * `POST /graphql` of our server over loopback: the queries ML-Dash Python sends, answered from
 * the same store the REST API writes (projects, the node tree, experiments with their logs,
 * metrics, parameters, files and tracks), GraphQL errors for unknown fields and operations, and
 * the same bearer token as `/api`.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type TestServer } from "../../support/server.ts";

const TOKEN = "graphql-test-token";
let server: TestServer;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.json();
}

async function gql(query: string, variables: Record<string, unknown> = {}, o: { token?: string | null; operationName?: string } = {}): Promise<{ status: number; body: any }> {
  const token = o.token === undefined ? TOKEN : o.token;
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables, ...(o.operationName ? { operationName: o.operationName } : {}) }),
  });
  return { status: res.status, body: await res.json() };
}

let exp: { experiment: { id: string }; node: { id: string }; project: { id: string } };

beforeAll(async () => {
  server = await startServer({ token: TOKEN, user: "alice" });
  await api("POST", "namespaces/alice/nodes", { type: "PROJECT", name: "empty", slug: "empty" });
  exp = await api("POST", "namespaces/alice/nodes", { type: "EXPERIMENT", name: "run", projectSlug: "proj", prefix: "alice/proj/f1/f2/run", description: "d", tags: ["t"], metadata: { k: 1 } });
  await api("POST", "namespaces/alice/nodes", { type: "EXPERIMENT", name: "flat", projectSlug: "proj", prefix: "alice/proj/flat" });
  const id = exp.experiment.id;
  await api("POST", `experiments/${id}/logs`, { logs: [{ timestamp: "2026-01-01T00:00:00.000000Z", level: "info", message: "a" }, { timestamp: "2026-01-01T00:00:01.000000Z", level: "error", message: "b" }] });
  await api("POST", `experiments/${id}/parameters`, { data: { lr: 0.1, "model.depth": 3 } });
  await api("POST", `experiments/${id}/metrics/train/append-batch`, { dataPoints: [{ loss: 1, _ts: 1 }, { loss: 0.5, _ts: 2 }] });
  await api("POST", `experiments/${id}/tracks/${encodeURIComponent("robot/pose")}/append_batch`, { entries: [{ timestamp: 1, x: 1 }] });
  await api("PATCH", `nodes/${exp.node.id}`, { status: "COMPLETED" });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("GraphQL over the store", () => {
  test("me is the token's user; GetProject lists the namespace's projects, empty ones too", async () => {
    expect((await gql("query GetMyNamespace { me { username } }")).body).toEqual({ data: { me: { username: "alice" } } });
    const { body } = await gql("query GetProject($namespace: String!) { namespace(slug: $namespace) { projects { id slug } } }", { namespace: "alice" });
    expect(body.data.namespace.projects.map((p: { slug: string }) => p.slug)).toEqual(["empty", "proj"]);
    expect(body.data.namespace.projects[1].id).toBe(exp.project.id);
  });

  test("an experiment by id: attributes, status, project, log count, metrics, parameters, tracks", async () => {
    const { body } = await gql(
      `query GetExperiment($id: ID!) { experimentById(id: $id) { id name description tags status metadata displayPath projectId
        project { slug namespace { slug } } logMetadata { totalLogs } metrics { name metricMetadata { totalDataPoints } }
        parameters { data } trackCount files { id } } }`,
      { id: exp.experiment.id },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.experimentById).toEqual({
      id: exp.experiment.id, name: "run", description: "d", tags: ["t"], status: "COMPLETED", metadata: { k: 1 }, displayPath: "f1/f2/run", projectId: exp.project.id,
      project: { slug: "proj", namespace: { slug: "alice" } }, logMetadata: { totalLogs: 2 }, metrics: [{ name: "train", metricMetadata: { totalDataPoints: 2 } }],
      parameters: { data: { lr: 0.1, "model.depth": 3 } }, trackCount: 1, files: [],
    });
    expect((await gql("query($id: ID!) { experimentById(id: $id) { id } }", { id: "404" })).body).toEqual({ data: { experimentById: null } });
  });

  test("the project's node tree: folders of the prefixes with the experiments inside, and the experiment node by experiment id", async () => {
    const { body } = await gql(
      `query GetExperimentPath($namespaceSlug: String!, $projectSlug: String!) { project(namespaceSlug: $namespaceSlug, projectSlug: $projectSlug) {
        nodes(parentId: null, maxDepth: 10) { id name type pPath experimentId children { id name type pPath experimentId children { id name type experimentId } } } } }`,
      { namespaceSlug: "alice", projectSlug: "proj" },
    );
    const nodes = body.data.project.nodes;
    expect(nodes.map((n: { name: string; type: string }) => [n.name, n.type])).toEqual([["f1", "FOLDER"], ["flat", "EXPERIMENT"]]);
    expect(nodes[0].children[0]).toMatchObject({ name: "f2", type: "FOLDER", pPath: "/f1/f2" });
    expect(nodes[0].children[0].children).toEqual([{ id: exp.node.id, name: "run", type: "EXPERIMENT", experimentId: exp.experiment.id }]);
    const node = await gql("query GetExperimentNode($experimentId: ID!) { experimentNode(experimentId: $experimentId) { id } }", { experimentId: exp.experiment.id });
    expect(node.body.data.experimentNode).toEqual({ id: exp.node.id });
  });

  test("pages of projects and experiments (by status), one experiment by path, and a glob search", async () => {
    const projects = await gql("query { projectsPaginated(limit: 1, offset: 1) { projects { slug experimentCount } totalCount hasMore } }");
    expect(projects.body.data.projectsPaginated).toEqual({ projects: [{ slug: "proj", experimentCount: 2 }], totalCount: 2, hasMore: false });
    const done = await gql("query($s: ExperimentStatus) { experimentsPaginated(projectSlug: \"proj\", status: $s) { experiments { name } totalCount } }", { s: "COMPLETED" });
    expect(done.body.data.experimentsPaginated).toEqual({ experiments: [{ name: "run" }], totalCount: 1 });
    const one = await gql('query { experiment(projectSlug: "proj", experimentName: "f1/f2/run") { id } }');
    expect(one.body.data.experiment).toEqual({ id: exp.experiment.id });
    const found = await gql('query { searchExperimentsPaginated(pattern: "alice/pr?j/*", limit: 10, offset: 0) { experiments { name } totalCount } }');
    expect(found.body.data.searchExperimentsPaginated).toEqual({ experiments: [{ name: "run" }, { name: "flat" }], totalCount: 2 }); // by path: f1/f2/run, flat
  });

  test("unknown fields and operations are GraphQL errors (200 with errors), a body that is no request is a 400", async () => {
    const unknown = await gql("{ me { noSuchField } }");
    expect(unknown.status).toBe(200);
    expect(unknown.body.errors[0].message).toContain('"noSuchField"');
    const op = await gql("query A { me { username } }", {}, { operationName: "B" });
    expect(op.body.errors[0].message).toMatch(/Unknown operation named "B"/);
    const parse = await gql("{ me {");
    expect(parse.body.errors[0].message).toMatch(/Syntax Error/);
    const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: "[]" });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].message).toMatch(/query/);
  });

  test("the token is asked for as on /api", async () => {
    expect((await gql("{ me { username } }", {}, { token: null })).status).toBe(401);
    expect((await gql("{ me { username } }", {}, { token: "wrong" })).status).toBe(401);
  });
});
