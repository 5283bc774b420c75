/**
 * The run store contract against the team store: a real PostgreSQL (a database per test) and
 * s3rver (a prefix per test), run twice: with ML-Dash's 10,000-record chunks (everything the
 * suite writes stays pending in PostgreSQL) and with 50-record chunks (almost everything is
 * sealed into S3 objects, and reads cross chunk and batch boundaries).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, vi } from "vitest";
import { runStoreContract, type RunStoreFixture } from "../../contract/run-store-contract.ts";
import { openPg } from "../../../src/server/stores/team/pg.ts";
import { teamStore, type TeamStore } from "../../../src/server/stores/team/store.ts";
import { startPostgres, type TestPostgres } from "../../support/postgres.ts";
import { startS3rver, type TestS3 } from "../../support/s3rver.ts";
import { clientFor } from "./s3-helpers.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

let pg: TestPostgres;
let s3: TestS3;
const BUCKET = "team-contract";

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3rver({ buckets: [BUCKET] })]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.stop()]);
});

function fixture(chunkSize: number): () => Promise<RunStoreFixture> {
  return async () => {
    const url = await pg.createDatabase();
    const prefix = `s3://${BUCKET}/${randomUUID()}`;
    const open = (): TeamStore => {
      const store = teamStore({ pg: openPg({ url, max: 4 }), s3: clientFor(s3, prefix), chunkSize });
      // Seals run after the answer; the suite reads right after writing, so a test waits for them
      // where it matters through reads (records are readable pending or sealed).
      return store;
    };
    return { store: open(), reopen: async () => open(), cleanup: async () => undefined };
  };
}

runStoreContract("team (PostgreSQL + s3rver), 10,000-record chunks", fixture(10_000));
runStoreContract("team (PostgreSQL + s3rver), 50-record chunks", fixture(50));
