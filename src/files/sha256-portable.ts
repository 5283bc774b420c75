/**
 * The portable incremental SHA-256 (@noble/hashes: audited, dependency-free, pure JS so it also
 * runs in Workers, where WebAssembly cannot be compiled from bytes: ~100–160 MB/s here). On the
 * client it is reached through `incrementalSha256` (sha256.ts), which imports this module only when
 * the runtime has no native incremental hash and content is streamed: a page that never streams a
 * file never downloads it.
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import type { Sha256 } from "../model/runtime-services.ts";

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
