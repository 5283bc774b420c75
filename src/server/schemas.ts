/**
 * The request bodies the server accepts, as valibot schemas: every body is checked before it
 * touches the store, and a bad one gets a 400 naming the field (see `check`).
 */
import * as v from "valibot";
import { ExactNumber } from "../model/exact.ts";

const text = v.string();
const index = v.pipe(v.number(), v.integer(), v.minValue(0));
const tags = v.array(v.string());
const record = v.custom<Record<string, unknown>>(
  (x) => x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof Uint8Array),
  "must be an object",
);

/** `POST namespaces/{ns}/nodes` with type PROJECT. */
export const ProjectBody = v.object({
  type: v.literal("PROJECT"),
  name: v.pipe(text, v.minLength(1)),
  slug: v.optional(v.pipe(text, v.minLength(1))),
  description: v.optional(v.nullable(text)),
});

/** `POST namespaces/{ns}/nodes` with type FOLDER. */
export const FolderBody = v.object({
  type: v.literal("FOLDER"),
  name: v.pipe(text, v.minLength(1)),
  projectId: v.union([text, v.number()]),
  parentId: v.optional(v.nullable(v.union([text, v.number()]))),
  experimentId: v.optional(v.nullable(v.union([text, v.number()]))),
});

/** `POST namespaces/{ns}/nodes` with type EXPERIMENT. */
export const ExperimentBody = v.object({
  type: v.literal("EXPERIMENT"),
  name: v.pipe(text, v.minLength(1)),
  parentId: v.optional(v.nullable(v.union([text, v.number()]))),
  projectId: v.optional(v.union([text, v.number()])),
  projectSlug: v.optional(v.pipe(text, v.minLength(1))),
  description: v.optional(v.nullable(text)),
  tags: v.optional(v.nullable(tags)),
  bindrs: v.optional(v.nullable(tags)),
  writeProtected: v.optional(v.boolean()),
  metadata: v.optional(v.nullable(record)),
  /** Ours: the experiment's folder under the root (`ns/project/.../name`). */
  prefix: v.optional(text),
});

/** Any node body, by its `type`. */
export const NodeBody = v.variant("type", [ProjectBody, FolderBody, ExperimentBody]);

/** `PATCH nodes/{id}` of an experiment. */
export const StatusBody = v.object({
  status: v.picklist(["RUNNING", "COMPLETED", "FAILED", "CANCELLED"]),
});

/** `POST experiments/{id}/logs`. */
export const LogsBody = v.object({
  startSequence: v.optional(index),
  logs: v.array(
    v.object({
      timestamp: v.optional(v.pipe(text, v.isoTimestamp("must be an ISO 8601 timestamp like 2026-01-01T00:00:00.000000Z"))),
      level: v.optional(text),
      message: text,
      metadata: v.optional(v.nullable(record)),
    }),
  ),
});

/** `POST experiments/{id}/parameters`. */
export const ParamsBody = v.object({
  data: record,
  version: v.optional(index),
  /** Ours: the times of a copy (`ml-dash upload`), kept instead of now. */
  createdAt: v.optional(v.pipe(text, v.isoTimestamp("must be an ISO 8601 timestamp"))),
  updatedAt: v.optional(v.pipe(text, v.isoTimestamp("must be an ISO 8601 timestamp"))),
});

const info = {
  description: v.optional(v.nullable(text)),
  tags: v.optional(v.nullable(tags)),
  metadata: v.optional(v.nullable(record)),
};

/** Ours: when the records were first stored (`[count, iso]` runs in order; see `model/created-at.ts`). */
const createdAt = v.optional(
  v.array(v.tuple([v.pipe(v.number(), v.integer(), v.minValue(1)), v.pipe(text, v.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/, "must be an ISO 8601 UTC timestamp like 2026-01-01T00:00:00.000000Z"))])),
);

/** A metric batch in rows (Python's JSON shape, also accepted as msgpack). */
export const MetricRowsBody = v.object({ startIndex: v.optional(index), dataPoints: v.array(record), createdAt, ...info });

const bin = v.instance(Uint8Array);

/** A column block of a msgpack metric batch. */
export const ColumnBlockWire = v.object({
  keys: v.array(text),
  cols: v.array(bin),
  ts: bin,
  length: index,
});

/** A row block of a msgpack metric batch. */
export const RowBlockWire = v.object({ rows: v.array(record) });

/** A columnar metric batch (msgpack). */
export const MetricBlocksBody = v.object({
  startIndex: v.optional(index),
  count: v.optional(index),
  /** Each a {@link ColumnBlockWire} or a {@link RowBlockWire} (by its `rows` key), checked one by one so a message names the kind expected. */
  blocks: v.array(v.unknown()),
  createdAt,
  ...info,
});

/** `POST experiments/{id}/metrics/{name}/append`. */
export const MetricPointBody = v.object({ data: record, ...info });

/** A track timestamp: a number, or one kept as written (`10.0`, see model/exact.ts). */
const timestamp = v.union([v.number(), v.pipe(v.instance(ExactNumber), v.transform((x) => x as unknown as number))]);

/** `POST experiments/{id}/tracks/{topic}/append_batch`. */
export const TrackBody = v.object({
  startIndex: v.optional(index),
  entries: v.array(v.looseObject({ timestamp })),
  ...info,
});

/** `POST experiments/{id}/tracks` (a track without entries yet). */
export const TrackCreateBody = v.object({ topic: text, ...info });

/** `POST experiments/{id}/tracks/{topic}/append` (one entry). */
export const TrackEntryBody = v.object({ timestamp, data: record });

/** `PATCH nodes/{id}` of a file: only these fields, each optional. */
export const FileUpdateBody = v.strictObject({
  description: v.optional(v.nullable(text)),
  tags: v.optional(tags),
  metadata: v.optional(v.nullable(record)),
});
