/** `ml-dash upload <root> --dash-url URL`: uploads local runs (records and files) to a server, resumably. */
import { resolve } from "node:path";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { nodeSha256 } from "../runtime/node/files.ts";
import { RemoteClient } from "../backends/remote/client.ts";
import { AuthenticationError } from "../errors.ts";
import { listStreams } from "../layout/list-streams.ts";
import { findRuns, uploadRun, type SyncProgress } from "../replicate/sync.ts";
import { existingRoot, UsageError, urlOption, type CommandSpec } from "./command.ts";
import { formatCount, formatDuration, ProgressBar, type ProgressFrame, type ProgressOut } from "./progress.ts";

/** The `upload` command. */
export const uploadCommand: CommandSpec = {
  name: "upload",
  summary: "Upload the runs of a .dash root (from ml-dash or ML-Dash Python), files included, to a server",
  args: "[root]",
  description: "Resumable and idempotent: only what the server lacks is sent. <root> defaults to .dash.",
  maxPositionals: 1,
  options: {
    "dash-url": { type: "string", value: "URL", help: "The server to upload to (required)", parse: urlOption },
    "api-url": { type: "string", value: "URL", help: "Alias of --dash-url", parse: urlOption },
    token: { type: "string", value: "TOKEN", help: "The server's token (default: $ML_DASH_TOKEN)" },
    prefix: { type: "string", value: "PREFIX", help: "Only runs under this prefix (owner/project/...)" },
  },
  run(values, positionals) {
    const url = (values["dash-url"] ?? values["api-url"]) as string | undefined;
    if (!url) throw new UsageError("needs --dash-url URL (the server to upload to)");
    if (values["dash-url"] !== undefined && values["api-url"] !== undefined && values["dash-url"] !== values["api-url"]) throw new UsageError("--api-url is an alias of --dash-url: give one of them");
    return upload({ root: existingRoot(positionals[0] ?? ".dash", positionals[0] !== undefined, "upload"), dashUrl: url, token: (values["token"] as string | undefined) ?? process.env["ML_DASH_TOKEN"], prefix: values["prefix"] as string | undefined });
  },
};

/** Options of `ml-dash upload`. */
export interface UploadOptions {
  readonly root: string;
  readonly dashUrl: string;
  readonly token?: string | undefined;
  /** Only runs under this prefix. */
  readonly prefix?: string | undefined;
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function streamLabel(p: SyncProgress): string {
  const s = p.stream;
  return s.kind === "log" ? "logs" : s.kind === "metric" ? `metrics/${s.name ?? "None"}` : `tracks/${s.name}`;
}

function streamKey(dir: string, s: SyncProgress["stream"]): string {
  return `${dir}\u0000${s.kind}\u0000${s.name ?? ""}`;
}

/**
 * Uploads every run under the root. In a terminal a progress bar (percent, rate, ETA) runs under
 * the per-run result lines; otherwise only those lines and one summary line are printed. Exit
 * code 1 if any run failed; the first authentication error stops the upload with one message.
 */
export async function upload(o: UploadOptions, out: ProgressOut = process.stdout): Promise<number> {
  const root = resolve(o.root);
  const storage = nodeFsAdapter({ root });
  // No token configured: requests go without one (a server started without --token takes them).
  const client = new RemoteClient({ dashUrl: o.dashUrl, token: o.token, tokenOptional: true });
  const runs = await findRuns(storage, o.prefix ?? "");
  if (runs.length === 0) {
    out.write(`No runs under ${root}${o.prefix ? ` with prefix ${o.prefix}` : ""} (looked for */experiment.json)\n`);
    await storage.close();
    return 0;
  }
  const bar = new ProgressBar(out);
  // The bar's total: what each stream's local metadata says it holds (a stream that does not say counts as it goes).
  const recorded = new Map<string, number>();
  if (bar.active) {
    for (const dir of runs) for (const s of await listStreams(storage, dir)) recorded.set(streamKey(dir, s.id), s.recorded);
  }
  const done = new Map<string, number>();
  const first = new Map<string, number>();
  const frame = (label: string): Omit<ProgressFrame, "elapsedMs"> => {
    let total = 0;
    let doneAll = 0;
    let sentAll = 0;
    for (const [k, r] of recorded) total += Math.max(r, done.get(k) ?? 0);
    for (const [k, d] of done) {
      doneAll += d;
      sentAll += d - (first.get(k) ?? d);
      if (!recorded.has(k)) total += d;
    }
    return { done: doneAll, total, sent: sentAll, label };
  };
  let failed = 0;
  let sent = 0;
  let skipped = 0;
  let filesSent = 0;
  let bytes = 0;
  for (const [i, dir] of runs.entries()) {
    const head = `[${i + 1}/${runs.length}] ${dir}`;
    try {
      const r = await uploadRun(
        client,
        storage,
        dir,
        (p) => {
          const k = streamKey(dir, p.stream);
          if (!first.has(k)) first.set(k, p.done);
          done.set(k, p.done);
          bar.update(frame(`${head} ${streamLabel(p)}`));
        },
        { sha256: nodeSha256, onFile: (p) => bar.update(frame(`${head} files ${p.done}/${p.total} ${p.file}`)) },
      );
      sent += r.sent;
      skipped += r.skipped;
      bytes += r.files.bytes;
      const f = r.files;
      filesSent += f.uploaded;
      const fileNote = f.uploaded + f.updated + f.deleted + f.unchanged === 0 ? "" : `; files: ${f.uploaded} uploaded (${mib(f.bytes)}), ${f.updated} updated, ${f.deleted} deleted, ${f.unchanged} unchanged`;
      bar.line(`${head}: ${r.sent.toLocaleString("en-US")} records sent, ${r.skipped.toLocaleString("en-US")} already there${fileNote} (id ${r.id})`);
    } catch (err) {
      failed++;
      if (err instanceof AuthenticationError) {
        // Every other run would be refused the same way: one message, then stop.
        bar.clear();
        console.error(`${o.dashUrl} refused the upload (${o.token ? "the token was not accepted" : "it needs a token"}): pass --token TOKEN or set ML_DASH_TOKEN. Stopped at run ${i + 1} of ${runs.length}; nothing more was sent.`);
        await storage.close();
        return 1;
      }
      bar.line(`${head}: failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  bar.clear();
  const seconds = bar.elapsedMs() / 1000;
  const rate = seconds > 0 && sent > 0 ? ` (${formatCount(sent / seconds)}/s)` : "";
  out.write(
    `Uploaded ${runs.length - failed} of ${runs.length} run(s) to ${o.dashUrl} in ${formatDuration(seconds)}: ${sent.toLocaleString("en-US")} records sent${rate}, ${skipped.toLocaleString("en-US")} already there, ${filesSent} file(s) uploaded${filesSent > 0 ? ` (${mib(bytes)})` : ""}\n`,
  );
  await storage.close();
  return failed > 0 ? 1 : 0;
}
