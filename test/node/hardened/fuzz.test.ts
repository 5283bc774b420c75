/**
 * Issue 14 acceptance: a property-based fuzz (fast-check) of `ml-dash serve` over every route's
 * path parameters, query and body (shaped like the route's body, msgpack, raw bytes, multipart
 * uploads): never a 500, never an error for the log, the server answers throughout, the run
 * written before the fuzz reads back the same, `Object.prototype` is untouched and memory stays
 * bounded. The route list is checked against what `src/server` registers, so a new route cannot
 * escape the fuzz. Our streaming multipart reader is compared with busboy (the oracle) on
 * random bodies, cut into random chunks. A bounded number of cases: seconds on a loaded machine.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { call, createExperiment } from "../../support/http.ts";
import { httpxMultipart } from "../../support/multipart.ts";
import { startServer, type TestServer } from "../../support/server.ts";
import { encoding, fuzzRoutes, jsonText, type Known, msgpackBytes, pathParam, query, value } from "./fuzz-arbitraries.ts";
import { multipartCase, oracle, ours, split } from "./multipart-oracle.ts";

/** Hundreds of requests over loopback on a loaded machine. */
const FUZZ_TIMEOUT_MS = 300_000;
const TOKEN = "secret";
/** More cases for a deeper run by hand (`ML_DASH_FUZZ_SCALE=10`); `npm test` runs the bounded default. */
const SCALE = Math.max(1, Number(process.env["ML_DASH_FUZZ_SCALE"] ?? 1) || 1);

let srv: TestServer;
const logged: unknown[] = [];
let known: Known;
let kept: { id: string; reads: string[] };

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** What the kept run answers on every read route. */
async function keptReads(id: string): Promise<string[]> {
  const out: string[] = [];
  for (const path of [`experiments/${id}`, `experiments/${id}/metrics/loss/data`, `experiments/${id}/parameters`, `experiments/${id}/tracks/pose/data`, `experiments/${id}/logs`, `experiments/${id}/files`]) {
    const r = await call(srv.url, "GET", path);
    out.push(`${path} ${r.status} ${JSON.stringify(r.body)}`);
  }
  return out;
}

beforeAll(async () => {
  srv = await startServer({ token: TOKEN, onError: (e) => logged.push(e) });
  // The run that must come out of the fuzz as it went in (its ids are never given to the fuzz).
  const k = await createExperiment(srv.url, "keep/p/run");
  await call(srv.url, "POST", `experiments/${k.id}/metrics/loss/append-batch`, { json: { dataPoints: [{ v: 1 }, { v: 2 }] } });
  await call(srv.url, "POST", `experiments/${k.id}/parameters`, { json: { data: { lr: 0.1, opt: { name: "adam" } } } });
  await call(srv.url, "POST", `experiments/${k.id}/tracks/pose/append_batch`, { json: { entries: [{ timestamp: 1, x: 1 }] } });
  await call(srv.url, "POST", `experiments/${k.id}/logs`, { json: { logs: [{ message: "kept", level: "info" }] } });
  const keptBytes = new TextEncoder().encode("kept");
  const up = httpxMultipart([["type", "FILE"], ["experimentId", k.id], ["name", "kept.txt"], ["checksum", sha256(keptBytes)]], { name: "kept.txt", bytes: keptBytes, type: "text/plain" });
  const kf = await call(srv.url, "POST", "namespaces/keep/nodes", { body: up.body as BodyInit, headers: up.headers });
  expect(kf.status, JSON.stringify(kf.body)).toBe(200);
  kept = { id: k.id, reads: await keptReads(k.id) };
  // The playground: the ids the fuzz may use.
  const p = await createExperiment(srv.url, "alice/play/run");
  await call(srv.url, "POST", `experiments/${p.id}/metrics/m/append`, { json: { data: { v: 1 } } });
  await call(srv.url, "POST", `experiments/${p.id}/tracks/t/append_batch`, { json: { entries: [{ timestamp: 1, x: 1 }] } });
  const f = httpxMultipart([["type", "FILE"], ["experimentId", p.id], ["name", "f.txt"], ["checksum", sha256(new Uint8Array(5))]], { name: "f.txt", bytes: new Uint8Array(5), type: "text/plain" });
  const file = await call<{ id?: string; node?: { id: string } }>(srv.url, "POST", "namespaces/alice/nodes", { body: f.body as BodyInit, headers: f.headers });
  const projectId = String((p.body["experiment"] as { projectId: string }).projectId);
  known = { ids: [p.id, p.nodeId, projectId, String(file.body.node?.id ?? file.body.id ?? p.id)], metric: "m", topic: "t" };
}, FUZZ_TIMEOUT_MS);
afterAll(async () => srv?.close());

/** `METHOD pattern` of every route `src/server` registers (read from its source). */
function registeredRoutes(): string[] {
  const out = new Set<string>();
  for (const file of ["", "graphql/"].flatMap((dir) => readdirSync(`src/server/${dir}`).filter((f) => f.endsWith(".ts")).map((f) => `src/server/${dir}${f}`))) {
    for (const m of readFileSync(file, "utf8").matchAll(/\bapp\.(get|post|patch|put|delete|all)\("([^"]+)"/g)) {
      const pattern = file.includes("graphql/") ? "/graphql" : (m[2] as string);
      out.add(`${(m[1] as string).toUpperCase()} ${pattern}`);
    }
  }
  return [...out].sort();
}

function fill(pattern: string, params: readonly string[]): string {
  let i = 0;
  return pattern.replace(/:[a-z]+/g, () => encodeURIComponent(params[i++ % params.length] as string));
}

describe("fuzzing every route of ml-dash serve", () => {
  test("the fuzz covers every route the server registers", () => {
    const fuzzed = fuzzRoutes({ ids: ["1"], metric: "m", topic: "t" }).map((r) => `${r.method} ${r.pattern}`);
    expect(registeredRoutes().filter((r) => !fuzzed.includes(r))).toEqual([]);
  });

  test(
    "random path parameters, queries and bodies: no 500, nothing logged, the kept run intact, memory bounded",
    async () => {
      const routes = fuzzRoutes(known);
      const rssBefore = process.memoryUsage().rss;
      const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
      const statuses = new Map<number, number>();
      const request = fc.record({
        route: fc.nat(routes.length - 1).map((i) => routes[i] as (typeof routes)[number]),
        params: fc.array(pathParam(known), { minLength: 3, maxLength: 3 }),
        query,
        encoding,
        anyBody: fc.oneof(value, fc.uint8Array({ maxLength: 256 })),
        shaped: fc.boolean(),
        token: fc.constantFrom<string | null>(TOKEN, TOKEN, TOKEN, null, "wrong"),
      });
      await fc.assert(
        fc.asyncProperty(request.chain((r) => (r.route.body ? r.route.body.map((b) => ({ ...r, body: b as unknown })) : fc.constant({ ...r, body: undefined as unknown }))), async (r) => {
          const path = fill(r.route.pattern, r.params);
          const qs = new URLSearchParams(r.query as Record<string, string>).toString();
          const payload = r.shaped && r.body !== undefined ? r.body : r.anyBody;
          const headers: Record<string, string> = {};
          if (r.token !== null) headers["authorization"] = `Bearer ${r.token}`;
          let body: BodyInit | undefined;
          if (r.route.method !== "GET" && r.encoding !== "none") {
            if (r.encoding === "json") {
              body = jsonText(payload);
              headers["content-type"] = "application/json";
            } else if (r.encoding === "msgpack") {
              body = msgpackBytes(payload) as BodyInit;
              headers["content-type"] = "application/msgpack";
            } else {
              body = (payload instanceof Uint8Array ? payload : new TextEncoder().encode(jsonText(payload).replace(/[{}]/g, ""))) as BodyInit;
              headers["content-type"] = "application/octet-stream";
            }
          }
          const url = `${srv.url}${r.route.pattern === "/graphql" ? "/graphql" : `/api${path}`}${qs ? `?${qs}` : ""}`;
          const res = await fetch(url, { method: r.route.method, headers, ...(body === undefined ? {} : { body }) });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${r.route.method} ${url}: ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(logged).toEqual([]);
        }),
        { numRuns: 300 * SCALE, endOnFailure: true },
      );
      expect(kept.reads).toEqual(await keptReads(kept.id));
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
      // Bounded: the requests are small; a leak or an unbounded buffer would show in hundreds of MiB.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 2 ** 20);
      // The fuzz reached past the first checks (not only 400s and 401s).
      expect(statuses.get(200) ?? 0).toBeGreaterThanOrEqual(5);
    },
    FUZZ_TIMEOUT_MS,
  );

  test(
    "multipart uploads with random fields and contents: no 500, the kept run intact",
    async () => {
      const field = fc.oneof(fc.constantFrom("type", "experimentId", "parentId", "name", "checksum", "description", "tags", "metadata", "prefix", "size"), fc.string({ maxLength: 8 }));
      const fieldValue = fc.oneof(fc.constantFrom("FILE", ...known.ids, "0".repeat(64), "{}", '{"__proto__":{"a":1}}', "../../x", "-1"), fc.string({ maxLength: 20 }));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(field, fieldValue), { maxLength: 6 }), fc.uint8Array({ maxLength: 512 }), fc.string({ maxLength: 20 }), fc.nat(), async (fields, bytes, filename, cut) => {
          const all: [string, string][] = cut % 3 === 0 ? [...fields, ["checksum", sha256(bytes)]] : fields;
          const { body, headers } = httpxMultipart(all, { name: filename, bytes, type: "application/octet-stream" });
          // Sometimes cut short (the reader must refuse, not hang or throw a 500).
          const sent = cut % 4 === 0 ? body.subarray(0, cut % (body.length + 1)) : body;
          const r = await call(srv.url, "POST", "namespaces/alice/nodes", { body: sent as BodyInit, headers: { "content-type": headers["content-type"] as string } });
          expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
          expect(logged).toEqual([]);
        }),
        { numRuns: 100 * SCALE, endOnFailure: true },
      );
      expect(kept.reads).toEqual(await keptReads(kept.id));
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe("our streaming multipart reader against busboy (oracle)", () => {
  test("well-formed bodies in random chunks: the same parts, names, file names and bytes", async () => {
    await fc.assert(
      fc.asyncProperty(multipartCase, async (c) => {
        const want = await oracle(c.chunks, c.boundary);
        expect(want.ok, JSON.stringify(want)).toBe(true);
        expect(await ours(c.chunks, c.boundary)).toEqual(want);
      }),
      { numRuns: 200 * SCALE },
    );
  }, FUZZ_TIMEOUT_MS);

  test("the same bodies cut short: both refuse them (ours with a MultipartError, never a hang)", async () => {
    await fc.assert(
      fc.asyncProperty(multipartCase, fc.nat(), fc.array(fc.nat(), { maxLength: 4 }), async (c, at, cuts) => {
        const short = c.body.subarray(0, at % Math.max(1, c.body.length - c.closing + 1));
        const chunks = split(short, cuts);
        const [a, b] = await Promise.all([ours(chunks, c.boundary), oracle(chunks, c.boundary)]);
        expect(b.ok, `busboy: ${JSON.stringify(b)}`).toBe(false);
        expect(a.ok, `ours: ${JSON.stringify(a)}`).toBe(false);
      }),
      { numRuns: 200 * SCALE },
    );
  }, FUZZ_TIMEOUT_MS);
});
