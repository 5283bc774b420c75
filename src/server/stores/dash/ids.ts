/**
 * Node ids of the server. Projects and folders have no file of their own in a `.dash` tree, so
 * their ids are derived from their path: the same tree gives the same ids after a restart, on
 * another machine, and for runs Python wrote. Experiment ids are derived the same way when a
 * run is first seen and then persisted in its experiment.json (`id`), which Python ignores.
 *
 * Ids are decimal strings of a 53-bit hash (snowflake-sized, like ML-Dash's), always strings.
 */

/** cyrb53: a fast, well-mixed 53-bit string hash (public domain). */
function cyrb53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Kinds of nodes. */
export type NodeKind = "project" | "folder" | "experiment" | "experiment-node" | "file-folder";

/** The id of the node of `kind` at `path` (`ns/project/...`). */
export function nodeId(kind: NodeKind, path: string): string {
  // Ids of 16 digits, never starting with 0, so they look like (and sort like) snowflakes.
  return String(1e15 + (cyrb53(`${kind}:${path}`) % 9e15));
}
