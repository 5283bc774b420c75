/**
 * `parsePyJson` for the write path, which is async anyway: `JSON.parse` first, and the tolerant
 * parser (Python's `NaN` / `Infinity` tokens) loaded only for a document that needs it, so a page
 * that starts a run does not download it.
 */

/** Same result as `parsePyJson(text)`, loading the tolerant parser on first need. */
export async function parsePyJsonAsync(text: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return (await import("./py-json-tolerant.ts")).parseTolerantJson(text);
  }
}
