/**
 * `POST /graphql`: graphql-js parses, validates and executes each request against the ML-Dash
 * schema (schema.ts) with the resolvers over the server's store (resolvers.ts).
 *
 * graphql-js is the reference implementation of the GraphQL specification, has no dependencies
 * and runs on every host the server runs on; the endpoint needs nothing a server framework would
 * add (one POST route, no subscriptions, no batching), so it is called directly.
 *
 * Answers follow GraphQL over HTTP with `application/json`: a query that does not parse or does
 * not validate (an unknown field, an unknown operation name) is a 200 whose body holds `errors`
 * (ML-Dash Python turns those into a `NetworkError` with the messages), a body that is no GraphQL
 * request at all is a 400 with `errors`.
 */
import { Hono, type Context } from "hono";
import { execute, GraphQLError, parse, validate, type DocumentNode } from "graphql";
import { readBody } from "../http-io.ts";
import type { RunStore } from "../store/index.ts";
import { rootValue, type GraphqlUser } from "./resolvers.ts";
import { mlDashSchema, VALIDATION_RULES } from "./schema.ts";

/** Most characters of a query accepted (Python's largest, GetProjectHierarchy, is about 1.5 kB). */
const MAX_QUERY_CHARS = 100_000;

function errors(c: Context, status: 200 | 400, messages: readonly string[]): Response {
  return c.json({ errors: messages.map((message) => ({ message })) }, status);
}

/** The request's `{ query, variables, operationName }`, or the reason it is none. */
function request(body: unknown): { query: string; variables: Record<string, unknown> | null; operationName: string | null } | string {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return 'The body must be a JSON object {"query": "...", "variables": {...}}';
  const b = body as Record<string, unknown>;
  if (typeof b["query"] !== "string" || b["query"].trim() === "") return 'Missing "query": send {"query": "{ me { username } }"}';
  if (b["query"].length > MAX_QUERY_CHARS) return `"query" is longer than ${MAX_QUERY_CHARS} characters`;
  const variables = b["variables"] ?? null;
  if (variables !== null && (typeof variables !== "object" || Array.isArray(variables))) return '"variables" must be an object';
  const operationName = b["operationName"] ?? null;
  if (operationName !== null && typeof operationName !== "string") return '"operationName" must be a string';
  return { query: b["query"], variables: variables as Record<string, unknown> | null, operationName };
}

/** The GraphQL route (mount at `/graphql`); `userOf` names the caller of a request. */
export function graphqlRoutes(store: RunStore, userOf: (c: Context) => GraphqlUser): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    let body: unknown;
    try {
      body = await readBody(c, { msgpack: false });
    } catch (err) {
      return errors(c, 400, [err instanceof Error ? err.message : String(err)]);
    }
    const req = request(body);
    if (typeof req === "string") return errors(c, 400, [req]);
    let document: DocumentNode;
    try {
      document = parse(req.query);
    } catch (err) {
      return errors(c, 200, [err instanceof GraphQLError ? err.message : String(err)]);
    }
    const invalid = validate(mlDashSchema(), document, VALIDATION_RULES);
    if (invalid.length > 0) return errors(c, 200, invalid.map((e) => e.message));
    const result = await execute({
      schema: mlDashSchema(),
      document,
      rootValue: rootValue(store, userOf(c)),
      variableValues: req.variables,
      operationName: req.operationName,
    });
    return c.json(result, 200);
  });
  return app;
}
