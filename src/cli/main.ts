/**
 * The `ml-dash` command (Node):
 *
 *   ml-dash serve  [--root .dash] [--port 3000] [--host 127.0.0.1] [--token T]
 *   ml-dash upload <root> --dash-url URL [--token T] [--prefix owner/project]
 */
import { parseArgs } from "node:util";
import { serveCommand } from "./serve.ts";
import { uploadCommand } from "./upload.ts";

const HELP = `ml-dash — experiment tracking that writes the ML-Dash .dash layout

Usage:
  ml-dash serve  [--root .dash] [--port 3000] [--host 127.0.0.1] [--token TOKEN]
      Serves the runs under --root over the ML-Dash REST API (at /api).
      With --token, every request must send "Authorization: Bearer TOKEN".

  ml-dash upload <root> --dash-url URL [--token TOKEN] [--prefix PREFIX]
      Uploads the runs under <root> (written by ml-dash or ML-Dash Python) to a server.
      Resumable and idempotent: only what the server lacks is sent. The token defaults to
      $ML_DASH_TOKEN.

  ml-dash help
`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve": {
        const { values } = parseArgs({
          args: rest,
          options: { root: { type: "string", default: ".dash" }, port: { type: "string", default: "3000" }, host: { type: "string", default: "127.0.0.1" }, token: { type: "string" } },
        });
        return await serveCommand({ root: values.root, port: Number(values.port), host: values.host, token: values.token });
      }
      case "upload": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { "dash-url": { type: "string" }, "api-url": { type: "string" }, token: { type: "string" }, prefix: { type: "string" } },
        });
        const url = values["dash-url"] ?? values["api-url"];
        if (!url) throw new Error("upload needs --dash-url URL (the server to upload to)");
        return await uploadCommand({ root: positionals[0] ?? ".dash", dashUrl: url, token: values.token ?? process.env["ML_DASH_TOKEN"], prefix: values.prefix });
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(HELP);
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`Unknown command ${JSON.stringify(command)}\n\n${HELP}`);
        return 1;
    }
  } catch (err) {
    process.stderr.write(`ml-dash ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
