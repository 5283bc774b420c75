/**
 * The last flush of a page that is going away: `fetch(…, { keepalive: true })` requests, which
 * browsers let outlive the page within a budget of 64 KiB of bodies in flight (and Chrome, at
 * most 9 such requests). Each stream gets one request with the longest contiguous run of
 * records that fits, starting where the server is, so requests cannot overtake each other.
 * Nothing waits for an answer: the page may be gone. What does not fit stays in the local store
 * (hybrid) or the queue (remote-only); a retry later is harmless, as batches carry positions.
 */
import type { Batch, StreamId } from "../../model/batch.ts";
import { concatData, tailOf } from "../../protocol/batch-ops.ts";
import type { RemoteClient } from "./client.ts";
import { batchTarget, encodeBatch, idempotencyKey, type EncodedBody } from "../../protocol/wire.ts";

/** Most keepalive requests sent at once (Chrome's limit per renderer is 9). */
export const MAX_KEEPALIVE_REQUESTS = 9;

/** One stream's unacknowledged batches and the server's position. */
export interface UnloadStream {
  readonly acked: number;
  readonly batches: Batch[];
  /** Server index minus local index (hybrid, after a reset local store). */
  readonly shift?: number;
}

/** What a keepalive flush did. */
export interface UnloadResult {
  /** Requests sent. */
  readonly requests: number;
  /** Records in them. */
  readonly records: number;
  /** Body bytes in them (≤ the budget). */
  readonly bytes: number;
  /** Records left for later (local store or queue). */
  readonly left: number;
}

/** The contiguous run of records from `acked` on, as one batch. */
function contiguous(s: UnloadStream): Batch | undefined {
  const sorted = [...s.batches].sort((a, b) => a.first - b.first);
  let pos = s.acked;
  const parts: Batch[] = [];
  for (const b of sorted) {
    if (b.first + b.count <= pos) continue;
    if (b.first > pos) break;
    const t = tailOf(b, pos);
    parts.push(t);
    pos = t.first + t.count;
  }
  const head = parts[0];
  if (!head) return undefined;
  if (parts.length === 1) return head;
  return { ...head, count: pos - head.first, data: concatData(parts.map((p) => p.data)), bytes: parts.reduce((n, p) => n + p.bytes, 0) };
}

/** The longest prefix of `batch` whose encoding fits `room` bytes (binary search on the count). */
function fit(batch: Batch, format: "msgpack" | "json", room: number): { batch: Batch; body: EncodedBody } | undefined {
  const whole = encodeBatch(batch, format);
  if (whole.body.length <= room) return { batch, body: whole };
  let lo = 0;
  let hi = batch.count - 1;
  let best: { batch: Batch; body: EncodedBody } | undefined;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const part = tailOf(batch, batch.first, mid);
    const body = encodeBatch(part, format);
    if (body.body.length <= room) {
      best = { batch: part, body };
      lo = mid;
    } else hi = mid - 1;
  }
  return best;
}

/** Fires the keepalive requests; never throws, never awaits. */
export function sendForUnload(client: RemoteClient, experimentId: string, streams: readonly UnloadStream[], budgetBytes: number, writer?: string): UnloadResult {
  let room = budgetBytes;
  let requests = 0;
  let records = 0;
  let bytes = 0;
  let total = 0;
  const token = client.cachedToken;
  for (const s of streams) {
    const run = contiguous(s);
    if (!run) continue;
    total += run.count;
    if (token === undefined || requests >= MAX_KEEPALIVE_REQUESTS || room <= 0) continue;
    const shift = s.shift ?? 0;
    const part = fit(shift === 0 ? run : { ...run, first: run.first + shift }, client.wire, room);
    if (!part) continue;
    const { body, contentType } = part.body;
    const to = batchTarget(experimentId, part.batch);
    client
      .fetchImpl(client.url(to.path), {
        method: to.method,
        body: body as BodyInit,
        keepalive: true,
        headers: { authorization: `Bearer ${token}`, "content-type": contentType, "idempotency-key": idempotencyKey(writer ?? experimentId, part.batch) },
      })
      .catch(() => undefined); // the page is leaving; a lost request is resent by the next load
    requests++;
    records += part.batch.count;
    bytes += body.length;
    room -= body.length;
  }
  return { requests, records, bytes, left: total - records };
}

/**
 * What a page that goes away sends, gathered per stream: the batches not yet acknowledged and
 * where the server's stream is. A stream whose position is unknown is left for the next load.
 */
export class UnloadPlan {
  private readonly streams = new Map<string, UnloadStream>();

  /** Adds batches of `stream`; `acked` is the server's position (`undefined`: unknown, skipped). */
  add(stream: StreamId, acked: number | undefined, shift: number, batches: readonly Batch[]): void {
    if (acked === undefined) return;
    let s = this.streams.get(stream.key);
    if (!s) this.streams.set(stream.key, (s = { acked, shift, batches: [] }));
    s.batches.push(...batches);
  }

  /** Fires the keepalive requests (none before the experiment exists on the server: all is left), keyed as `writer`'s. */
  send(client: RemoteClient, experimentId: string | undefined, budgetBytes: number, writer?: string): UnloadResult {
    const streams = [...this.streams.values()];
    if (experimentId === undefined) return { requests: 0, records: 0, bytes: 0, left: streams.reduce((n, s) => n + s.batches.reduce((m, b) => m + b.count, 0), 0) };
    return sendForUnload(client, experimentId, streams, budgetBytes, writer);
  }
}
