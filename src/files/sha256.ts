/**
 * SHA-256, the checksum ML-Dash Python records for every file (`checksum` in its file records).
 *
 * Whole buffers go through `crypto.subtle.digest` (native everywhere). `crypto.subtle` has no
 * incremental digest, so streamed content needs one: runtimes with a native incremental hash
 * hand it in through `RuntimeHooks.sha256` (node:crypto on Node, Bun and Deno: ~1.4 GB/s here);
 * everywhere else we use @noble/hashes (audited, dependency-free, pure JS so it also runs in
 * Workers, where WebAssembly cannot be compiled from bytes: ~100–160 MB/s here).
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import type { Sha256 } from "../model/runtime-services.ts";

// The interface is declared with the other runtime services (a runtime may hand in a native one).
export type { Sha256 };

/** A portable incremental SHA-256 (@noble/hashes). */
export function portableSha256(): Sha256 {
  const h = nobleSha256.create();
  return {
    update(chunk) {
      h.update(chunk);
    },
    digest() {
      return h.digest();
    },
  };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase hex of a digest. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] as number];
  return s;
}

/** SHA-256 hex of a whole buffer through `crypto.subtle` (falls back to the portable hash where there is none). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return toHex(new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
  const h = portableSha256();
  h.update(bytes);
  return toHex(h.digest());
}
