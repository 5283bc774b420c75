/** `ml-dash upload <root> --dash-url URL`: uploads local runs (records and files) to a server, resumably. */
import { resolve } from "node:path";
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { nodeSha256 } from "../runtime/node/files.ts";
import { RemoteClient } from "../backends/remote/client.ts";
import { AuthenticationError } from "../errors.ts";
import { findRuns, uploadRun, type SyncProgress } from "../replicate/sync.ts";
import { existingRoot, UsageError, urlOption, type CommandSpec } from "./command.ts";

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

function label(p: SyncProgress): string {
  const s = p.stream;
  const what = s.kind === "log" ? "logs" : s.kind === "metric" ? `metrics/${s.name ?? "None"}` : `tracks/${s.name}`;
  return `${what} ${p.done.toLocaleString("en-US")}${p.total > 0 ? `/${p.total.toLocaleString("en-US")}` : ""}`;
}

/** Uploads every run under the root; prints a progress line; exit code 1 if any run failed. */
export async function upload(o: UploadOptions): Promise<number> {
  const root = resolve(o.root);
  const storage = nodeFsAdapter({ root });
  // No token configured: requests go without one (a server started without --token takes them).
  const client = new RemoteClient({ dashUrl: o.dashUrl, token: o.token, tokenOptional: true });
  const runs = await findRuns(storage, o.prefix ?? "");
  if (runs.length === 0) {
    console.log(`No runs under ${root}${o.prefix ? ` with prefix ${o.prefix}` : ""} (looked for */experiment.json)`);
    return 0;
  }
  const tty = process.stdout.isTTY === true;
  let failed = 0;
  let sent = 0;
  let skipped = 0;
  let filesSent = 0;
  for (const [i, dir] of runs.entries()) {
    const head = `[${i + 1}/${runs.length}] ${dir}`;
    let last = 0;
    try {
      const show = (text: string): void => {
        const now = Date.now();
        if (tty && now - last > 100) {
          process.stdout.write(`\r\x1b[K${head}: ${text}`);
          last = now;
        }
      };
      const r = await uploadRun(client, storage, dir, (p) => show(label(p)), {
        sha256: nodeSha256,
        onFile: (p) => show(`files ${p.done}/${p.total} ${p.file}`),
      });
      sent += r.sent;
      skipped += r.skipped;
      const f = r.files;
      filesSent += f.uploaded;
      const fileNote = f.uploaded + f.updated + f.deleted + f.unchanged === 0 ? "" : `; files: ${f.uploaded} uploaded (${mib(f.bytes)}), ${f.updated} updated, ${f.deleted} deleted, ${f.unchanged} unchanged`;
      process.stdout.write(`${tty ? "\r\x1b[K" : ""}${head}: ${r.sent.toLocaleString("en-US")} records sent, ${r.skipped.toLocaleString("en-US")} already there${fileNote} (id ${r.id})\n`);
    } catch (err) {
      failed++;
      if (err instanceof AuthenticationError) {
        // Every other run would be refused the same way: one message, then stop.
        process.stdout.write(tty ? "\r\x1b[K" : "");
        console.error(`${o.dashUrl} refused the upload (${o.token ? "the token was not accepted" : "it needs a token"}): pass --token TOKEN or set ML_DASH_TOKEN. Stopped at run ${i + 1} of ${runs.length}; nothing more was sent.`);
        await storage.close();
        return 1;
      }
      process.stdout.write(`${tty ? "\r\x1b[K" : ""}${head}: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  console.log(
    `Uploaded ${runs.length - failed} of ${runs.length} run(s) to ${o.dashUrl}: ${sent.toLocaleString("en-US")} records sent, ${skipped.toLocaleString("en-US")} already there, ${filesSent} file(s) uploaded`,
  );
  await storage.close();
  return failed > 0 ? 1 : 0;
}
