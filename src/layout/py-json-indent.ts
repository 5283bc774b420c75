/**
 * Python's `json.dump(value, f, indent=2)`: what ML-Dash Python's `save_json` writes. Same
 * escaping and number tokens as `pyJson` (ensure_ascii, bare NaN/Infinity); with an indent,
 * Python's item separator is `","` at line ends and empty containers stay `[]` / `{}`.
 */
import { pyJson, pyString } from "./py-json.ts";

/** Serialises a normalised value as `json.dumps(value, indent=indent)` would. */
export function pyJsonIndent(value: unknown, indent = 2): string {
  const unit = " ".repeat(indent);
  const walk = (v: unknown, pad: string): string => {
    if (v === null || typeof v !== "object") return pyJson(v);
    const inner = pad + unit;
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return "[\n" + v.map((x) => inner + walk(x, inner)).join(",\n") + "\n" + pad + "]";
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return "{}";
    return "{\n" + entries.map(([k, x]) => inner + pyString(k) + ": " + walk(x, inner)).join(",\n") + "\n" + pad + "}";
  };
  return walk(value, "");
}
