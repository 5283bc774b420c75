/**
 * The GraphQL schema of `ml-dash serve` (src/server/graphql/schema.ts) accepts every query ML-Dash
 * Python 0.6.27's client and CLI send: the documents are read out of the vendored Python sources
 * (not copied by hand) and each is validated with graphql-js against the schema.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, parse, validate, validateSchema, type OperationDefinitionNode } from "graphql";
import { describe, expect, test } from "vitest";
import { mlDashSchema, SCHEMA_SDL, VALIDATION_RULES } from "../../src/server/graphql/schema.ts";
import { graphqlDocuments, pythonStrings } from "../support/python-sources.ts";
import { mlDashPythonSources, pythonSkipReason } from "../support/python.ts";

const sources = mlDashPythonSources();

describe("the GraphQL schema", () => {
  test("is a valid schema, and builds once", () => {
    expect(validateSchema(buildSchema(SCHEMA_SDL))).toEqual([]);
    expect(mlDashSchema()).toBe(mlDashSchema());
  });

  test("the Python string reader finds literals the way Python reads them", () => {
    const src = [
      `x = "a#b"  # "not a string"`,
      `y = f'{z}' + rb"\\d" + 'it\\'s'`,
      `q = """`,
      `  query A { me { id } }`,
      `"""`,
      `def f():`,
      `  '''doc'''`,
    ].join("\n");
    expect(pythonStrings(src).map((s) => [s.text, s.line])).toEqual([
      ["a#b", 1],
      ["{z}", 2],
      ["\\d", 2],
      ["it's", 2],
      ["\n  query A { me { id } }\n", 3],
      ["doc", 7],
    ]);
  });
});

describe.skipIf(!sources)(`every GraphQL query in ML-Dash Python 0.6.27${sources ? "" : ` (skipped: ${pythonSkipReason()})`}`, () => {
  const docs = sources ? graphqlDocuments(sources) : [];
  const named = docs.map((d) => ({ ...d, operation: (parse(d.text).definitions.find((x) => x.kind === "OperationDefinition") as OperationDefinitionNode).name?.value ?? "(anonymous)" }));

  test("are all found: the operations the client and CLI send", () => {
    // The names below check that the reader found them all; the documents themselves come from the sources.
    expect(named.map((d) => d.operation).sort()).toEqual(
      [
        "Experiment",
        "ExperimentsPaginated",
        "GetCurrentUser",
        "GetExpInfo",
        "GetExperiment",
        "GetExperimentNode", // experimentNode(experimentId): status updates
        "GetExperimentNode", // experimentById { id }: assigned, then overwritten before use (dead code)
        "GetExperimentNode", // project(id) { nodes … }: uploads
        "GetExperimentPath",
        "GetExperimentProject", // experimentById { projectId }
        "GetExperimentProject", // experimentById { project { slug name } }
        "GetMyNamespace",
        "GetProject",
        "GetProjectHierarchy",
        "ListExperimentFilesPaginated",
        "ProjectsPaginated",
        "SearchExperimentsPaginated",
      ].sort(),
    );
  });

  test.each(named.map((d) => [`${d.operation} (${d.file}:${d.line})`, d.text]))("%s validates against the schema", (_name, text) => {
    const errors = validate(mlDashSchema(), parse(text), VALIDATION_RULES);
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  test("one of them breaks a rule of the specification: GetExperimentNode (upload_file) declares $experimentId and never uses it", () => {
    // So the server validates without NoUnusedVariablesRule (VALIDATION_RULES); with every rule,
    // this query is an error and Python's upload_file fails when the experiment's node id is not cached.
    const strict = named.flatMap((d) => validate(mlDashSchema(), parse(d.text)).map((e) => `${d.operation}: ${e.message}`));
    expect(strict).toEqual(['GetExperimentNode: Variable "$experimentId" is never used in operation "GetExperimentNode".']);
  });

  test("the `ml-dash api` command's own example query validates as the command wraps it", () => {
    // cli_commands/api.py: build_query wraps a bare selection in "{ … }"; its help shows "me { username name email }".
    const help = pythonStrings(readFileSync(join(sources as string, "cli_commands/api.py"), "utf8")).find((s) => s.text.includes('ml-dash api --query "me {'));
    const example = /ml-dash api --query "(me \{[^"]+\})"/.exec(help?.text ?? "")?.[1];
    expect(example).toBeDefined();
    expect(validate(mlDashSchema(), parse(`{ ${example} }`)).map((e) => e.message)).toEqual([]);
  });
});
