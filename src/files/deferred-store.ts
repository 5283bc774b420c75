/**
 * The file store of remote and hybrid runs, which exists only once the run started (the remote
 * half is loaded then): a stand-in that forwards to it. Kept apart from src/remote so a page that
 * never talks to a server does not load the remote half.
 */
import { ConfigurationError } from "../errors.ts";
import type { FileStore } from "./types.ts";

/**
 * A store that forwards to the current run's store: an experiment object may run more than
 * once, and each run has its own connection to the server.
 */
export function currentFileStore(get: () => FileStore | undefined): FileStore {
  const store = (): FileStore => {
    const s = get();
    if (!s) throw new ConfigurationError("exp.files needs a started run in remote and hybrid modes: call exp.run.start() first");
    return s;
  };
  return {
    save: (req) => store().save(req),
    records: () => store().records(),
    read: (f) => store().read(f),
    stream: (f) => store().stream(f),
    delete: (id) => store().delete(id),
    update: (id, patch) => store().update(id, patch),
    flush: async () => store().flush?.(),
  };
}
