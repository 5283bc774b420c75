/**
 * Where things live in a `.dash` tree, as ML-Dash Python lays it out. Every function takes the experiment's
 * folder (`owner/project/.../name`, relative to the store root) and returns a storage key.
 */

/** Directory name of a metric: its name, or `None` for the unnamed metric. */
export function metricDirName(name: string | null): string {
  return name ?? "None";
}

/** Directory name of a track: the topic with `/` replaced by `_` (so `a/b` and `a_b` collide, as in Python). */
export function trackDirName(topic: string): string {
  return topic.replaceAll("/", "_");
}

/** Storage keys of one experiment folder. */
export const paths = {
  experiment: (dir: string): string => `${dir}/experiment.json`,
  parameters: (dir: string): string => `${dir}/parameters.json`,
  logs: (dir: string): string => `${dir}/logs/logs.jsonl`,
  logSequence: (dir: string): string => `${dir}/logs/.log_sequence`,
  metricsDir: (dir: string): string => `${dir}/metrics`,
  metricData: (dir: string, name: string | null): string => `${dir}/metrics/${metricDirName(name)}/data.jsonl`,
  metricMeta: (dir: string, name: string | null): string => `${dir}/metrics/${metricDirName(name)}/metadata.json`,
  tracksDir: (dir: string): string => `${dir}/tracks`,
  trackData: (dir: string, topic: string): string => `${dir}/tracks/${trackDirName(topic)}/data.jsonl`,
  trackMeta: (dir: string, topic: string): string => `${dir}/tracks/${trackDirName(topic)}/metadata.json`,
  filesDir: (dir: string): string => `${dir}/files`,
  filesMeta: (dir: string): string => `${dir}/files/.files_metadata.json`,
} as const;
