/**
 * SHA-256, the checksum ML-Dash Python records for every file (`checksum` in its file records).
 *
 * Whole buffers go through `crypto.subtle.digest` (native everywhere). `crypto.subtle` has no
 * incremental digest, so streamed content needs one: runtimes with a native incremental hash
 * hand it in through `RuntimeHooks.sha256` (node:crypto on Node, Bun and Deno: ~1.4 GB/s here);
 * everywhere else {@link incrementalSha256} loads the portable one (sha256-portable.ts).
 */
import type { Sha256 } from "../model/runtime-services.ts";

// The interface is declared with the other runtime services (a runtime may hand in a native one).
export type { Sha256 };

/** The portable hash's module, loaded on first use. */
const portable = (): Promise<typeof import("./sha256-portable.ts")> => import("./sha256-portable.ts");

/** A new incremental SHA-256: the runtime's (`given`), else the portable one, loaded on first use. */
export async function incrementalSha256(given: (() => Sha256) | undefined): Promise<Sha256> {
  return given ? given() : (await portable()).portableSha256();
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase hex of a digest. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] as number];
  return s;
}

/**
 * SHA-256 hex of a whole buffer through `crypto.subtle` (falls back to the portable hash where
 * there is none: pages served over plain HTTP from another host than localhost).
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return toHex(new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
  const h = await incrementalSha256(undefined);
  h.update(bytes);
  return toHex(h.digest());
}
