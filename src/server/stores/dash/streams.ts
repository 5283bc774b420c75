/** Streams and parameters of the `.dash` store: appends through the SDK's local backend, reads through its reader. */
import { readJsonDoc } from "../../../layout/json-doc.ts";
import { paths } from "../../../layout/paths.ts";
import { isPlainObject, type PlainValue } from "../../../model/values.ts";
import type { ParamsRecord, RunStoreParams } from "../../store/params.ts";
import type { RunStoreStreams } from "../../store/streams.ts";
import { appendOnce } from "./append.ts";
import { queryLogs } from "./logs.ts";
import type { DashState } from "./state.ts";
import { listTracks } from "./tracks.ts";

/** The streams part of the `.dash` store. */
export function dashStreams(state: DashState): RunStoreStreams {
  return {
    async append(ref, stream, data, options) {
      return appendOnce(state.registry, await state.entry(ref), stream, data, options);
    },
    async streams(ref) {
      return state.registry.positions(await state.entry(ref));
    },
    async writerStreams(ref, writer) {
      const e = await state.entry(ref);
      const mine = await state.registry.writers.of(e.path, writer);
      return (await state.registry.positions(e)).map((p) => ({ stream: p.stream, next: mine.get(p.stream.key) ?? 0 })).filter((p) => mine.has(p.stream.key));
    },
    async metricPage(ref, name, startIndex, limit) {
      return (await state.entry(ref)).reader.readMetric(name, startIndex, limit);
    },
    async metricStats(ref, name) {
      return (await state.entry(ref)).reader.metricStats(name);
    },
    async metrics(ref) {
      return (await state.entry(ref)).reader.listMetrics();
    },
    async trackEntries(ref, topic, options) {
      return (await state.entry(ref)).reader.readTrack(topic, options);
    },
    tracks: (ref, options = {}) => listTracks(state.storage, ref.path, options.topic),
    async logs(ref, query) {
      return queryLogs(await state.logs.get(paths.logs(ref.path)), query);
    },
  };
}

/** The parameters part of the `.dash` store (`parameters.json`, merged under the experiment's lock). */
export function dashParams(state: DashState): RunStoreParams {
  const { storage, registry } = state;
  return {
    async params(ref) {
      return (await readJsonDoc(storage, paths.parameters(ref.path), true)) as unknown as ParamsRecord | undefined;
    },
    async mergeParams(ref, changed, options = {}) {
      const e = await state.entry(ref);
      return registry.locks.run(`params:${e.path}`, async () => {
        const old = await readJsonDoc(storage, paths.parameters(e.path), true);
        const oldData = isPlainObject(old?.["data"]) ? (old["data"] as Record<string, PlainValue>) : {};
        const oldVersion = typeof old?.["version"] === "number" ? (old["version"] as number) : 0;
        const data = { ...oldData, ...changed };
        // A replay of a version already stored merges (idempotent) without counting a new version.
        const version = options.version !== undefined && options.version <= oldVersion ? oldVersion : Math.max(oldVersion + 1, options.version ?? 0);
        await e.backend.writeParams({ version, data, changed, createdAt: options.createdAt, updatedAt: options.updatedAt });
        return ((await readJsonDoc(storage, paths.parameters(e.path), true)) ?? { version, data }) as unknown as ParamsRecord;
      });
    },
  };
}
