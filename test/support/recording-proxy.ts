/**
 * A recording HTTP proxy for protocol tests: listens on 127.0.0.1 (a free port), forwards every
 * request to a target server, and records what was asked and answered in a form two clients can
 * be compared by: the method, the path with ids replaced by placeholders, the query keys, the
 * media type, the JSON (or msgpack) body's keys, the GraphQL operation, and the status.
 *
 * `graphql` (optional) answers `POST /graphql` in the proxy instead of the target, for a server
 * that does not speak GraphQL yet; such requests are recorded with `stubbed: true`.
 *
 * @example
 * ```ts
 * const proxy = await startRecordingProxy(server.url);
 * // … point a client at proxy.url …
 * proxy.requests.map(signature);   // ["POST /graphql GetProject → 404", …]
 * await proxy.close();
 * ```
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decode } from "@msgpack/msgpack";
import { parse, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/** One request as it went by. */
export interface RecordedRequest {
  /** Position in the recording (0-based). */
  readonly seq: number;
  readonly method: string;
  /** The path with ids replaced: `/api/experiments/{experimentId}/metrics/train/append-batch`. */
  readonly path: string;
  /** The path as sent (still percent-encoded), with its query. */
  readonly rawUrl: string;
  /** Query parameter names, sorted. */
  readonly query: readonly string[];
  /** The media type of the body (`application/json`, `multipart/form-data`, …), or null without one. */
  readonly contentType: string | null;
  /** Top-level keys of a JSON or msgpack object body, sorted. */
  readonly bodyKeys?: readonly string[];
  /** For each top-level array of objects in the body: the union of its items' keys, sorted. */
  readonly itemKeys?: Readonly<Record<string, readonly string[]>>;
  /** `type` of a node upsert (PROJECT, FOLDER, EXPERIMENT, FILE), JSON or multipart. */
  readonly nodeType?: string;
  /** Multipart field names in the order sent (the file part as `file`). */
  readonly formFields?: readonly string[];
  /** The GraphQL operation's name (or "(anonymous)"). */
  readonly operation?: string;
  /** The GraphQL operation's root fields with the fields selected under them: `experimentById{projectId}`. */
  readonly selection?: string;
  /** The GraphQL variables' names, sorted. */
  readonly variables?: readonly string[];
  /** The response status (0 when the target could not be reached). */
  readonly status: number;
  /** Answered by the `graphql` stub rather than the target. */
  readonly stubbed?: boolean;
  /** `Authorization` was present. */
  readonly authorized: boolean;
  /** The scenario step running when it was sent (see {@link STEP_MARKER}), if the client marks steps. */
  readonly step?: string;
}

/**
 * A client may mark where its requests come from: `GET /__scenario__/step?name=<step>` is answered
 * (204) by the proxy itself, not recorded, and every request after it carries `step: <step>`.
 */
export const STEP_MARKER = "/__scenario__/step";

/** What a stub GraphQL handler gets and answers. */
export interface GraphqlStub {
  (body: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }, headers: IncomingHttpHeaders): Promise<{ status: number; body: unknown }>;
}

/** Options of {@link startRecordingProxy}. */
export interface ProxyOptions {
  /** Answers `POST /graphql` instead of the target. */
  readonly graphql?: GraphqlStub;
  /** Sees each recorded request with its answer (parsed JSON, else undefined), e.g. to learn ids. */
  readonly onExchange?: (request: RecordedRequest, answer: unknown) => void;
}

/** A running proxy. */
export interface RecordingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Everything recorded so far, in order of arrival. */
  readonly requests: RecordedRequest[];
  /** Forgets the recording. */
  clear(): void;
  close(): Promise<void>;
}

/** Path segments that name an object after a collection, and the placeholder for each. */
const ID_AFTER: Record<string, string> = {
  experiments: "{experimentId}",
  nodes: "{nodeId}",
  projects: "{projectId}",
  namespaces: "{namespace}",
  chunks: "{chunk}",
};

/**
 * The path with ids replaced: the segment after `experiments`, `nodes`, `projects`, `namespaces`
 * and `chunks` becomes a placeholder; metric names and track topics stay (they are the
 * scenario's, the same for every client).
 */
export function normalizePath(pathname: string): string {
  const segs = pathname.split("/");
  for (let i = 1; i < segs.length; i++) {
    const placeholder = ID_AFTER[segs[i - 1] as string];
    // "experiments" directly under /api is the collection; its next segment is an id.
    if (placeholder && segs[i] !== "" && !(segs[i - 1] === "nodes" && i >= 2 && segs[i - 2] === "{namespace}")) segs[i] = placeholder;
  }
  return segs.join("/");
}

function mediaType(headers: IncomingHttpHeaders): string | null {
  const ct = headers["content-type"];
  return ct ? (ct.split(";")[0] as string).trim().toLowerCase() : null;
}

function objectKeys(value: unknown): { bodyKeys?: string[]; itemKeys?: Record<string, string[]> } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const obj = value as Record<string, unknown>;
  const itemKeys: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x))) {
      itemKeys[k] = [...new Set(v.flatMap((x) => Object.keys(x as object)))].sort();
    }
  }
  return { bodyKeys: Object.keys(obj).sort(), ...(Object.keys(itemKeys).length ? { itemKeys } : {}) };
}

/** Field names (in order) and the `type` field of a multipart body. */
function multipartFields(body: Buffer, contentType: string): { formFields: string[]; nodeType?: string } {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return { formFields: [] };
  const text = body.toString("latin1");
  const fields: string[] = [];
  let nodeType: string | undefined;
  for (const part of text.split(`--${boundary}`).slice(1)) {
    const name = /Content-Disposition:[^\r\n]*\bname="([^"]*)"/i.exec(part)?.[1];
    if (name === undefined) continue;
    fields.push(name);
    if (name === "type") nodeType = part.split("\r\n\r\n")[1]?.replace(/\r\n$/, "");
  }
  return { formFields: fields, ...(nodeType !== undefined ? { nodeType } : {}) };
}

function fieldNames(set: SelectionSetNode | undefined): string[] {
  return (set?.selections ?? []).map((s) => (s.kind === "Field" ? s.name.value : s.kind === "FragmentSpread" ? `...${s.name.value}` : "..."));
}

/** The operation's name and root selection, e.g. `["GetExpInfo", "experimentById{project}"]`. */
function operationOf(query: unknown): { operation: string; selection?: string } {
  if (typeof query !== "string") return { operation: "(no query)" };
  try {
    const op = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    if (!op) return { operation: "(no operation)" };
    const selection = op.selectionSet.selections
      .map((s) => (s.kind === "Field" ? `${s.name.value}${s.selectionSet ? `{${fieldNames(s.selectionSet).join(",")}}` : ""}` : "..."))
      .join(" ");
    return { operation: op.name?.value ?? "(anonymous)", selection };
  } catch {
    return { operation: "(unparsable)" };
  }
}

function describeBody(body: Buffer, headers: IncomingHttpHeaders): Partial<RecordedRequest> {
  const type = mediaType(headers);
  if (body.length === 0 || type === null) return {};
  if (type.startsWith("multipart/")) return multipartFields(body, headers["content-type"] as string);
  let value: unknown;
  try {
    if (type.includes("msgpack")) value = decode(body);
    else if (type.includes("json")) value = JSON.parse(body.toString("utf8"));
    else return {};
  } catch {
    return {};
  }
  const keys = objectKeys(value);
  const v = value as Record<string, unknown> | null;
  const nodeType = v && typeof v === "object" && typeof v["type"] === "string" ? { nodeType: v["type"] } : {};
  return { ...keys, ...nodeType };
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length", "proxy-connection", "te", "trailer"]);

/** Starts the proxy in front of `target` (an origin such as `http://127.0.0.1:3000`). */
export async function startRecordingProxy(target: string, options: ProxyOptions = {}): Promise<RecordingProxy> {
  const origin = target.replace(/\/+$/, "");
  const requests: RecordedRequest[] = [];
  let seq = 0;
  let step: string | undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const url = new URL(req.url ?? "/", "http://proxy");
      if (url.pathname === STEP_MARKER) {
        step = url.searchParams.get("name") ?? undefined;
        res.writeHead(204).end();
        return;
      }
      const described = describeBody(body, req.headers);
      const isGraphql = req.method === "POST" && url.pathname === "/graphql";
      let gql: { query?: unknown; variables?: unknown } | undefined;
      if (isGraphql) {
        try {
          gql = JSON.parse(body.toString("utf8")) as typeof gql;
        } catch {
          gql = undefined;
        }
      }
      const base = {
        seq: seq++,
        method: req.method ?? "GET",
        path: normalizePath(url.pathname),
        rawUrl: req.url ?? "/",
        query: [...new Set(url.searchParams.keys())].sort(),
        contentType: mediaType(req.headers),
        authorized: req.headers.authorization !== undefined,
        ...(step !== undefined ? { step } : {}),
        ...described,
        ...(gql ? { ...operationOf(gql.query), variables: gql.variables && typeof gql.variables === "object" ? Object.keys(gql.variables).sort() : [] } : {}),
      };
      let status = 0;
      let stubbed = false;
      let answerJson: unknown;
      let headersOut: Record<string, string> = { "content-type": "application/json" };
      let bytes: Buffer;
      try {
        if (isGraphql && options.graphql && gql && typeof gql.query === "string") {
          stubbed = true;
          const out = await options.graphql(gql as Parameters<GraphqlStub>[0], req.headers);
          status = out.status;
          answerJson = out.body;
          bytes = Buffer.from(JSON.stringify(out.body));
        } else {
          const headers = new Headers();
          for (const [k, v] of Object.entries(req.headers)) {
            if (v === undefined || HOP_BY_HOP.has(k)) continue;
            headers.set(k, Array.isArray(v) ? v.join(", ") : v);
          }
          const answer = await fetch(origin + (req.url ?? "/"), {
            method: req.method ?? "GET",
            headers,
            ...(body.length > 0 && req.method !== "GET" && req.method !== "HEAD" ? { body: new Uint8Array(body) } : {}),
            redirect: "manual",
          });
          status = answer.status;
          bytes = Buffer.from(await answer.arrayBuffer());
          if ((answer.headers.get("content-type") ?? "").includes("json")) {
            try {
              answerJson = JSON.parse(bytes.toString("utf8"));
            } catch {
              answerJson = undefined;
            }
          }
          headersOut = {};
          answer.headers.forEach((v, k) => {
            if (!HOP_BY_HOP.has(k) && k !== "content-encoding") headersOut[k] = v;
          });
        }
      } catch (err) {
        status = 0;
        bytes = Buffer.from(JSON.stringify({ error: `proxy: ${err instanceof Error ? err.message : String(err)}` }));
      }
      // Recorded (and observed) before the client gets its answer, so the next request it sends
      // always comes after this one in the recording and in what the stub knows.
      const record: RecordedRequest = { ...base, status, ...(stubbed ? { stubbed } : {}) };
      requests.push(record);
      options.onExchange?.(record, answerJson);
      headersOut["content-length"] = String(bytes.length);
      res.writeHead(status === 0 ? 502 : status, headersOut).end(bytes);
    })();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    clear: () => void requests.splice(0),
    close: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((err) => (err ? fail(err) : done()));
      }),
  };
}

/** One line per request: `POST /api/namespaces/{namespace}/nodes EXPERIMENT → 200`. */
export function signature(r: RecordedRequest): string {
  const what = r.operation ?? r.nodeType ?? "";
  return `${r.method} ${r.path}${r.query.length ? "?" + r.query.join("&") : ""}${what ? " " + what : ""} → ${r.status}${r.stubbed ? " (stub)" : ""}`;
}
