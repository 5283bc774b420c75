/**
 * The team store's first schema (a draft for issue 16; later migrations refine it, this one never
 * changes once released: the runner refuses an applied migration whose text differs).
 *
 * The shape, and why:
 *
 * - **Ids.** Namespaces, projects, folders, experiments and files have `bigint` ids made by the
 *   server (the API shows them as 16-digit decimal strings; postgres.js reads int8 as strings),
 *   so a `.dash` tree imported into the team store keeps the ids the embedded store derived from
 *   its paths. Series and tokens are internal: identity columns.
 * - **Experiments** are found by `path`, the prefix the SDK writes (`namespace/project/…/name`),
 *   and listed per project and folder. Tags and bindrs are `text[]` with GIN indexes (filtering
 *   by tag is the dashboard's commonest query); metadata is `jsonb`.
 * - **Params** keep every version as a full flat snapshot: `(experiment, version)` is the key, the
 *   current params are the highest version (one index probe). Two nodes writing the next version
 *   at once collide on the key; the loser re-reads and retries, so no version is lost. jsonb
 *   cannot hold NaN or ±Infinity: those values are stored as the strings "NaN", "Infinity",
 *   "-Infinity" by the store.
 * - **Series** are one row per (experiment, kind, name); `next_index` is the index the next
 *   accepted point gets. Appending `n` points is `UPDATE series SET next_index = next_index + n
 *   … RETURNING`: the row lock orders concurrent appenders on any node, indices stay dense.
 * - **Accepted batches** make retries no-ops on every node: a batch is accepted once per
 *   `(series, writer, batch_key)` (the primary key). The append transaction locks the series row
 *   (`SELECT … FOR UPDATE`), looks the batch up, and only if it is new advances `next_index` and
 *   inserts the batch row (first index, count) and its points. A retry of the same batch — on this
 *   node or another, even racing the first attempt — waits for the lock, finds the row, and answers
 *   the recorded `(first_index, count)` instead of appending again; the primary key is the
 *   backstop. Rows older than any retry window can be pruned (`accepted_at` index).
 * - **Recent points** are the points not yet sealed into a chunk: one row per point,
 *   `(series, idx)` is the primary key (a point can never be stored twice), `data` is the point's
 *   encoded record (one JSONL line as in `.dash`; bytea because jsonb refuses NaN and ±Infinity,
 *   which metrics do contain). They are few per series: at most about one chunk's worth.
 * - **Chunks** hold sealed points in S3, `chunk_size` (10,000, ML-Dash's) points each: chunk
 *   `chunk_no` covers indices `first_index..last_index`; the last chunk of a run that ended may be
 *   partial, so the next one starts after its `last_index` (chunk numbers are sequential, not
 *   derived from indices). Each row carries its summary: per numeric column min, max, last, count
 *   (and NaN count) as jsonb, plus `ts_min`/`ts_max` for tracks' time lookups. A 10M-point series
 *   is 1,000 rows: it opens (overview chart with min/max envelopes that keep spikes, counts, last
 *   values) from these rows alone, and a zoom reads only the chunks it covers (ranged GETs).
 * - **Sealing races.** Two nodes may decide to seal the same points. Each writes its object under
 *   a key of its own (a random suffix: a reader holding a chunk row never sees its bytes swapped),
 *   then in one transaction `INSERT INTO chunks … ON CONFLICT DO NOTHING RETURNING` (the keys
 *   `(series_id, chunk_no)` and `(series_id, first_index)`: the same points can never be sealed
 *   twice, under any number) and, if it won, deletes the sealed recent points. The loser inserts nothing, rolls
 *   back and deletes its own object. Readers take chunks and recent points in one snapshot (one
 *   statement, or REPEATABLE READ), so a point is never seen twice or missed mid-seal. A node may
 *   take `pg_try_advisory_xact_lock(series_id)` first to skip duplicate work; correctness does not
 *   depend on it.
 * - **Files** are records with soft delete (`deleted_at`); one live file per (experiment, path,
 *   filename) is enforced by a partial unique index, so "save again replaces" is: soft-delete the
 *   old row and insert the new one in one transaction. Each row owns its object (`object_key`
 *   unique).
 * - **Object garbage.** Deleting a file or chunk row (directly or by cascade from an experiment)
 *   queues its object key in `object_gc` in the same transaction (triggers), and a sweeper deletes
 *   the objects later: a crash between the database and S3 can never leak an object or leave a row
 *   pointing at nothing. Objects of crashed sealers (no row at all) are found by listing the
 *   chunk prefix against `chunks`.
 * - **Tokens** (for later): per-user API tokens, stored as SHA-256 digests only.
 */
export const INITIAL_SCHEMA = /* sql */ `
create table namespaces (
  id          bigint primary key,
  slug        text not null unique,
  created_at  timestamptz not null default now()
);

create table projects (
  id            bigint primary key,
  namespace_id  bigint not null references namespaces (id) on delete cascade,
  slug          text not null,
  name          text not null,
  description   text,
  tags          text[] not null default '{}',
  metadata      jsonb not null default '{}',
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  unique (namespace_id, slug)
);

create table folders (
  id          bigint primary key,
  project_id  bigint not null references projects (id) on delete cascade,
  parent_id   bigint references folders (id) on delete cascade,
  -- below the project, '/'-separated, no empty segment: 'sweeps/lr-1e-3'
  path        text not null check (path <> '' and path !~ '(^/|/$|//)'),
  name        text not null,
  description text,
  tags        text[] not null default '{}',
  metadata    jsonb not null default '{}',
  created_at  timestamptz not null default now(),
  unique (project_id, path)
);
create index folders_children on folders (project_id, parent_id);

create table experiments (
  id           bigint primary key,
  project_id   bigint not null references projects (id) on delete cascade,
  folder_id    bigint references folders (id) on delete cascade,
  path         text not null unique,
  name         text not null,
  status       text not null default 'RUNNING' check (status in ('RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
  description  text,
  tags         text[] not null default '{}',
  bindrs       text[] not null default '{}',
  metadata     jsonb not null default '{}',
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  started_at   timestamptz,
  ended_at     timestamptz
);
create index experiments_in_folder on experiments (project_id, folder_id, name);
create index experiments_recent on experiments (project_id, updated_at desc);
create index experiments_tags on experiments using gin (tags);
create index experiments_bindrs on experiments using gin (bindrs);

create table params (
  experiment_id  bigint not null references experiments (id) on delete cascade,
  version        integer not null check (version >= 1),
  data           jsonb not null,
  created_at     timestamptz not null default now(),
  primary key (experiment_id, version)
);

create table series (
  id             bigint generated always as identity primary key,
  experiment_id  bigint not null references experiments (id) on delete cascade,
  kind           text not null check (kind in ('metric', 'track', 'log')),
  name           text not null,
  chunk_size     integer not null default 10000 check (chunk_size > 0),
  next_index     bigint not null default 0 check (next_index >= 0),
  description    text,
  tags           text[] not null default '{}',
  metadata       jsonb not null default '{}',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  unique (experiment_id, kind, name)
);

create table accepted_batches (
  series_id    bigint not null references series (id) on delete cascade,
  writer       text not null,
  batch_key    text not null,
  first_index  bigint not null check (first_index >= 0),
  count        integer not null check (count >= 0),
  accepted_at  timestamptz not null default now(),
  primary key (series_id, writer, batch_key)
);
create index accepted_batches_age on accepted_batches (accepted_at);

create table recent_points (
  series_id  bigint not null references series (id) on delete cascade,
  idx        bigint not null check (idx >= 0),
  data       bytea not null,
  primary key (series_id, idx)
);

create table chunks (
  series_id    bigint not null references series (id) on delete cascade,
  chunk_no     integer not null check (chunk_no >= 0),
  first_index  bigint not null check (first_index >= 0),
  last_index   bigint not null,
  count        integer not null,
  -- per numeric column: {"loss": {"min": 0.1, "max": 2.3, "last": 0.2, "count": 10000, "nan": 0}}
  summary      jsonb not null default '{}',
  ts_min       double precision,
  ts_max       double precision,
  object_key   text not null unique,
  encoding     text not null default 'jsonl',
  byte_size    bigint not null check (byte_size >= 0),
  sha256       text check (sha256 ~ '^[0-9a-f]{64}$'),
  sealed_at    timestamptz not null default now(),
  primary key (series_id, chunk_no),
  unique (series_id, first_index),
  check (last_index >= first_index and count = last_index - first_index + 1)
);
create index chunks_by_time on chunks (series_id, ts_min) where ts_min is not null;

create table files (
  id             bigint primary key,
  experiment_id  bigint not null references experiments (id) on delete cascade,
  -- the folder within the run, as the API shows it: '/models'
  path           text not null,
  filename       text not null,
  content_type   text,
  size_bytes     bigint not null check (size_bytes >= 0),
  sha256         text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  object_key     text not null unique,
  description    text,
  tags           text[] not null default '{}',
  metadata       jsonb not null default '{}',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  deleted_at     timestamptz
);
create unique index files_live_name on files (experiment_id, path, filename) where deleted_at is null;
create index files_in_experiment on files (experiment_id, path);

create table object_gc (
  object_key   text primary key,
  enqueued_at  timestamptz not null default now()
);
create index object_gc_age on object_gc (enqueued_at);

create function enqueue_object_gc() returns trigger language plpgsql as $$
begin
  insert into object_gc (object_key) values (old.object_key) on conflict do nothing;
  return old;
end
$$;
create trigger files_object_gc after delete on files for each row execute function enqueue_object_gc();
create trigger chunks_object_gc after delete on chunks for each row execute function enqueue_object_gc();

create table tokens (
  id            bigint generated always as identity primary key,
  username      text not null,
  name          text,
  token_sha256  bytea not null unique check (length(token_sha256) = 32),
  scopes        text[] not null default '{}',
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz
);
create index tokens_by_user on tokens (username);
`;
