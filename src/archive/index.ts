/**
 * `ml-dash/archive`: take runs out of a store and put them into another, as tar archives of a
 * `.dash` folder. Works with every adapter (it only uses the storage contract): export a run
 * from IndexedDB or OPFS in a browser, extract it with `tar -xf` next to ML-Dash Python, or
 * import it into another store.
 */
export { exportArchive, type ExportOptions } from "./export.ts";
export { importArchive, type ArchiveSource, type ImportOptions } from "./import.ts";
