/** An image or video grid of a `.dashrc`: the run's files matching a glob, sorted and limited. */
import { useEffect, useState } from "preact/hooks";
import { globMatch } from "../../glob.ts";
import type { MediaChart } from "../../dashrc.ts";
import { type FileRow, getJson } from "../api.ts";
import { usePoll } from "../live.ts";

/** The files a media chart shows, in order. */
export function pickMedia(files: readonly FileRow[], c: Pick<MediaChart, "glob" | "sort" | "limit">): FileRow[] {
  const hits = files.filter((f) => globMatch(c.glob, f.relPath));
  hits.sort((a, b) => (c.sort === "name" ? a.relPath.localeCompare(b.relPath) : c.sort === "size" ? b.sizeBytes - a.sizeBytes : (b.uploadedAt ?? "").localeCompare(a.uploadedAt ?? "")));
  return hits.slice(0, c.limit);
}

/** The grid. */
export function MediaGrid({ run, chart, live }: { run: string; chart: MediaChart; live: boolean }) {
  const [files, setFiles] = useState<FileRow[]>([]);
  const load = async (): Promise<void> => setFiles((await getJson<{ files: FileRow[] }>("files", { path: run })).data.files);
  useEffect(() => void load(), [run]);
  usePoll(load, 3000, live);
  const shown = pickMedia(files, chart);
  return (
    <div class="card" data-media={chart.ctype} style="grid-column: 1 / -1">
      <h3>
        <span class="t">{chart.title ?? `${chart.ctype === "image" ? "Images" : "Videos"} ${chart.glob}`}</span>
      </h3>
      {shown.length === 0 && <div class="note">No file matches {chart.glob}</div>}
      <div class="media" style={`grid-template-columns: repeat(${chart.nCols}, 1fr)`}>
        {shown.map((f) => (
          <figure key={f.id}>
            {chart.ctype === "image" ? <img src={f.url} alt={f.relPath} loading="lazy" /> : <video src={f.url} controls muted preload="metadata" />}
            <figcaption title={f.relPath}>{f.relPath}</figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}
