/** The log query of the `.dash` store, over the parsed lines of a run's `logs.jsonl`. */
import type { StoredLog } from "../../../model/backend.ts";
import type { LogPage, LogQuery } from "../../store/streams.ts";
import type { JsonlState } from "./jsonl-cache.ts";

/** True when `timestamp` lies within the query's bounds (ISO bounds compare as stored text, millisecond bounds as instants). */
function inTime(timestamp: string, from: string | number | undefined, to: string | number | undefined): boolean {
  if (typeof from === "string" && from !== "" && timestamp < from) return false;
  if (typeof to === "string" && to !== "" && timestamp > to) return false;
  if (typeof from === "number" || typeof to === "number") {
    const t = Date.parse(timestamp);
    if ((typeof from === "number" && t < from) || (typeof to === "number" && t > to)) return false;
  }
  return true;
}

/** Answers `q` from the lines of `state` (null: the run has no log). */
export function queryLogs(state: JsonlState<StoredLog> | null, q: LogQuery = {}): LogPage {
  const all = state?.records ?? [];
  const search = q.search ? q.search.toLowerCase() : "";
  const counts: Record<string, number> = {};
  const matched: StoredLog[] = [];
  for (const r of all) {
    counts[r.level] = (counts[r.level] ?? 0) + 1;
    if (q.fromSequence !== undefined && r.sequenceNumber < q.fromSequence) continue;
    if (q.levels && !q.levels.includes(r.level)) continue;
    if (!inTime(r.timestamp, q.from, q.to)) continue;
    if (search && !r.message.toLowerCase().includes(search) && !(q.searchMetadata && r.metadata && JSON.stringify(r.metadata).toLowerCase().includes(search))) continue;
    matched.push(r);
  }
  if (q.order === "desc") matched.reverse();
  const limit = q.limit ?? matched.length;
  const offset = q.offset ?? 0;
  const last = all[all.length - 1];
  return {
    logs: q.tail ? matched.slice(Math.max(0, matched.length - limit)) : matched.slice(offset, offset + limit),
    matched: matched.length,
    total: all.length,
    counts,
    nextSequence: last ? last.sequenceNumber + 1 : 0,
    first: all[0]?.timestamp ?? null,
    last: last?.timestamp ?? null,
    revision: String(state?.bytes ?? 0),
  };
}
