/**
 * Two track topics that share a folder: `/` becomes `_` in folder names, so `robot/pos` and
 * `robot_pos` would write one data file and one metadata document. ML-Dash Python mixes their
 * entries there (and keeps the first topic's name); we refuse the second topic instead, before
 * any of its entries is queued or appended.
 */
import { ValidationError } from "../errors.ts";

/** The error for a track topic whose folder already holds another topic. */
export function topicCollision(topic: string, other: string, folder: string): ValidationError {
  return new ValidationError(
    `Track topic ${JSON.stringify(topic)} is stored in the folder tracks/${folder}, which already holds topic ${JSON.stringify(other)} ("/" becomes "_" in folder names); rename one of them`,
    { field: "topic" },
  );
}
