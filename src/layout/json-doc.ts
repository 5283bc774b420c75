/** Reading one JSON document of the `.dash` layout (experiment.json, metadata.json, …). */
import type { PlainObject, PlainValue } from "../model/values.ts";
import type { StorageAdapter } from "../storage/contract.ts";
import { parsePyJsonAsync } from "./py-json-async.ts";

const decoder = new TextDecoder();

/**
 * The JSON object stored at `key` (Python's NaN/Infinity tokens accepted), or `undefined` when
 * it is missing, corrupt or not an object — callers rebuild or rewrite it, as Python does.
 * `exact`: numbers kept as written, for a document that is rewritten (see `parsePyJson`).
 * Storage errors propagate.
 */
export async function readJsonDoc(storage: StorageAdapter, key: string, exact = false): Promise<PlainObject | undefined> {
  const bytes = await storage.read(key);
  if (!bytes) return undefined;
  try {
    const v = await parsePyJsonAsync(decoder.decode(bytes), exact); // the NaN-tolerant parser loads only when needed
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as PlainObject) : undefined;
  } catch {
    return undefined;
  }
}

/** The params and their version from a parameters.json document (empty when there is none). */
export function paramsState(params: Record<string, PlainValue> | undefined): { params: Record<string, PlainValue>; paramsVersion: number } {
  const data = params?.["data"];
  const flat = data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, PlainValue>) : {};
  return { params: flat, paramsVersion: typeof params?.["version"] === "number" ? (params["version"] as number) : 0 };
}
