/**
 * The `.dash` store: the {@link RunStore} of `ml-dash serve` over any {@link StorageAdapter}, in
 * exactly the layout the SDK (and ML-Dash Python) writes locally, so a tree served, written by
 * hand, or uploaded is one and the same. The tree is the state: projects, folders and ids are
 * derived from it (ids are persisted in each `experiment.json`), and the dashboard's reads are
 * served from caches kept current by reading only what was appended.
 */
import type { StorageAdapter } from "../../../storage/contract.ts";
import type { RunStore } from "../../store/index.ts";
import { dashFiles } from "./files.ts";
import { dashNodes } from "./nodes.ts";
import { dashReads } from "./reads.ts";
import type { Registry } from "./registry.ts";
import { DashState, type DashStoreOptions } from "./state.ts";
import { dashParams, dashStreams } from "./streams.ts";

export type { DashStoreOptions } from "./state.ts";

/** A {@link RunStore} over a `.dash` tree. */
export interface DashStore extends RunStore {
  /** The storage adapter holding the tree. */
  readonly storage: StorageAdapter;
  /** The index of the tree (projects, folders, experiments). */
  readonly registry: Registry;
}

/**
 * Creates the `.dash` store over `storage`. Indexing the existing tree starts with the first
 * `ready()` call; `close()` syncs and closes `storage`.
 *
 * @example
 * ```ts
 * const store = dashStore(nodeFsAdapter({ root: ".dash" }));
 * const server = createServer({ store });
 * server.app.route("/", createDashboardApp({ store }));
 * ```
 */
export function dashStore(storage: StorageAdapter, options: DashStoreOptions = {}): DashStore {
  const state = new DashState(storage, options);
  let scanned: Promise<void> | undefined;
  return {
    storage,
    registry: state.registry,
    ...dashNodes(state),
    ...dashParams(state),
    ...dashStreams(state),
    ...dashFiles(state),
    ...dashReads(state),
    ready() {
      scanned ??= state.registry.scan();
      return scanned;
    },
    sync: async () => storage.sync?.(),
    // A server stopped on purpose (SIGTERM, SIGINT) leaves everything it answered on disk.
    async close() {
      try {
        await storage.sync?.();
      } finally {
        await storage.close();
      }
    },
  };
}
