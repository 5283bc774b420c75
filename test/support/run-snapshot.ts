/**
 * Everything a run holds, read back through `LocalReader` (metrics, logs, tracks) and the raw
 * documents (params, experiment), with files as SHA-256 digests: so a run read in one place
 * can be compared record for record with the same run read elsewhere. Portable (Web APIs).
 */
import { LocalReader } from "../../src/backends/local/local-reader.ts";
import { parsePyJson } from "../../src/layout/py-json-parse.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";

const dec = new TextDecoder();

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A JSON string of `value` that keeps NaN and ±Infinity apart from null. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? `<${String(v)}>` : v));
}

/** The run at `prefix` of `storage`, as one JSON string (see {@link stableJson}). */
export async function snapshotRun(storage: StorageAdapter, prefix: string): Promise<string> {
  const reader = new LocalReader(storage, prefix);
  const doc = async (key: string): Promise<unknown> => {
    const b = await storage.read(`${prefix}/${key}`);
    return b ? parsePyJson(dec.decode(b)) : null;
  };
  const metrics: Record<string, unknown> = {};
  for (const m of await reader.listMetrics()) {
    metrics[m.name ?? "None"] = { page: await reader.readMetric(m.name, 0, 1e9), stats: await reader.metricStats(m.name) };
  }
  const tracks: Record<string, unknown> = {};
  const files: Record<string, string> = {};
  for (const key of await storage.list(prefix)) {
    const rest = key.slice(prefix.length + 1);
    const track = /^tracks\/([^/]+)\/data\.jsonl$/.exec(rest);
    if (track) tracks[track[1]!] = await reader.readTrack(track[1]!, {});
    if (rest.startsWith("files/")) files[rest] = await sha256((await storage.read(key))!);
  }
  return stableJson({
    keys: await storage.list(prefix),
    experiment: await doc("experiment.json"),
    parameters: await doc("parameters.json"),
    logs: await reader.readLogs(0, 1e9),
    metrics,
    tracks,
    files,
  });
}
