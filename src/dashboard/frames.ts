/** Which file a track's value names (a video frame, an image): the `/track-at` answer's `frame`. */
import type { RunFile } from "../server/store/index.ts";

/** Finds the file a track's `frame` value names: an exact relative path, a path suffix, or a file name. */
export function findFrame<F extends Pick<RunFile, "relPath" | "filename">>(files: readonly F[], ref: string): F | undefined {
  const r = ref.replace(/^\/+/, "");
  return files.find((f) => f.relPath === r) ?? files.find((f) => f.relPath.endsWith("/" + r)) ?? files.find((f) => f.filename === r);
}
