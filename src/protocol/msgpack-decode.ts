/**
 * msgpack's decoder on its own, for a dynamic import: the client encodes every batch it sends but
 * decodes only msgpack answers (reads), so the decoder (10 kB of the msgpack library) loads with
 * the first one.
 */
export { decode } from "@msgpack/msgpack";
