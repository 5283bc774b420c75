/**
 * The team store's second schema step: what the store (issue 16) needs beyond the first draft.
 * Released migrations never change; this one only adds, relaxes and drops what nothing used.
 *
 * - **Experiment nodes.** The REST API names an experiment both by its id and by the id of its
 *   node in the tree (the parent of its files): `experiments.node_id`. `write_protected` as
 *   ML-Dash keeps it. `metadata` may be null (a run opened without metadata has none).
 * - **File folders** a client creates inside an experiment before it uploads (Python's client
 *   does, once per folder): `file_folders`, one row per (experiment, logical path).
 * - **Files** keep `bindrs`, may have null metadata, and remember the idempotency key of the
 *   request that saved them: a retried upload (its answer lost) on any node finds the first
 *   save's record through the unique index instead of storing the file twice.
 * - **Pending batches instead of recent points.** Points not yet sealed into a chunk are kept one
 *   row per accepted batch (its encoded `.dash` lines, gzipped) instead of one row per point (the store
 *   never writes `recent_points`, kept only because a released migration made it): ingest is
 *   one insert per request instead of one per point (100k points were 100k index entries, now
 *   ~100), and a point still cannot be stored twice, because the batch's range is allocated from
 *   `series.next_index` under the series row lock and `(series_id, first_index)` is the key.
 * - **What a series' readers want without reading it**: the numeric fields of a metric in
 *   first-seen order and its last point (the dashboard's overview), a track's columns and its
 *   first and last timestamps (its description), kept current by every append.
 * - **Params' exact text.** jsonb cannot hold NaN or ±Infinity; `params.doc` keeps the flat map
 *   as Python-compatible JSON text (exact), `data` stays the queryable copy.
 */
export const STORE_SCHEMA = /* sql */ `
alter table experiments add column node_id bigint unique;
alter table experiments add column write_protected boolean not null default false;
alter table experiments alter column metadata drop not null;
alter table experiments alter column metadata drop default;

create table file_folders (
  id             bigint primary key,
  experiment_id  bigint not null references experiments (id) on delete cascade,
  path           text not null check (path like '/%' and path <> '/'),
  name           text not null,
  parent_id      bigint not null,
  created_at     timestamptz not null default now(),
  unique (experiment_id, path)
);

alter table files add column bindrs text[] not null default '{}';
alter table files add column idempotency_key text;
alter table files alter column metadata drop not null;
alter table files alter column metadata drop default;
create unique index files_idempotency on files (experiment_id, idempotency_key) where idempotency_key is not null;

create table pending_batches (
  series_id    bigint not null references series (id) on delete cascade,
  first_index  bigint not null check (first_index >= 0),
  count        integer not null check (count > 0),
  -- the batch's records as .dash JSONL lines (one per record, newline-terminated), gzipped
  data         bytea not null,
  primary key (series_id, first_index)
);

alter table series add column fields text[] not null default '{}';
alter table series add column last_data text;
alter table series add column first_ts double precision;
alter table series add column last_ts double precision;
alter table series alter column metadata drop not null;
alter table series alter column metadata drop default;

alter table params add column doc text;
`;
