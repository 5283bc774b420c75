/**
 * The team store's foundations (issue 16): PostgreSQL for records and recent points, S3-compatible
 * object storage for sealed chunks and files, so any number of stateless `ml-dash serve`
 * processes share one truth: `teamStore` (the server's store interface) and what it builds on.
 */
export { checkPostgres, checkS3, checkTeamStore, type CheckOutcome, type PgCheck, type S3Check, type TeamStoreCheck, type TeamStoreCheckOptions } from "./check.ts";
export { migrate, MIGRATIONS, schemaVersion, type Migration, type MigrateResult } from "./migrations.ts";
export { openPg, pgError, type Pg, type PgOptions, type Sql } from "./pg.ts";
export { describePg, pgConnectionFrom, type PgConnection } from "./pg-config.ts";
export { S3Client, type S3ClientOptions, type S3GetResult, type S3ListPage, type S3ObjectInfo, type S3PutResult } from "./s3.ts";
export { parseS3Url, s3ConfigFromEnv, type Env, type S3Config, type S3Credentials } from "./s3-config.ts";
export { MIN_PART_SIZE, type PutStreamOptions } from "./s3-multipart.ts";
export { teamStore, type TeamStore, type TeamStoreOptions } from "./store.ts";
