/**
 * Names of the temporary files behind an atomic replace: an adapter writes the new bytes to a
 * temporary sibling of the key and renames it over the key, so a reader sees the old bytes or
 * the new ones. Listings skip these names, so a replace in progress (or one a crash cut short)
 * never shows up as a key.
 */

const MARK = ".tmp-";
let counter = 0;

/**
 * A fresh temporary name beside `name`: `<name>.tmp-<time>-<n>-<random>`, unique within the
 * realm (the counter) and across processes and tabs writing the same folder (the random part:
 * two processes once renamed each other's `experiment.json.tmp-…`).
 */
export function tempName(name: string): string {
  const random = globalThis.crypto.getRandomValues(new Uint32Array(2));
  return `${name}${MARK}${Date.now().toString(36)}-${(counter++).toString(36)}-${(random[0] as number).toString(36)}${(random[1] as number).toString(36)}`;
}

/** True for a name made by {@link tempName} (or any name with its `.tmp-` mark): not a key. */
export function isTempName(name: string): boolean {
  return name.includes(MARK);
}
