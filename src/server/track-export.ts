/**
 * A track's entries as the files ML-Dash Python asks for with `read(format="parquet" | "mcap")`
 * (the bytes it hands the user unchanged):
 *
 * - **Parquet**, written by hyparquet-writer: one row per entry, `timestamp` first, then the
 *   track's columns. Numbers are DOUBLE, strings UTF-8, booleans BOOLEAN, arrays of numbers
 *   LIST<DOUBLE> (what pyarrow makes of Python's lists), anything else JSON text; an entry
 *   without a column holds null there.
 * - **MCAP**, written by @mcap/core: one channel (the topic, JSON messages with a JSON Schema),
 *   one message per entry whose log and publish times are the entry's timestamp in nanoseconds
 *   (seconds × 10⁹, 0 for a negative time) and whose data is the entry as JSON.
 *
 * Both libraries are plain JavaScript, so the export runs wherever the server runs.
 */
import { McapWriter, type IWritable } from "@mcap/core";
import { parquetWriteBuffer } from "hyparquet-writer/src/index.js";
import type { TrackRecord } from "../model/backend.ts";

type Kind = "number" | "boolean" | "string" | "numbers" | "json";

function kindOf(v: unknown): Kind {
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  if (Array.isArray(v) && v.every((x) => typeof x === "number" || x === null)) return "numbers";
  return "json";
}

/** The kind shared by every non-null value of a column (json when they differ). */
function columnKind(values: readonly unknown[]): Kind {
  let kind: Kind | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k = kindOf(v);
    if (kind === undefined) kind = k;
    else if (kind !== k) return "json";
  }
  return kind ?? "string";
}

/** The columns of the entries besides `timestamp`, in first-seen order. */
function columnsOf(entries: readonly TrackRecord[]): string[] {
  const seen = new Set<string>();
  for (const e of entries) for (const k of Object.keys(e)) if (k !== "timestamp") seen.add(k);
  return [...seen];
}

/** The entries as a Parquet file. */
export function trackParquet(entries: readonly TrackRecord[]): Uint8Array {
  const names = columnsOf(entries);
  const columnData: { name: string; data: unknown[] }[] = [{ name: "timestamp", data: entries.map((e) => e.timestamp) }];
  const schema: Record<string, unknown>[] = [
    { name: "root", num_children: names.length + 1 },
    { name: "timestamp", type: "DOUBLE", repetition_type: "REQUIRED" },
  ];
  for (const name of names) {
    const values = entries.map((e) => (e[name] === undefined ? null : e[name]));
    const kind = columnKind(values);
    if (kind === "numbers") {
      schema.push(
        { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "DOUBLE", repetition_type: "OPTIONAL" },
      );
    } else if (kind === "number") schema.push({ name, type: "DOUBLE", repetition_type: "OPTIONAL" });
    else if (kind === "boolean") schema.push({ name, type: "BOOLEAN", repetition_type: "OPTIONAL" });
    else if (kind === "string") schema.push({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" });
    else schema.push({ name, type: "BYTE_ARRAY", converted_type: "JSON", repetition_type: "OPTIONAL" });
    columnData.push({ name, data: values });
  }
  const buffer = parquetWriteBuffer({ columnData, schema, createdBy: "ml-dash" } as unknown as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buffer);
}

/** Collects what the MCAP writer writes. */
class Bytes implements IWritable {
  private readonly parts: Uint8Array[] = [];
  private size = 0n;
  position(): bigint {
    return this.size;
  }
  async write(buffer: Uint8Array): Promise<void> {
    this.parts.push(buffer.slice());
    this.size += BigInt(buffer.byteLength);
  }
  get(): Uint8Array {
    const out = new Uint8Array(Number(this.size));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}

const encoder = new TextEncoder();

/** Nanoseconds of a timestamp in seconds (MCAP times are unsigned). */
function nanos(t: number): bigint {
  return Number.isFinite(t) && t > 0 ? BigInt(Math.round(t * 1e9)) : 0n;
}

/** The entries of track `topic` as an MCAP file. */
export async function trackMcap(topic: string, entries: readonly TrackRecord[]): Promise<Uint8Array> {
  const out = new Bytes();
  const writer = new McapWriter({ writable: out });
  await writer.start({ profile: "", library: "ml-dash" });
  const schemaId = await writer.registerSchema({
    name: topic,
    encoding: "jsonschema",
    data: encoder.encode(JSON.stringify({ type: "object", properties: { timestamp: { type: "number" } }, required: ["timestamp"] })),
  });
  const channelId = await writer.registerChannel({ schemaId, topic, messageEncoding: "json", metadata: new Map() });
  let sequence = 0;
  for (const e of entries) {
    const time = nanos(e.timestamp);
    await writer.addMessage({ channelId, sequence: sequence++, logTime: time, publishTime: time, data: encoder.encode(JSON.stringify(e)) });
  }
  await writer.end();
  return out.get();
}
