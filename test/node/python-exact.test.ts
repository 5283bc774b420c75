/**
 * Property test (issue 13): random JSON-able values — integers up to ±2^64, whole-number and
 * other floats, -0, NaN, ±Infinity, strings, lists, nested params — written by ML-Dash Python
 * (vendored, local mode) and by this SDK, read back by the other, and copied through our server
 * with `ml-dash upload`: every value identical on both sides, Python's type
 * and every digit of an integer, a float's exact value (sign of zero included).
 *
 * Bounded: one seeded sample of CASES cases, one Python process per direction.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { Experiment } from "../../src/index.ts";
import { LocalReader } from "../../src/backends/local/local-reader.ts";
import { RemoteClient } from "../../src/backends/remote/client.ts";
import { readJsonDoc } from "../../src/layout/json-doc.ts";
import { uploadRun } from "../../src/replicate/sync.ts";
import { tempDir } from "../support/node-fixtures.ts";
import { installPythonClient, pythonSkipReason, runPython, type PythonClient } from "../support/python.ts";
import { startServer, type TestServer } from "../support/server.ts";

const skip = pythonSkipReason();
const CASES = 40;
const SEED = 13;
const TOKEN = "tok-123456789";

/** Python's view of a value: its type and, for an int, every digit; for a float, its repr. */
type Desc = { int: string } | { float: string } | { str: string } | { bool: boolean } | { null: true } | { list: Desc[] } | { dict: Record<string, Desc> };

const floatText = (v: number): string => (Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : Object.is(v, -0) ? "-0.0" : String(v));
const floatOf = (t: string): number => (t === "nan" ? NaN : t === "inf" ? Infinity : t === "-inf" ? -Infinity : Number(t));

const intD = fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.bigInt({ min: -(2n ** 53n) - 3n, max: 2n ** 53n + 3n }), fc.integer().map(BigInt)).map((n): Desc => ({ int: n.toString() }));
const floatD = fc
  .oneof(fc.double(), fc.integer({ min: -1e9, max: 1e9 }), fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 1, 2 ** 53, 2 ** 60, 1e16, 1e21, 1e-5, 0.1, 1700000001))
  .map((v): Desc => ({ float: floatText(v) }));
const scalarD = fc.oneof(intD, floatD, fc.string({ maxLength: 6 }).map((s): Desc => ({ str: s })), fc.boolean().map((b): Desc => ({ bool: b })), fc.constant<Desc>({ null: true }));
const flatD = fc.oneof({ weight: 4, arbitrary: scalarD }, { weight: 1, arbitrary: fc.array(scalarD, { maxLength: 3 }).map((l): Desc => ({ list: l })) });
const KEYS = ["a", "b", "c", "loss", "step"];
const dictOf = (v: fc.Arbitrary<Desc>): fc.Arbitrary<Record<string, Desc>> => fc.dictionary(fc.constantFrom(...KEYS), v, { minKeys: 1, maxKeys: 4 });
const caseArb = fc.record({
  params: fc.oneof(flatD, dictOf(flatD).map((d): Desc => ({ dict: d }))),
  point: dictOf(flatD),
  entry: dictOf(flatD),
});

/** The TypeScript value of a Python value: safe ints and floats are numbers, larger ints bigints. */
function toTs(d: Desc): unknown {
  if ("int" in d) return Number.isSafeInteger(Number(d.int)) ? Number(d.int) : BigInt(d.int);
  if ("float" in d) return floatOf(d.float);
  if ("str" in d) return d.str;
  if ("bool" in d) return d.bool;
  if ("null" in d) return null;
  if ("list" in d) return d.list.map(toTs);
  return Object.fromEntries(Object.entries(d.dict).map(([k, v]) => [k, toTs(v)]));
}

/** What Python reads for a value this SDK wrote: safe integral numbers and bigints are ints, other numbers floats. */
function fromTs(v: unknown): Desc {
  if (typeof v === "bigint") return { int: v.toString() };
  if (typeof v === "number") return Number.isSafeInteger(v) && !Object.is(v, -0) ? { int: String(v) } : { float: floatText(v) };
  if (typeof v === "string") return { str: v };
  if (typeof v === "boolean") return { bool: v };
  if (v === null) return { null: true };
  if (Array.isArray(v)) return { list: v.map(fromTs) };
  return { dict: Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, fromTs(x)])) };
}

/** Descriptions equal: ints digit for digit, floats by exact value (NaN equal to NaN, -0 not 0). */
function same(a: Desc, b: Desc): boolean {
  if ("float" in a && "float" in b) return Object.is(floatOf(a.float), floatOf(b.float));
  if ("list" in a && "list" in b) return a.list.length === b.list.length && a.list.every((x, i) => same(x, b.list[i] as Desc));
  if ("dict" in a && "dict" in b) {
    const ka = Object.keys(a.dict).sort();
    return JSON.stringify(ka) === JSON.stringify(Object.keys(b.dict).sort()) && ka.every((k) => same(a.dict[k] as Desc, b.dict[k] as Desc));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

function expectSame(got: Desc, want: Desc, where: string): void {
  if (!same(got, want)) expect({ where, got }).toEqual({ where, got: want });
}

interface PyRead {
  params: Desc;
  points: Desc[];
  entries: Desc[];
}

type Case = { params: Desc; point: Record<string, Desc>; entry: Record<string, Desc> };
const cases: Case[] = fc.sample(caseArb, { numRuns: CASES, seed: SEED });

let py: PythonClient;
let srv: TestServer;
let serverRoot: string;

beforeAll(async () => {
  if (skip) return;
  py = await installPythonClient();
  serverRoot = tempDir("exact-server");
  srv = await startServer({ token: TOKEN, storage: nodeFsAdapter({ root: serverRoot }) });
}, 600_000);
afterAll(async () => srv?.close());

async function pyRead(root: string, prefix: string): Promise<PyRead> {
  const r = await runPython(py, "exact_values.py", ["read", root, prefix]);
  expect(r.code, r.stderr).toBe(0);
  return r.json as PyRead;
}

/** Drops the keys each writer adds by itself (`_ts`, `timestamp`). */
const withoutTime = (d: Desc): Desc => ("dict" in d ? { dict: Object.fromEntries(Object.entries(d.dict).filter(([k]) => k !== "_ts" && k !== "timestamp")) } : d);

describe.skipIf(skip)("exact values between ML-Dash Python and this SDK", () => {
  test(`Python writes ${CASES} random cases; this SDK reads every value; upload keeps every digit and type`, async () => {
    const root = tempDir("exact-py");
    const prefix = "alice/exact/py-run";
    const file = join(root, "cases.json");
    // Python's own `_ts` and track timestamps as whole floats (1700000001.0, 10.0): they must stay floats.
    const withTimes = cases.map((c, i) => ({ params: { dict: { [`p${i}`]: c.params } }, point: { dict: { ...c.point, _ts: { float: String(1700000001 + i) } } }, entry: { dict: { ...c.entry, _ts: { float: String(10 + i) } } } }));
    writeFileSync(file, JSON.stringify(withTimes));
    const w = await runPython(py, "exact_values.py", ["write", root, prefix, file]);
    expect(w.code, w.stderr + w.stdout).toBe(0);
    const truth = await pyRead(root, prefix);
    expect(truth.points.length).toBe(CASES);

    // This SDK reads what Python wrote: same values (a bigint past 2^53, a number otherwise).
    const storage = nodeFsAdapter({ root });
    const reader = new LocalReader(storage, prefix);
    const points = (await reader.readMetric("m", 0, 1000)).data.map((r) => r.data);
    expect(points.length).toBe(CASES);
    points.forEach((p, i) => expectMatch(p, truth.points[i] as Desc, `point ${i}`));
    const entries = await reader.readTrack("t", {});
    entries.forEach((e, i) => expectMatch(e, truth.entries[i] as Desc, `entry ${i}`));
    const params = ((await readJsonDoc(storage, `${prefix}/parameters.json`)) ?? {})["data"];
    expectMatch(params, truth.params, "params");

    // Through `ml-dash upload` (msgpack) to our server: Python reads the server's copy as its own.
    await uploadRun(new RemoteClient({ dashUrl: srv.url, token: TOKEN }), storage, prefix);
    expect(await pyRead(serverRoot, prefix)).toEqual(truth);
  }, 600_000);

  test(`this SDK writes ${CASES} random cases; Python reads every value; upload keeps them`, async () => {
    const root = tempDir("exact-ts");
    mkdirSync(root, { recursive: true });
    const prefix = "alice/exact/ts-run";
    const storage = nodeFsAdapter({ root });
    const want: PyRead = { params: { dict: {} }, points: [], entries: [] };
    await new Experiment(prefix, { storage, echo: false }).run(async (exp) => {
      cases.forEach((c, i) => {
        const params = { [`p${i}`]: toTs(c.params) };
        exp.params.set(params);
        const point = toTs({ dict: c.point }) as Record<string, unknown>;
        exp.metrics("m").log(point);
        const entry = toTs({ dict: c.entry }) as Record<string, unknown>;
        exp.tracks("t").append({ ...entry, _ts: 10 + i });
        want.points.push(fromTs(point));
        want.entries.push(fromTs(entry));
      });
    });
    const flat = ((await readJsonDoc(storage, `${prefix}/parameters.json`)) ?? {})["data"];
    want.params = fromTs(flat);
    const got = await pyRead(root, prefix);
    expectSame(got.params, want.params, "params");
    expect(got.points.length).toBe(CASES);
    got.points.forEach((p, i) => expectSame(withoutTime(p), want.points[i] as Desc, `point ${i}`));
    got.entries.forEach((e, i) => expectSame(withoutTime(e), want.entries[i] as Desc, `entry ${i}`));

    // msgpack, as `ml-dash upload` sends (the JSON wire cannot carry NaN and ±Infinity: they travel as null).
    await uploadRun(new RemoteClient({ dashUrl: srv.url, token: TOKEN }), storage, prefix);
    expect(await pyRead(serverRoot, prefix)).toEqual(got);
  }, 600_000);
});

/**
 * A value this SDK read against Python's: an int is a number when it is safe, else a bigint with
 * every digit; a float is a number of exactly that value (JavaScript has one number type, so a
 * whole float like 1.0 reads as the number 1: the float kind is kept by copies, not by reads).
 */
function matchTs(v: unknown, d: Desc): boolean {
  if ("int" in d) return Number.isSafeInteger(Number(d.int)) ? typeof v === "number" && v === Number(d.int) : typeof v === "bigint" && v.toString() === d.int;
  if ("float" in d) return typeof v === "number" && Object.is(v, floatOf(d.float));
  if ("list" in d) return Array.isArray(v) && v.length === d.list.length && d.list.every((x, i) => matchTs(v[i], x));
  if ("dict" in d) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    return JSON.stringify(Object.keys(o).sort()) === JSON.stringify(Object.keys(d.dict).sort()) && Object.entries(d.dict).every(([k, x]) => matchTs(o[k], x));
  }
  return same(fromTs(v), d);
}

function expectMatch(v: unknown, d: Desc, where: string): void {
  if (!matchTs(v, d)) expect({ where, value: v }).toEqual({ where, value: d });
}
