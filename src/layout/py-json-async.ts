/**
 * `parsePyJson` for the write path, which is async anyway: `JSON.parse` first, and the tolerant
 * parser (Python's `NaN` / `Infinity` tokens) loaded only for a document that needs it, so a page
 * that starts a run does not download it.
 */

/** Same result as `parsePyJson(text, exact)`, loading the tolerant parser on first need. */
export async function parsePyJsonAsync(text: string, exact = false): Promise<unknown> {
  // Integers past 2^53 (and with `exact`, floats like 1.0) need the exact parser (see py-json-parse.ts).
  if (/(?<![.\d])\d{16,}(?![.\deE])/.test(text) || (exact && /\.0(?!\d)|\d[eE]/.test(text))) {
    return (await import("./py-json-tolerant.ts")).parseTolerantJson(text, exact);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return (await import("./py-json-tolerant.ts")).parseTolerantJson(text, exact);
  }
}
