/**
 * `ml-dash serve --store postgres://… --blobs s3://bucket/prefix`: the team store's connections
 * from the command line and the environment (PostgreSQL: the URL, then `PG*`; S3: the AWS
 * environment as the AWS CLI reads it — `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; path-style addressing when an endpoint is set),
 * and `--check`, which tries both and says what is wrong without printing a secret.
 */
import { openPg } from "../server/stores/team/pg.ts";
import { S3Client } from "../server/stores/team/s3.ts";
import { s3ConfigFromEnv, type Env } from "../server/stores/team/s3-config.ts";
import { checkTeamStore, durabilityWarning, pgDurability } from "../server/stores/team/check.ts";
import { housekeep } from "../server/stores/team/store-housekeeping.ts";
import { teamStore, type TeamStore } from "../server/stores/team/store.ts";
import { nodeSha256 } from "../runtime/node/files.ts";
import { nodeCompression } from "../runtime/node/compress.ts";
import { UsageError } from "./command.ts";

/** Where the team store is. */
export interface TeamTarget {
  /** `postgres://user:password@host:port/database` (the environment fills what it leaves out). */
  readonly store: string;
  /** `s3://bucket/prefix`. */
  readonly blobs: string;
}

/** Checks the pair of options: both or neither. */
export function teamTarget(store: string | undefined, blobs: string | undefined): TeamTarget | undefined {
  if (store === undefined && blobs === undefined) return undefined;
  if (store === undefined || !/^postgres(ql)?:\/\//i.test(store)) {
    throw new UsageError(store === undefined ? "--blobs needs --store postgres://… (the team store keeps records in PostgreSQL)" : "--store takes a postgres:// URL (serve a .dash folder with --root)");
  }
  if (blobs === undefined) throw new UsageError("--store needs --blobs s3://bucket/prefix (the team store keeps sealed chunks and files in S3)");
  return { store, blobs };
}

function s3Client(target: TeamTarget, env: Env): S3Client {
  return new S3Client(s3ConfigFromEnv(target.blobs, env), { sha256: nodeSha256 });
}

/** Opens the team store (migrations run on `ready()`). */
export function openTeamStore(target: TeamTarget, env: Env): TeamStore {
  return teamStore({ pg: openPg({ url: target.store, env }), s3: s3Client(target, env), compression: nodeCompression, sha256: nodeSha256 });
}

/** Why the team store's PostgreSQL could lose answered writes (its settings), or undefined; a failed query is no warning. */
export async function teamDurabilityWarning(store: TeamStore): Promise<string | undefined> {
  try {
    return durabilityWarning(await store.state.run("read settings", (sql) => pgDurability(sql)));
  } catch {
    return undefined;
  }
}

/** `--check`: prints one line per half; 0 when both are usable, 1 otherwise. */
export async function checkTeam(target: TeamTarget, env: Env, io: { out(text: string): void; err(text: string): void }): Promise<number> {
  const report = await checkTeamStore({ pg: { url: target.store, env }, s3: s3Client(target, env) });
  if (report.postgres.ok) {
    const r = report.postgres.result;
    io.out(`ok   PostgreSQL ${r.target} (${r.serverVersion}; schema version ${r.schemaVersion} of ${r.latestVersion}${r.schemaVersion < r.latestVersion ? ", migrated at start" : ""})`);
    if (r.durabilityWarning) io.err(`warn PostgreSQL: ${r.durabilityWarning}`);
  } else io.err(`FAIL PostgreSQL: ${report.postgres.error.message}`);
  if (report.s3.ok) io.out(`ok   S3 ${report.s3.result.target} (list, write, read and delete allowed)`);
  else io.err(`FAIL S3: ${report.s3.error.message}`);
  return report.ok ? 0 : 1;
}

/** How often each node runs the team store's housekeeping (hourly, jittered so nodes spread out). */
export const HOUSEKEEPING_EVERY_MS = 3600 * 1000;

/** A running housekeeping schedule. */
export interface Housekeeping {
  /** Stops the schedule and waits for a round in progress (call before closing the store). */
  stop(): Promise<void>;
}

/**
 * Runs the store's housekeeping (store-housekeeping.ts: accepted batches past their retention
 * window, objects no row references) a few minutes after start, then about every `everyMs`.
 * A round that finds something says so on the console; a failed round is a warning, and the next
 * one tries again. Rounds on several nodes at once are safe (each is idempotent).
 */
export function startHousekeeping(store: TeamStore, o: { everyMs?: number; firstAfterMs?: number; log?: (line: string) => void } = {}): Housekeeping {
  const every = o.everyMs ?? HOUSEKEEPING_EVERY_MS;
  const log = o.log ?? ((line: string) => console.log(line));
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round: Promise<void> = Promise.resolve();
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = housekeep(store.state)
        .then((r) => {
          if (r.prunedBatches + r.queuedObjects + r.strayObjects + r.sealedChunks > 0) {
            log(`ml-dash team store: housekeeping pruned ${r.prunedBatches} accepted batch key(s), deleted ${r.queuedObjects + r.strayObjects} unreferenced object(s), sealed ${r.sealedChunks} chunk(s) left pending`);
          }
        })
        .catch((e: unknown) => log(`ml-dash team store: housekeeping failed (next round in about ${Math.round(every / 60_000)} min): ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => schedule(every * (0.75 + Math.random() / 2)));
    }, ms);
    timer.unref?.();
  };
  schedule(o.firstAfterMs ?? 60_000 + Math.random() * 240_000);
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await round;
    },
  };
}
