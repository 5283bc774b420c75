/**
 * What the fuzz test (`fuzz.test.ts`) sends: every route of `ml-dash serve` with fast-check
 * arbitraries for its path parameters, query and body (shaped like the route's body, so values
 * get past the first schema check, or anything at all), and multipart bodies for the
 * busboy oracle.
 */
import fc from "fast-check";
import { encode } from "@msgpack/msgpack";

/** One route as the server registers it. */
export interface FuzzRoute {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** The hono pattern under `/api` (or `/graphql`). */
  readonly pattern: string;
  /** A body shaped like the route's, when it takes one. */
  readonly body?: fc.Arbitrary<unknown>;
}

/** Ids and names the generated requests may use (the playground run's, never the kept run's). */
export interface Known {
  readonly ids: readonly string[];
  readonly metric: string;
  readonly topic: string;
}

/** Keys with a history: prototype names, dots, the reserved `_ts`, too long, direction overrides. */
export const key = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toString", "_ts", "", "a.b", ".", "..", "x".repeat(300), "a\u202Eb", "a/b", "None", "\0") },
);

const scalar = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 30 }),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, 5e-324),
);

/** Plain data a few levels deep. */
export const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("v"), { maxLength: 4 }), fc.dictionary(key, tie("v"), { maxKeys: 4 })),
})).v;

/** A record: keys to values. */
export const record = fc.dictionary(key, value, { maxKeys: 6 });

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const index = fc.oneof(fc.nat(1000), fc.integer(), fc.constantFrom(-1, 1.5, 2 ** 53, Number.NaN));
const text = fc.oneof(fc.string({ maxLength: 40 }), key);
const iso = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text);

function bytes(n: number): Uint8Array {
  return new Uint8Array(new Float64Array(n).fill(0.5).buffer);
}

/** A msgpack column block: usually consistent, sometimes not. */
const columnBlock = fc.record({ n: fc.nat(5), keys: fc.array(key, { maxLength: 3 }), skew: fc.constantFrom(0, 0, 0, 1, -1) }).map(({ n, keys, skew }) => ({
  keys,
  cols: keys.map(() => bytes(Math.max(0, n + skew))),
  ts: bytes(n),
  length: n,
}));

/** Every route of the server, with the body each takes. */
export function fuzzRoutes(known: Known): FuzzRoute[] {
  const id = fc.oneof(fc.constantFrom(...known.ids), text);
  const status = fc.oneof(fc.constantFrom("RUNNING", "COMPLETED", "FAILED", "CANCELLED"), text);
  return [
    {
      method: "POST",
      pattern: "/namespaces/:ns/nodes",
      body: fc.oneof(
        fc.record({ type: fc.constant("PROJECT"), name: text, slug: maybe(text), description: maybe(text) }, { requiredKeys: ["type", "name"] }),
        fc.record({ type: fc.constant("FOLDER"), name: text, projectId: id, parentId: maybe(id), experimentId: maybe(id) }, { requiredKeys: ["type", "name", "projectId"] }),
        fc.record(
          { type: fc.constant("EXPERIMENT"), name: text, parentId: maybe(id), projectId: maybe(id), projectSlug: maybe(text), description: maybe(text), tags: maybe(fc.array(text)), metadata: maybe(record), prefix: maybe(text) },
          { requiredKeys: ["type", "name"] },
        ),
      ),
    },
    { method: "GET", pattern: "/nodes/:id" },
    { method: "PATCH", pattern: "/nodes/:id", body: fc.oneof(fc.record({ status }), fc.record({ description: maybe(text), tags: maybe(fc.array(text)), metadata: maybe(record) })) },
    { method: "DELETE", pattern: "/nodes/:id" },
    { method: "GET", pattern: "/nodes/:id/download" },
    { method: "GET", pattern: "/search/files" },
    { method: "GET", pattern: "/experiments" },
    { method: "GET", pattern: "/experiments/:id" },
    { method: "GET", pattern: "/experiments/:id/files" },
    { method: "POST", pattern: "/experiments/:id/sync" },
    {
      method: "POST",
      pattern: "/experiments/:id/logs",
      body: fc.record({ startSequence: maybe(index), logs: fc.array(fc.record({ message: text, level: maybe(fc.oneof(fc.constantFrom("info", "warn", "error", "debug", "fatal"), text)), timestamp: maybe(iso), metadata: maybe(record) }, { requiredKeys: ["message"] }), { maxLength: 4 }) }),
    },
    { method: "GET", pattern: "/experiments/:id/logs" },
    { method: "POST", pattern: "/experiments/:id/parameters", body: fc.record({ data: record, version: maybe(index) }) },
    { method: "GET", pattern: "/experiments/:id/parameters" },
    { method: "GET", pattern: "/experiments/:id/metrics" },
    {
      method: "POST",
      pattern: "/experiments/:id/metrics/:name/append-batch",
      body: fc.oneof(
        fc.record({ startIndex: maybe(index), dataPoints: fc.array(record, { maxLength: 4 }) }),
        fc.record({ startIndex: maybe(index), count: maybe(index), blocks: fc.array(fc.oneof(columnBlock, fc.record({ rows: fc.array(record, { maxLength: 3 }) }), value), { maxLength: 3 }) }),
      ),
    },
    { method: "POST", pattern: "/experiments/:id/metrics/:name/append", body: fc.record({ data: record }) },
    { method: "GET", pattern: "/experiments/:id/metrics/:name/data" },
    { method: "GET", pattern: "/experiments/:id/metrics/:name/stats" },
    { method: "GET", pattern: "/experiments/:id/metrics/:name/chunks/:n" },
    { method: "GET", pattern: "/experiments/:id/tracks" },
    {
      method: "POST",
      pattern: "/experiments/:id/tracks/:topic/append_batch",
      body: fc.record({ startIndex: maybe(index), entries: fc.array(fc.tuple(fc.oneof(fc.double(), text), record).map(([timestamp, r]) => ({ ...r, timestamp })), { maxLength: 4 }) }),
    },
    { method: "GET", pattern: "/experiments/:id/tracks/:topic/data" },
    { method: "POST", pattern: "/experiments/:id/tracks", body: fc.record({ topic: text, description: maybe(text), tags: maybe(fc.array(text)), metadata: maybe(record) }, { requiredKeys: ["topic"] }) },
    { method: "POST", pattern: "/experiments/:id/tracks/:topic/append", body: fc.record({ timestamp: fc.oneof(fc.double(), text), data: record }) },
    { method: "DELETE", pattern: "/projects/:id" },
    {
      method: "POST",
      pattern: "/graphql",
      body: fc.record({
        query: fc.oneof(fc.constantFrom("{ experiments { id name } }", "{ experiment(id: \"1\") { id metrics { name } } }", "query Q($p: String) { experiments(pattern: $p) { id } }", "{ __schema { types { name } } }", "{ a { b { c { d { e } } } } }"), text),
        variables: maybe(record),
      }),
    },
  ];
}

/** A path parameter: a known id or name, or something hostile. */
export function pathParam(known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known.ids, known.metric, known.topic, "alice") },
    { weight: 2, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom("..", "%2e%2e", "a%2Fb", "%00", "9".repeat(40), "-1", "1e309", "NaN", ".dash", "a\\b") },
  );
}

/** Query parameters the server reads, with hostile values (glob patterns included). */
export const query = fc.dictionary(
  fc.constantFrom("limit", "offset", "startIndex", "startSequence", "start_timestamp", "end_timestamp", "bufferOnly", "columns", "endTime", "startTime", "experimentId", "format", "includeDeleted", "level", "order", "orderBy", "path", "pattern", "prefix", "search", "topic", "x"),
  fc.oneof(text, fc.integer().map(String), fc.constantFrom("*?*?*?*?*?*?*?*?#", "**/**/**/**/#", "[", "parquet", "mcap", "csv", "-1", "1e999")),
  { maxKeys: 3 },
);

/** How a body goes on the wire. */
export const encoding = fc.constantFrom("json", "json", "msgpack", "raw", "none");

/** JSON text of `v` (bigints as digits, as Python writes big integers). */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `\u0000big${x}` : x instanceof Uint8Array ? Array.from(x) : x)).replace(/"\\u0000big(-?\d+)"/g, "$1");
}

/** msgpack bytes of `v` (int64 bigints). */
export function msgpackBytes(v: unknown): Uint8Array {
  return encode(v, { useBigInt64: true });
}
