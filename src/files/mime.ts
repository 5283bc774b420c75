/**
 * Content types from file extensions, as Python's `mimetypes.guess_type` gives them for the
 * files people keep next to a run (its built-in table; unknown → `application/octet-stream`,
 * what ML-Dash Python falls back to). Python also reads the machine's `/etc/mime.types`, so on
 * some systems it names more types (Debian maps `.pt` to a SNES format); we keep to the
 * built-in table so a run records the same types on every machine.
 */

const TYPES: Record<string, string> = {
  // text and data
  txt: "text/plain", log: "text/plain", text: "text/plain", md: "text/markdown", markdown: "text/markdown",
  csv: "text/csv", tsv: "text/tab-separated-values", html: "text/html", htm: "text/html", css: "text/css",
  xml: "text/xml", json: "application/json", js: "text/javascript", mjs: "text/javascript", py: "text/x-python",
  yaml: "application/yaml", yml: "application/yaml", toml: "application/toml", sh: "application/x-sh",
  // images
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", jpe: "image/jpeg", gif: "image/gif", bmp: "image/bmp",
  webp: "image/webp", svg: "image/svg+xml", tif: "image/tiff", tiff: "image/tiff", ico: "image/vnd.microsoft.icon",
  avif: "image/avif",
  // audio and video
  mp4: "video/mp4", webm: "video/webm", mov: "video/quicktime", avi: "video/x-msvideo", mkv: "video/x-matroska",
  mp3: "audio/mpeg", wav: "audio/x-wav", ogg: "audio/ogg", flac: "audio/flac",
  // documents and archives
  pdf: "application/pdf", zip: "application/zip", tar: "application/x-tar", gz: "application/gzip",
  "7z": "application/x-7z-compressed",
  wasm: "application/wasm", ps: "application/postscript", eps: "application/postscript",
  // models and arrays (not in Python's table, so octet-stream there as here)
};

/** Python's suffix aliases and content encodings: `x.tgz` is a tar, `x.csv.gz` is a csv, `x.gz` is unknown. */
const ALIASES: Record<string, string> = { tgz: ".tar.gz", taz: ".tar.gz", tz: ".tar.gz", tbz2: ".tar.bz2", txz: ".tar.xz" };
const ENCODINGS = new Set(["gz", "z", "bz2", "xz", "br"]);

function ext(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  return dot <= 0 || dot === name.length - 1 ? undefined : name.slice(dot + 1).toLowerCase();
}

/** The content type for a file name, by its extension (case-insensitive), as Python guesses it. */
export function contentTypeOf(filename: string): string {
  let name = filename;
  let e = ext(name);
  const alias = e === undefined ? undefined : ALIASES[e];
  if (alias) {
    name = name.slice(0, name.length - (e as string).length - 1) + alias;
    e = ext(name);
  }
  if (e !== undefined && ENCODINGS.has(e)) {
    name = name.slice(0, name.length - e.length - 1);
    e = ext(name);
  }
  return (e === undefined ? undefined : TYPES[e]) ?? "application/octet-stream";
}
