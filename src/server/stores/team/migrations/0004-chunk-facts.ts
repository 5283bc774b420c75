/**
 * The team store's fourth schema step: a pending batch that is exactly one chunk carries what
 * sealing it records (issue 16's ingest speed).
 *
 * An SDK's full batch (10,000 points from a chunk boundary) becomes one chunk as it is: its
 * gzipped lines are the object. Its digest, summary and time range were computed at the seal
 * from the lines, which meant gunzipping, scanning and hashing every point a second time. The
 * append has the lines in hand, so it computes them there and keeps them in `chunk`
 * (`{sha256, summary, tsMin, tsMax}`, the `chunks` row's values); the seal of such a row reads
 * no point. `null` for every other row (partial batches, rows written before this step): the
 * seal computes those from the lines as before.
 */
export const CHUNK_FACTS_SCHEMA = /* sql */ `
alter table pending_batches add column chunk jsonb;
`;
