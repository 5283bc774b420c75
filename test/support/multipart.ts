/**
 * A multipart body built byte for byte the way httpx 0.28 (ML-Dash Python's HTTP client)
 * encodes `client.post(url, data={...}, files={"file": (name, bytes, type)})`: a 32-hex-digit
 * boundary, `Content-Disposition: form-data; name="…"` text parts in dict order, the file part
 * with `filename` and `Content-Type`, each part closed by CRLF, then `--boundary--\r\n`, and a
 * Content-Length. Posting it raw proves the Python client's upload works against our server.
 */
import { randomBytes } from "node:crypto";

const enc = new TextEncoder();

/** httpx's `_format_form_param`: `"` → %22, `\` → `\\`, control characters → %XX (except ESC). */
function formParam(name: string, value: string): string {
  const v = value.replace(/["\\\u0000-\u001a\u001c-\u001f]/g, (c) => (c === '"' ? "%22" : c === "\\" ? "\\\\" : "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")));
  return `${name}="${v}"`;
}

/** Body and headers of an httpx multipart request. */
export function httpxMultipart(data: [string, string][], file: { name: string; bytes: Uint8Array; type: string }, boundary = randomBytes(16).toString("hex")): { body: Uint8Array; headers: Record<string, string> } {
  const chunks: Uint8Array[] = [];
  for (const [k, v] of data) {
    chunks.push(enc.encode(`--${boundary}\r\n`), enc.encode(`Content-Disposition: form-data; ${formParam("name", k)}\r\n\r\n`), enc.encode(v), enc.encode("\r\n"));
  }
  chunks.push(
    enc.encode(`--${boundary}\r\n`),
    enc.encode(`Content-Disposition: form-data; ${formParam("name", "file")}; ${formParam("filename", file.name)}\r\nContent-Type: ${file.type}\r\n\r\n`),
    file.bytes,
    enc.encode("\r\n"),
    enc.encode(`--${boundary}--\r\n`),
  );
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const body = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    body.set(c, off);
    off += c.length;
  }
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(size) } };
}
