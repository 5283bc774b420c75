/** A run's files with sizes; a selected file previews (image, video, text) and downloads. */
import { useEffect, useState } from "preact/hooks";
import { type FileRow, getJson } from "../api.ts";
import { usePoll } from "../live.ts";

/** Human size. */
export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function Preview({ f }: { f: FileRow }) {
  const [text, setText] = useState<string | null>(null);
  const isText = /^text\/|json|yaml|xml/.test(f.contentType) || /\.(dashrc|md|txt|log|ya?ml|json|csv)$/i.test(f.filename);
  useEffect(() => {
    setText(null);
    if (isText && f.sizeBytes < 512 * 1024) void fetch(f.url).then((r) => r.text()).then(setText);
  }, [f.url]);
  return (
    <div class="preview" data-testid="preview">
      <div class="toolbar">
        <b>{f.relPath}</b>
        <span class="note">
          {size(f.sizeBytes)} · {f.contentType}
        </span>
        <a href={`${f.url}&download=1`} download={f.filename}>download</a>
      </div>
      {f.contentType.startsWith("image/") ? (
        <img
          src={f.url}
          alt={f.relPath}
          onLoad={(e) => {
            // Scaled to the panel; a small image shown larger stays crisp.
            const img = e.target as HTMLImageElement;
            img.classList.toggle("tiny", img.naturalWidth > 0 && img.naturalWidth < img.clientWidth / 2);
          }}
        />
      ) : f.contentType.startsWith("video/") ? (
        <video src={f.url} controls preload="metadata" />
      ) : isText ? (
        <pre>{text ?? "…"}</pre>
      ) : (
        <div class="note">No preview for this type.</div>
      )}
      {f.checksum && <div class="note">sha256 {f.checksum}</div>}
    </div>
  );
}

/** The tab. */
export function FilesTab({ run, live }: { run: string; live: boolean }) {
  const [files, setFiles] = useState<FileRow[] | null>(null);
  const [sel, setSel] = useState<string | null>(null);
  const load = async (): Promise<void> => setFiles((await getJson<{ files: FileRow[] }>("files", { path: run })).data.files);
  useEffect(() => void load(), [run]);
  usePoll(load, 3000, live);
  if (!files) return <div class="empty">Loading…</div>;
  if (files.length === 0) return <div class="empty">No files.</div>;
  const cur = files.find((f) => f.id === sel) ?? null;
  return (
    <div class="split">
      <table>
        <thead>
          <tr>
            <th>path</th>
            <th>size</th>
            <th>uploaded</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.id} class={`click${f.id === sel ? " sel" : ""}`} onClick={() => setSel(f.id)}>
              <td>
                <button type="button" style="border:0;background:none;padding:0;color:var(--accent)" onClick={() => setSel(f.id)}>
                  {f.relPath}
                </button>
              </td>
              <td>{size(f.sizeBytes)}</td>
              <td class="note">{f.uploadedAt ? new Date(f.uploadedAt).toLocaleString() : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div>{cur ? <Preview f={cur} /> : <div class="note">Select a file to preview it.</div>}</div>
    </div>
  );
}
