/**
 * The team store: the {@link RunStore} of `ml-dash serve` on PostgreSQL + S3-compatible object
 * storage, so any number of stateless server processes share one truth (issue 16).
 *
 * | where | what |
 * |---|---|
 * | PostgreSQL | namespaces, projects, folders, experiments and their status; params (every version); series with their next index; the idempotency keys of accepted batches; records not yet sealed (an accepted batch's gzipped lines, in rows cut at chunk boundaries); the chunk index with per-chunk summaries; file records and file folders |
 * | S3 | sealed chunks of 10,000 records (`.dash` JSONL, gzipped; store-seal.ts says why); file contents |
 *
 * Every write is one PostgreSQL transaction, and every answer is given after it commits: a node
 * killed at any moment loses nothing it acknowledged, and any node can serve the next request.
 */
import type { RunStore } from "../../store/index.ts";
import { migrate } from "./migrations.ts";
import { teamFiles } from "./store-files.ts";
import { teamNodes } from "./store-nodes.ts";
import { teamReads } from "./store-reads.ts";
import { TeamState, type TeamStoreOptions } from "./store-state.ts";
import { teamParams, teamStreams } from "./store-streams.ts";

export type { TeamStoreOptions } from "./store-state.ts";

/** A {@link RunStore} on PostgreSQL + S3. */
export interface TeamStore extends RunStore {
  /** The shared state (pool, bucket, caches). */
  readonly state: TeamState;
  /** Waits for the seals this process started. */
  settle(): Promise<void>;
}

/**
 * Creates the team store. `ready()` applies pending schema migrations (unless `migrate: false`);
 * `close()` waits for running seals and closes the pool.
 *
 * @example
 * ```ts
 * const pg = openPg({ url: "postgres://mldash@db/mldash", env: process.env });
 * const s3 = new S3Client(s3ConfigFromEnv("s3://runs/team", process.env));
 * const store = teamStore({ pg, s3 });
 * const server = createServer({ store });
 * ```
 */
export function teamStore(options: TeamStoreOptions): TeamStore {
  const state = new TeamState(options);
  let readied: Promise<void> | undefined;
  const settle = async (): Promise<void> => {
    while (state.sealing.size > 0) await Promise.all([...state.sealing.values()]);
  };
  return {
    state,
    settle,
    ...teamNodes(state),
    ...teamParams(state),
    ...teamStreams(state),
    ...teamFiles(state),
    ...teamReads(state),
    ready() {
      readied ??= options.migrate === false ? Promise.resolve() : state.run("migrate", (sql) => migrate(sql)).then(() => undefined);
      return readied;
    },
    // Every answered write is a committed PostgreSQL transaction (and an S3 object once its
    // PUT was answered): nothing is left to make durable.
    sync: async () => undefined,
    async close() {
      await settle();
      await state.pg.close();
    },
  };
}
