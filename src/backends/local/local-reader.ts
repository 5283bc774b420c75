/**
 * Reads an experiment folder of a local store: metric pages and stats, the metric list, track
 * ranges and logs, in the shapes ML-Dash returns them (`read`, `stats`, `list` of metrics; track slices).
 */
import type { MetricPage, MetricStats, MetricSummary, Reader, StoredLog, TrackReadOptions, TrackRecord } from "../../model/backend.ts";
import { NotFoundError, storageError } from "../../errors.ts";
import type { PlainObject } from "../../model/values.ts";
import { paths, runKeys } from "../../layout/paths.ts";
import { parseJsonLines, parsePyJson } from "../../layout/py-json-parse.ts";
import { ExactNumber } from "../../model/exact.ts";
import type { MetricMetaDoc } from "../../layout/records.ts";
import type { StorageAdapter } from "../../storage/contract.ts";

const decoder = new TextDecoder();
const NL = 10;

/**
 * Lines `[from, from + count)` of a JSONL file, located by scanning for newlines (line *i* is
 * record *i*, as ML-Dash's reader assumes). `more` tells whether lines follow the slice.
 */
function sliceLines(bytes: Uint8Array, from: number, count: number): { text: string; more: boolean } {
  let start = 0;
  for (let line = 0; line < from; line++) {
    const nl = bytes.indexOf(NL, start);
    if (nl < 0) return { text: "", more: false };
    start = nl + 1;
  }
  let end = start;
  for (let line = 0; line < count; line++) {
    const nl = bytes.indexOf(NL, end);
    if (nl < 0) {
      end = bytes.length;
      break;
    }
    end = nl + 1;
  }
  return { text: decoder.decode(bytes.subarray(start, end)), more: end < bytes.length && bytes.indexOf(NL, end) >= 0 };
}

/** Read access to one experiment folder of a local store. */
export class LocalReader implements Reader {
  constructor(
    private readonly storage: StorageAdapter,
    private readonly dir: string,
    /**
     * Metric and track values kept as written (`1.0` as an `ExactNumber`), for a server that
     * answers ML-Dash Python, which must read back a float. Users' readers leave it off.
     */
    private readonly exact = false,
  ) {}

  async readMetric(name: string | null, startIndex: number, limit: number): Promise<MetricPage> {
    const key = paths.metricData(this.dir, name);
    const bytes = await this.read(key);
    if (!bytes) return { data: [], startIndex, endIndex: startIndex - 1, total: 0, hasMore: false };
    const { text, more } = sliceLines(bytes, startIndex, limit);
    const data = parseJsonLines<MetricPage["data"][number]>(text, this.exact).records;
    return { data, startIndex, endIndex: startIndex + data.length - 1, total: data.length, hasMore: more };
  }

  async metricStats(name: string | null): Promise<MetricStats> {
    const meta = await this.metricMeta(name);
    if (!meta) throw new NotFoundError(`Metric ${JSON.stringify(name ?? "None")} not found in ${this.dir}; log to it first`);
    const total = String(meta.totalDataPoints ?? 0);
    return {
      metricId: meta.metricId,
      name: meta.name,
      description: meta.description ?? null,
      tags: meta.tags ?? [],
      metadata: meta.metadata ?? null,
      totalDataPoints: total,
      bufferedDataPoints: total,
      chunkedDataPoints: "0",
      totalChunks: 0,
      chunkSize: 10000,
      firstDataAt: meta.createdAt ?? null,
      lastDataAt: meta.updatedAt ?? null,
      createdAt: meta.createdAt,
      updatedAt: meta.updatedAt,
    };
  }

  async listMetrics(): Promise<MetricSummary[]> {
    const keys = await this.list(paths.metricsDir(this.dir));
    const out: MetricSummary[] = [];
    for (const key of keys) {
      const dirName = runKeys.metricMetaDir(key.slice(this.dir.length + 1));
      if (dirName === undefined) continue;
      const meta = await this.metricMeta(dirName === "None" ? null : dirName);
      if (!meta) continue;
      out.push({
        metricId: meta.metricId,
        name: meta.name,
        description: meta.description ?? null,
        tags: meta.tags ?? [],
        totalDataPoints: String(meta.totalDataPoints ?? 0),
        createdAt: meta.createdAt,
      });
    }
    return out;
  }

  async readTrack(topic: string, options: TrackReadOptions): Promise<TrackRecord[]> {
    const bytes = await this.read(paths.trackData(this.dir, topic));
    if (!bytes) return [];
    const { start, end, columns } = options;
    const out: TrackRecord[] = [];
    for (const rec of parseJsonLines<TrackRecord>(bytes, this.exact).records) {
      const raw = rec.timestamp as unknown;
      const ts = raw instanceof ExactNumber ? raw.valueOf() : raw;
      if (typeof ts !== "number") continue;
      if ((start !== undefined && ts < start) || (end !== undefined && ts > end)) continue;
      if (columns) {
        const picked: TrackRecord = { timestamp: rec.timestamp };
        for (const c of columns) if (c in rec) picked[c] = rec[c] as TrackRecord[string];
        out.push(picked);
      } else {
        out.push(rec);
      }
    }
    return out;
  }

  async readLogs(startSequence: number, limit: number): Promise<StoredLog[]> {
    const bytes = await this.read(paths.logs(this.dir));
    if (!bytes) return [];
    return parseJsonLines<StoredLog>(bytes)
      .records.filter((r) => r.sequenceNumber >= startSequence)
      .slice(0, limit);
  }

  private async metricMeta(name: string | null): Promise<MetricMetaDoc | undefined> {
    const bytes = await this.read(paths.metricMeta(this.dir, name));
    if (!bytes) return undefined;
    try {
      return parsePyJson(decoder.decode(bytes)) as MetricMetaDoc;
    } catch (err) {
      throw storageError("parse", paths.metricMeta(this.dir, name), err);
    }
  }

  private async read(key: string): Promise<Uint8Array | null> {
    try {
      return await this.storage.read(key);
    } catch (err) {
      throw storageError("read", key, err);
    }
  }

  private async list(prefix: string): Promise<string[]> {
    try {
      return await this.storage.list(prefix);
    } catch (err) {
      throw storageError("list", prefix, err);
    }
  }
}

/** Narrows a parsed value to a plain object. */
export function asObject(v: unknown): PlainObject | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as PlainObject) : undefined;
}
