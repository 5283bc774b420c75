/**
 * Where things live in a `.dash` tree, as ML-Dash Python lays it out. {@link paths} takes the
 * experiment's folder (`owner/project/.../name`, relative to the store root) and returns a storage
 * key; {@link runKeys} names the same places relative to the run folder and recognises them in a
 * listing of it. Nothing outside `src/layout/` spells a `.dash` path.
 */

/** Directory name of a metric: its name, or `None` for the unnamed metric. */
export function metricDirName(name: string | null): string {
  return name ?? "None";
}

/** The metric name a metric directory holds (`None` is the unnamed metric). */
export function metricNameOfDir(dir: string): string | null {
  return dir === "None" ? null : dir;
}

/** Directory name of a track: the topic with `/` replaced by `_` (so `a/b` and `a_b` collide, as in Python). */
export function trackDirName(topic: string): string {
  return topic.replaceAll("/", "_");
}

/** File names of a run folder, relative to it. */
const REL = {
  experiment: "experiment.json",
  parameters: "parameters.json",
  logs: "logs/logs.jsonl",
  logSequence: "logs/.log_sequence",
  metrics: "metrics",
  tracks: "tracks",
  files: "files",
  filesMeta: "files/.files_metadata.json",
  dashrc: ".dashrc",
  /** This SDK's lease of a run for one writing process (pid, host, start time). */
  writerLock: ".writer.lock",
  /** A local store's id as a writer to servers (hybrid mode), so a restart resumes its own uploads. */
  writerId: ".writer-id",
  /** A server's record of where each writer's own numbering ends, per stream (`ml-dash serve`). */
  writers: ".writers.json",
  readme: "README.md",
} as const;

/** Storage keys of one experiment folder. */
export const paths = {
  experiment: (dir: string): string => `${dir}/${REL.experiment}`,
  parameters: (dir: string): string => `${dir}/${REL.parameters}`,
  writerLock: (dir: string): string => `${dir}/${REL.writerLock}`,
  writerId: (dir: string): string => `${dir}/${REL.writerId}`,
  writers: (dir: string): string => `${dir}/${REL.writers}`,
  logs: (dir: string): string => `${dir}/${REL.logs}`,
  logSequence: (dir: string): string => `${dir}/${REL.logSequence}`,
  metricsDir: (dir: string): string => `${dir}/${REL.metrics}`,
  metricData: (dir: string, name: string | null): string => `${dir}/${runKeys.metricData(name)}`,
  metricMeta: (dir: string, name: string | null): string => `${dir}/${runKeys.metricMeta(name)}`,
  tracksDir: (dir: string): string => `${dir}/${REL.tracks}`,
  trackData: (dir: string, topic: string): string => `${dir}/${REL.tracks}/${trackDirName(topic)}/data.jsonl`,
  trackMeta: (dir: string, topic: string): string => `${dir}/${REL.tracks}/${trackDirName(topic)}/metadata.json`,
  /** A track's metadata by its folder name (as a listing shows it). */
  trackMetaOfDir: (dir: string, folder: string): string => `${dir}/${REL.tracks}/${folder}/metadata.json`,
  filesDir: (dir: string): string => `${dir}/${REL.files}`,
  filesMeta: (dir: string): string => `${dir}/${REL.filesMeta}`,
  /** The `.dashrc` layout of a run folder, or of any other folder (its compare view). */
  dashrc: (dir: string): string => `${dir}/${REL.dashrc}`,
  readme: (dir: string): string => `${dir}/${REL.readme}`,
  /** A key relative to the run folder, made absolute. */
  inRun: (dir: string, rel: string): string => `${dir}/${rel}`,
} as const;

const METRIC_META = /^metrics\/([^/]+)\/metadata\.json$/;
const TRACK_META = /^tracks\/([^/]+)\/metadata\.json$/;
/** Folders of a run that hold SDK data, not user files. */
const DATA_DIRS = [`${REL.metrics}/`, "logs/", `${REL.tracks}/`, `${REL.files}/`];
const DATA_FILES = new Set<string>([REL.experiment, REL.parameters, REL.writerId, REL.writers]);

/** Keys relative to a run folder, and what a key of a listing of it is. */
export const runKeys = {
  ...REL,
  metricData: (name: string | null): string => `${REL.metrics}/${metricDirName(name)}/data.jsonl`,
  metricMeta: (name: string | null): string => `${REL.metrics}/${metricDirName(name)}/metadata.json`,
  trackDataOfDir: (folder: string): string => `${REL.tracks}/${folder}/data.jsonl`,
  /** The metric directory name when `rel` is `metrics/<name>/metadata.json`. */
  metricMetaDir(rel: string): string | undefined {
    return METRIC_META.exec(rel)?.[1];
  },
  /** The track folder name when `rel` is `tracks/<folder>/metadata.json`. */
  trackMetaDir(rel: string): string | undefined {
    return TRACK_META.exec(rel)?.[1];
  },
  /** True for a metric's data file key (`.../data.jsonl`). */
  isStreamData(key: string): boolean {
    return key.endsWith("/data.jsonl");
  },
  /**
   * True when `rel` is something the SDK keeps (records, metadata, saved files, lock files)
   * rather than a file a person put in the run folder.
   */
  isSdkData(rel: string): boolean {
    return DATA_FILES.has(rel) || DATA_DIRS.some((p) => rel.startsWith(p)) || rel.split("/").some((s) => s.endsWith(".lock"));
  },
} as const;
