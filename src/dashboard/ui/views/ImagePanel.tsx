/**
 * A run's images beside its charts: one folder at a time, a step slider over its images (the
 * step is the last number in the file name — `sample_07.png`, `step_000120.png` — and images go
 * in step order when every name has one, else in upload order), ←/→ one image, and the image scaled to the panel (small ones pixelated, so a
 * 28×28 digit reads).
 */
import { useEffect, useState } from "preact/hooks";
import { type FileRow, getJson } from "../api.ts";
import { usePoll } from "../live.ts";
import { fmtNum } from "../chart/format.ts";

/** The step an image stands for: the last number in its file name, if any. */
export function imageStep(filename: string): number | undefined {
  const m = /(\d+)(?!.*\d)/.exec(filename.replace(/\.[^.]+$/, ""));
  return m ? Number(m[1]) : undefined;
}

/** Images of a folder in step order when every name carries a number, else in upload order. */
export function orderImages(files: readonly FileRow[]): FileRow[] {
  const byUpload = (a: FileRow, b: FileRow): number => (a.uploadedAt ?? "").localeCompare(b.uploadedAt ?? "") || a.filename.localeCompare(b.filename);
  if (files.some((f) => imageStep(f.filename) === undefined)) return [...files].sort(byUpload);
  return [...files].sort((a, b) => (imageStep(a.filename) as number) - (imageStep(b.filename) as number) || byUpload(a, b));
}

/** Pixelates an image shown larger than it is. */
function scaleClass(e: Event): void {
  const img = e.target as HTMLImageElement;
  img.classList.toggle("tiny", img.naturalWidth > 0 && img.naturalWidth < img.clientWidth / 2);
}

/** The panel (nothing when the run has no images). */
export function ImagePanel({ run, live }: { run: string; live: boolean }) {
  const [files, setFiles] = useState<FileRow[]>([]);
  const [dir, setDir] = useState<string | null>(null);
  const [pos, setPos] = useState<number | null>(null);
  const load = async (): Promise<void> => setFiles((await getJson<{ files: FileRow[] }>("files", { path: run })).data.files.filter((f) => f.contentType.startsWith("image/")));
  useEffect(() => void load().catch(() => undefined), [run]);
  usePoll(load, 3000, live);
  if (files.length === 0) return null;
  const dirs = [...new Set(files.map((f) => f.dir))].sort();
  const cur = dir && dirs.includes(dir) ? dir : (dirs[0] as string);
  const imgs = orderImages(files.filter((f) => f.dir === cur));
  // Unmoved, the slider follows the newest image (a live run's latest sample).
  const k = Math.min(imgs.length - 1, pos ?? imgs.length - 1);
  const f = imgs[k] as FileRow;
  const step = imageStep(f.filename);
  return (
    <div class="card imgpanel" data-testid="image-panel">
      <h3>
        <span class="t">Images</span>
        {dirs.length > 1 && (
          <select aria-label="Image folder" value={cur} onChange={(e) => (setDir((e.target as HTMLSelectElement).value), setPos(null))}>
            {dirs.map((d) => (
              <option key={d} value={d}>{d}</option>
            ))}
          </select>
        )}
      </h3>
      <div class="scrub">
        <input
          type="range"
          aria-label="Image step"
          min={0}
          max={imgs.length - 1}
          step={1}
          value={k}
          onInput={(e) => setPos(Number((e.target as HTMLInputElement).value))}
        />
        <span class="note" data-testid="image-step">
          {step !== undefined ? `step ${fmtNum(step)}` : `#${k + 1}`} · {k + 1}/{imgs.length}
        </span>
      </div>
      <figure class="imgbox">
        <img src={f.url} alt={f.relPath} onLoad={scaleClass} />
        <figcaption title={f.relPath}>{f.relPath}</figcaption>
      </figure>
    </div>
  );
}
