/**
 * `RemoteReader`: reads of a remote-only run, through the server's REST API. Reads ask for
 * msgpack (an ml-dash server answers in it, keeping NaN and ±Infinity); a JSON-only server
 * answers JSON, where those values come back as `null`.
 */
import type { MetricPage, MetricStats, MetricSummary, Reader, StoredLog, TrackReadOptions, TrackRecord } from "../../model/backend.ts";
import { NotFoundError, RemoteError } from "../../errors.ts";
import { routes, target, UNNAMED_METRIC, type RouteTarget } from "../../protocol/routes.ts";
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

  /** The experiment's id on the server. */
  private id(): string {
    const id = this.experimentId();
    if (id === undefined) throw new NotFoundError("The experiment does not exist on the server yet; start the run first");
    return id;
  }

  private async get<T>(to: RouteTarget, query?: Record<string, string | number | undefined>): Promise<T> {
    return (await this.client.request<T>(to, { query, msgpack: true })).data;
  }

  async readMetric(name: string | null, startIndex: number, limit: number): Promise<MetricPage> {
    const page = await this.get<Partial<MetricPage> & { data?: { index: unknown }[] }>(target(routes.readMetric, { id: this.id(), name: name ?? UNNAMED_METRIC }), { startIndex, limit });
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
      return await this.get<MetricStats>(target(routes.metricStats, { id: this.id(), name: name ?? UNNAMED_METRIC }));
    } catch (err) {
      if (err instanceof RemoteError && err.status === 404) {
        throw new NotFoundError(`Metric ${JSON.stringify(name ?? "None")} not found on the server; log to it first`, { cause: err });
      }
      throw err;
    }
  }

  async listMetrics(): Promise<MetricSummary[]> {
    const res = await this.get<{ metrics?: MetricSummary[] }>(target(routes.listMetrics, { id: this.id() }));
    return res.metrics ?? [];
  }

  async readTrack(topic: string, options: TrackReadOptions): Promise<TrackRecord[]> {
    const res = await this.get<{ entries?: TrackRecord[] }>(target(routes.readTrack, { id: this.id(), topic }), {
      format: "json",
      start_timestamp: options.start,
      end_timestamp: options.end,
      columns: options.columns?.join(","),
    });
    return res.entries ?? [];
  }

  async readLogs(startSequence: number, limit: number): Promise<StoredLog[]> {
    const res = await this.get<{ logs?: StoredLog[] }>(target(routes.readLogs, { id: this.id() }), { startSequence, limit });
    return res.logs ?? [];
  }
}
