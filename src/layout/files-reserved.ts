/**
 * Names the `files/` folder of a run itself uses (Python's metadata document and its lock): no
 * user file or folder may take them. Its own module: the files API checks names synchronously
 * at the call, so this loads with the page, and paths.ts need not.
 */
export const FILES_RESERVED_NAMES: ReadonlySet<string> = new Set([".files_metadata.json", ".files_metadata.lock"]);
