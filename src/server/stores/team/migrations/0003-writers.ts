/**
 * The team store's third schema step: many writers on one stream (issue 13).
 *
 * A client that names itself (a writer id in its batches' idempotency keys) numbers its records
 * from where it began, not by the stream's position, so two clients appending to one stream
 * both land every record. `writer_positions` keeps, per series and writer, where that writer's
 * own numbering ends; the append transaction reads and advances it under the series row lock,
 * so a retried batch is skipped on any node and what is new goes at the series' end. Rows are
 * never pruned: a writer may resume its uploads at any later time (hybrid mode after a restart).
 */
export const WRITERS_SCHEMA = /* sql */ `
create table writer_positions (
  series_id   bigint not null references series (id) on delete cascade,
  writer      text not null,
  next_index  bigint not null check (next_index >= 0),
  primary key (series_id, writer)
);
`;
