/**
 * `RemoteReader`: reads of a remote-only run, through the server's REST API. Reads ask for
 * msgpack (an ml-dash server answers in it, keeping NaN and ±Infinity); a JSON-only server
 * answers JSON, where those values come back as `null`.
 */
import type { MetricPage, MetricStats, MetricSummary, Reader, StoredLog, TrackReadOptions, TrackRecord } from "../../model/backend.ts";
import { NotFoundError, RemoteError } from "../../errors.ts";
import type { RemoteClient } from "./client.ts";

function asNumber(v: unknown, fallback: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

/** Reads one remote experiment. */
export class RemoteReader implements Reader {
  constructor(
    private readonly client: RemoteClient,
    /** The experiment id (known once the run has started). */
    private readonly experimentId: () => string | undefined,
  ) {}

  private base(): string {
    const id = this.experimentId();
    if (id === undefined) throw new NotFoundError("The experiment does not exist on the server yet; start the run first");
    return `experiments/${encodeURIComponent(id)}`;
  }

  private async get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return (await this.client.request<T>("GET", `${this.base()}/${path}`, { query, msgpack: true })).data;
  }

  async readMetric(name: string | null, startIndex: number, limit: number): Promise<MetricPage> {
    const page = await this.get<Partial<MetricPage> & { data?: { index: unknown }[] }>(`metrics/${encodeURIComponent(name ?? "None")}/data`, { startIndex, limit });
    const data = (page.data ?? []).map((p) => ({ ...p, index: asNumber(p.index, 0) })) as MetricPage["data"];
    return {
      data,
      startIndex: asNumber(page.startIndex, startIndex),
      endIndex: asNumber(page.endIndex, startIndex + data.length - 1),
      total: asNumber(page.total, data.length),
      hasMore: page.hasMore === true,
    };
  }

  async metricStats(name: string | null): Promise<MetricStats> {
    try {
      return await this.get<MetricStats>(`metrics/${encodeURIComponent(name ?? "None")}/stats`);
    } catch (err) {
      if (err instanceof RemoteError && err.status === 404) {
        throw new NotFoundError(`Metric ${JSON.stringify(name ?? "None")} not found on the server; log to it first`, { cause: err });
      }
      throw err;
    }
  }

  async listMetrics(): Promise<MetricSummary[]> {
    const res = await this.get<{ metrics?: MetricSummary[] }>("metrics");
    return res.metrics ?? [];
  }

  async readTrack(topic: string, options: TrackReadOptions): Promise<TrackRecord[]> {
    const res = await this.get<{ entries?: TrackRecord[] }>(`tracks/${encodeURIComponent(topic)}/data`, {
      format: "json",
      start_timestamp: options.start,
      end_timestamp: options.end,
      columns: options.columns?.join(","),
    });
    return res.entries ?? [];
  }

  async readLogs(startSequence: number, limit: number): Promise<StoredLog[]> {
    const res = await this.get<{ logs?: StoredLog[] }>("logs", { startSequence, limit });
    return res.logs ?? [];
  }
}
