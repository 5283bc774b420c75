/**
 * Sending one batch: encode, POST with its idempotency key, switch to JSON after a 415, and
 * read back where the server's stream now ends. A 409 answer means the server is behind the
 * batch (a gap); it is turned into {@link StreamGap} so the caller can resend from there. A 413
 * (too large for this server) is answered by sending the batch in halves.
 */
import { RemoteError } from "../../errors.ts";
import type { Batch } from "../../model/batch.ts";
import { tailOf } from "../../protocol/batch-ops.ts";
import type { RemoteClient } from "./client.ts";
import { batchTarget, encodeBatch, idempotencyKey } from "../../protocol/wire.ts";

/** The server holds fewer records than the batch assumes; `next` is where its stream ends. */
export class StreamGap extends Error {
  constructor(
    readonly next: number,
    override readonly cause: RemoteError,
  ) {
    super(`The server's stream ends at ${next}`);
  }
}

/** What a sent batch did. */
export interface Sent {
  /** The server's next record number for the stream after this batch. */
  readonly next: number;
  /** Encoded bytes sent. */
  readonly bytes: number;
}

function num(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The server's next record number from a batch answer (ours, or the ML-Dash shapes). */
export function nextFromAnswer(data: unknown, batch: Batch): number {
  const d = (data ?? {}) as Record<string, unknown>;
  const next = num(d["nextIndex"]);
  if (next !== undefined) return next;
  const end = num(d["endIndex"]) ?? num(d["endSequence"]);
  if (end !== undefined) return end + 1;
  return batch.first + batch.count;
}

/**
 * POSTs `batch` to experiment `experimentId`, numbered as `writer`'s (see `protocol/writer-id.ts`;
 * without one, by the server's positions). Transient failures were already retried by the
 * client; what is thrown is final for this attempt.
 */
export async function sendBatch(client: RemoteClient, experimentId: string, batch: Batch, writer?: string): Promise<Sent> {
  for (;;) {
    const format = client.wire;
    const { body, contentType } = encodeBatch(batch, format);
    try {
      const res = await client.request(batchTarget(experimentId, batch), {
        body,
        contentType,
        headers: { "idempotency-key": idempotencyKey(writer ?? experimentId, batch) },
      });
      return { next: nextFromAnswer(res.data, batch), bytes: body.length };
    } catch (err) {
      if (err instanceof RemoteError && err.status === 415 && format === "msgpack" && batch.data.kind !== "log") {
        client.wire = "json"; // this server speaks JSON only (as the hosted ML-Dash API does)
        continue;
      }
      if (err instanceof RemoteError && err.status === 413 && batch.count > 1) {
        // Too large for this server: send it in halves (each half keeps its position).
        const half = Math.ceil(batch.count / 2);
        const first = await sendBatch(client, experimentId, tailOf(batch, batch.first, half), writer);
        const second = await sendBatch(client, experimentId, tailOf(batch, batch.first + half), writer);
        return { next: second.next, bytes: first.bytes + second.bytes };
      }
      if (err instanceof RemoteError && err.status === 409) {
        const body = (err.body ?? {}) as Record<string, unknown>;
        const next = num(body["nextIndex"]);
        if (next !== undefined) throw new StreamGap(next, err);
      }
      throw err;
    }
  }
}
