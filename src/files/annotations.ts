/**
 * Checks of what a builder or a save is annotated with (description, tags, bindrs, metadata),
 * each a {@link ValidationError} naming the field.
 */
import { ValidationError } from "../errors.ts";
import { normalizeValue, type PlainObject } from "../model/values.ts";
import { baseName } from "./names.ts";

/** The name of a `File` (for saves without `to`), or `undefined`. */
export function fileName(data: unknown): string | undefined {
  const name = (data as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" && typeof (data as Blob).arrayBuffer === "function" ? baseName(name) : undefined;
}

/** A description: a string, or `null` to clear it. */
export function checkDescription(d: unknown): string | null {
  if (d === null || typeof d === "string") return d;
  throw new ValidationError(`Invalid file description: expected a string, got ${typeof d}`, { field: "description" });
}

/** Tags or bindrs: an array of strings. */
export function checkStrings(list: unknown, field: string): readonly string[] {
  if (!Array.isArray(list) || list.some((t) => typeof t !== "string")) {
    throw new ValidationError(`Invalid file ${field}: expected an array of strings`, { field });
  }
  return list as string[];
}

/** Metadata: a plain object of storable values (normalised copy). */
export function checkMetadata(m: unknown, where: string): PlainObject {
  const v = normalizeValue(m, "metadata", where);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ValidationError(`${where}: metadata must be a plain object`, { field: "metadata" });
  return v;
}
