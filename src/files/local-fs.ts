/**
 * What the files API needs from a runtime's file system for `upload(localPath)` and
 * `download({ to })`. The interfaces are declared with the other runtime services, below the
 * runtime hooks that carry them (src/model/runtime-services.ts); this module keeps their
 * import path for the files API and the runtime entries.
 */
export type { LocalFile, LocalFileSystem } from "../model/runtime-services.ts";
