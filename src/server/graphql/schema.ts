/**
 * The GraphQL schema of an ML-Dash server (`POST /graphql`): every query ML-Dash Python 0.6.27's
 * client and CLI send validates against it (test/node/graphql-schema.test.ts extracts them from the
 * vendored sources). It is the shape ML-Dash's own server answers, read from what that client
 * selects and how it uses the answers:
 *
 * - A project holds a tree of nodes (`Node`, with `type` PROJECT / FOLDER / EXPERIMENT / FILE):
 *   folders of the prefix (`alice/proj/f1/f2/exp` → f1 → f2 → exp), experiments, and inside an
 *   experiment the folders and files it uploaded. `project.nodes(parentId: null)` answers the
 *   roots with their `children`, as deep as the query selects (Python walks 3 and 10 levels).
 * - Ids are strings (`ID`): snowflake-sized, never JSON numbers.
 * - `JSON` carries free-form objects (metadata, parameters), `DateTime` ISO-8601 strings with a
 *   `Z`, `BigInt` byte counts (files reach 100 GiB, past `Int`'s 2^31).
 *
 * Resolvers are not here: they sit on the server's store interface, so one schema serves the
 * embedded `.dash` store and the team store alike.
 *
 * @example
 * ```ts
 * import { graphql } from "graphql";
 * const schema = mlDashSchema();
 * const out = await graphql({ schema, source: "{ me { username } }", rootValue: resolvers });
 * ```
 */
import { buildSchema, NoUnusedVariablesRule, specifiedRules, type GraphQLSchema, type ValidationRule } from "graphql";

/** The schema in SDL. */
export const SCHEMA_SDL = /* GraphQL */ `
"""Free-form JSON: objects, arrays, strings, numbers, booleans or null."""
scalar JSON

"""An instant as an ISO-8601 string in UTC, e.g. "2026-11-26T06:18:46.069Z"."""
scalar DateTime

"""An integer that may exceed 2^31 (a byte count); a JSON number, exact up to 2^53."""
scalar BigInt

"""What a node of a project's tree is."""
enum NodeType {
  PROJECT
  FOLDER
  EXPERIMENT
  FILE
}

"""The state of a run. RUNNING from start() until complete(), fail() or cancel()."""
enum ExperimentStatus {
  RUNNING
  COMPLETED
  FAILED
  CANCELLED
  ARCHIVED
}

type Query {
  """The user the bearer token belongs to; its username is the namespace runs go to by default."""
  me: User

  """A namespace (a user's or a team's) by its slug; null when there is none."""
  namespace(slug: String!): Namespace

  """A project by id, or by namespaceSlug + projectSlug; null when there is none."""
  project(id: ID, namespaceSlug: String, projectSlug: String): Project

  """An experiment by its id (the id in REST paths, not its node's id); null when there is none."""
  experimentById(id: ID!): Experiment

  """The EXPERIMENT node of an experiment (its id is what PATCH /api/nodes/{id} takes)."""
  experimentNode(experimentId: ID!): Node

  """A page of the projects of a namespace (the caller's when namespaceSlug is null), by slug."""
  projectsPaginated(namespaceSlug: String, limit: Int = 50, offset: Int = 0): ProjectPage!

  """A page of the experiments of a project, by path; only those in status when it is given."""
  experimentsPaginated(
    namespaceSlug: String
    projectSlug: String!
    status: ExperimentStatus
    limit: Int = 50
    offset: Int = 0
  ): ExperimentPage!

  """
  One experiment of a project by name: its last prefix segment, or its path below the project
  ("f1/f2/exp"). The caller's namespace when namespaceSlug is null. Null when there is none.
  """
  experiment(namespaceSlug: String, projectSlug: String!, experimentName: String!): Experiment

  """
  A page of the experiments whose "namespace/project/path" matches a glob pattern (fnmatch:
  *, ?, [a-z]; * also crosses "/"), e.g. "alice/tut*/*".
  """
  searchExperimentsPaginated(pattern: String!, limit: Int = 50, offset: Int = 0): ExperimentPage!
}

"""A user of the server."""
type User {
  id: ID!
  username: String!
  email: String
  name: String
  given_name: String
  family_name: String
  picture: String
  """The user's own namespace (slug = username)."""
  namespace: Namespace
}

"""Where projects live: a user's or a team's space, the first segment of every prefix."""
type Namespace {
  id: ID!
  slug: String!
  name: String
  projects: [Project!]!
}

"""A project: the second segment of a prefix, holding a tree of folders and experiments."""
type Project {
  id: ID!
  slug: String!
  name: String!
  description: String
  tags: [String!]!
  namespace: Namespace!
  experimentCount: Int!
  createdAt: DateTime
  updatedAt: DateTime
  """
  The nodes under parentId (the project's roots when null), each with its children as deep as
  the query selects them; maxDepth bounds how deep children are filled.
  """
  nodes(parentId: ID, maxDepth: Int = 10): [Node!]!
}

"""One node of a project's tree."""
type Node {
  id: ID!
  type: NodeType!
  name: String!
  """The node's path inside its project, with a leading slash ("/f1/f2/exp", "/f1/f2/exp/models/a.pt")."""
  pPath: String!
  """The parent node (null for roots)."""
  parentId: ID
  projectId: ID!
  """The experiment of EXPERIMENT nodes, and of the folders and files an experiment uploaded."""
  experimentId: ID
  children: [Node!]!
  """EXPERIMENT nodes: the run's state."""
  status: ExperimentStatus
  description: String
  tags: [String!]
  metadata: JSON
  createdAt: DateTime
  updatedAt: DateTime
  deletedAt: DateTime
  """FILE nodes: the stored bytes."""
  physicalFile: PhysicalFile
  """EXPERIMENT nodes: the experiment."""
  experiment: Experiment
}

"""An experiment (a run): the last segment of a prefix."""
type Experiment {
  id: ID!
  name: String!
  description: String
  tags: [String!]!
  bindrs: [String!]!
  status: ExperimentStatus!
  metadata: JSON
  writeProtected: Boolean!
  """The whole prefix, "namespace/project/folders…/name"."""
  prefix: String!
  """The path below the project ("f1/f2/exp"), as listings show it."""
  displayPath: String!
  startedAt: DateTime
  endedAt: DateTime
  createdAt: DateTime
  updatedAt: DateTime
  projectId: ID!
  project: Project!
  """The EXPERIMENT node."""
  node: Node!
  logMetadata: LogMetadata!
  metrics: [Metric!]!
  """The files that are not deleted."""
  files: [File!]!
  """A page of the files that are not deleted, in upload order."""
  filesPaginated(limit: Int = 100, offset: Int = 0): FilePage!
  """The parameters; null when none were ever set."""
  parameters: Parameters
  trackCount: Int!
}

"""What the server knows about an experiment's logs."""
type LogMetadata {
  totalLogs: Int!
}

"""A metric (a named series) of an experiment; "None" is the unnamed metric."""
type Metric {
  name: String!
  description: String
  tags: [String!]!
  metadata: JSON
  metricMetadata: MetricMetadata!
}

"""Counts of a metric."""
type MetricMetadata {
  totalDataPoints: Int!
  firstDataAt: DateTime
  lastDataAt: DateTime
}

"""A file of an experiment (a FILE node)."""
type File {
  id: ID!
  """The file name."""
  name: String!
  """The file's path inside the experiment, with a leading slash ("/models/a.pt")."""
  pPath: String!
  description: String
  tags: [String!]!
  metadata: JSON
  createdAt: DateTime
  updatedAt: DateTime
  deletedAt: DateTime
  physicalFile: PhysicalFile!
}

"""The stored bytes of a file."""
type PhysicalFile {
  id: ID!
  filename: String!
  contentType: String!
  sizeBytes: BigInt!
  """SHA-256 of the bytes, lowercase hex."""
  checksum: String!
  """Where the bytes can be fetched directly, when the store has such a place; else null."""
  s3Url: String
}

"""The parameters of an experiment: one flat object with dot keys ("model.lr")."""
type Parameters {
  id: ID!
  data: JSON!
  version: Int
  createdAt: DateTime
  updatedAt: DateTime
}

type ProjectPage {
  projects: [Project!]!
  totalCount: Int!
  hasMore: Boolean!
}

type ExperimentPage {
  experiments: [Experiment!]!
  totalCount: Int!
  hasMore: Boolean!
}

type FilePage {
  files: [File!]!
  totalCount: Int!
  hasMore: Boolean!
}
`;

let built: GraphQLSchema | undefined;

/**
 * The schema, built once. Its scalars pass values through unchanged (JSON objects as they are,
 * DateTime as the string the store holds, BigInt as a number).
 */
export function mlDashSchema(): GraphQLSchema {
  return (built ??= buildSchema(SCHEMA_SDL));
}

/**
 * The validation rules the server applies: every rule of the GraphQL specification except
 * "no unused variables". ML-Dash Python 0.6.27 declares `$experimentId` in one of its
 * `GetExperimentNode` queries (client.py, upload_file) and never uses it; a server applying every
 * rule answers that query with an error, and the upload fails. Unused variables change nothing
 * about what a query means, so accepting them costs nothing.
 */
export const VALIDATION_RULES: readonly ValidationRule[] = specifiedRules.filter((rule) => rule !== NoUnusedVariablesRule);
