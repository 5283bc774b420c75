/**
 * Reading S3's XML answers. S3 answers with a handful of flat documents (ListBucketResult,
 * InitiateMultipartUploadResult, CompleteMultipartUploadResult, DeleteResult, Error) whose
 * elements we know by name and which never nest an element inside one of the same name, so a
 * small reader does the job: a general XML parser (fast-xml-parser 5 brings six packages) would
 * add weight for nothing. Text is entity-decoded (named, decimal and hex references, CDATA).
 */

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes XML character references and CDATA sections. */
export function xmlDecode(text: string): string {
  return text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, cdata: string | undefined, ref: string | undefined) => {
    if (cdata !== undefined) return cdata;
    if (ref === undefined) return m;
    if (ref[0] === "#") {
      const cp = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return NAMED[ref] ?? m;
  });
}

/** Escapes text for an XML element's content. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${c === "&" ? "amp" : c === "<" ? "lt" : c === ">" ? "gt" : c === '"' ? "quot" : "apos"};`);
}

/** The raw inner XML of every `<tag>` element (in document order); `<tag/>` gives "". */
export function xmlElements(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, "g");
  for (let m = re.exec(xml); m !== null; m = re.exec(xml)) out.push(m[1] ?? "");
  return out;
}

/** The decoded text of the first `<tag>` element, or undefined when there is none. */
export function xmlText(xml: string, tag: string): string | undefined {
  const first = xmlElements(xml, tag)[0];
  return first === undefined ? undefined : xmlDecode(first);
}

/** The name of the document's root element (after the declaration and comments). */
export function xmlRoot(xml: string): string | undefined {
  const m = /^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*<([A-Za-z_][\w.-]*)/.exec(xml);
  return m?.[1];
}
