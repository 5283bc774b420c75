/** `ml-dash ls [root | --dash-url URL]`: the runs of a root or of a running server, as a table. */
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { formatRunsTable, listRuns, listRunsRemote } from "../dashboard/index.ts";
import { existingRoot, UsageError, urlOption, type CommandSpec } from "./command.ts";

/** The `ls` command. */
export const lsCommand: CommandSpec = {
  name: "ls",
  summary: "List the runs of a .dash root or of a running ml-dash serve, with status, last update and point counts",
  args: "[root]",
  maxPositionals: 1,
  options: {
    "dash-url": { type: "string", value: "URL", help: "List the runs a running ml-dash serve shows instead of a local root", parse: urlOption },
    token: { type: "string", value: "TOKEN", help: "The server's token (default: $ML_DASH_TOKEN)" },
    json: { type: "boolean", help: "One JSON object per run instead of a table" },
  },
  async run(values, positionals) {
    const url = values["dash-url"] as string | undefined;
    const token = (values["token"] as string | undefined) ?? process.env["ML_DASH_TOKEN"];
    if (url && positionals[0] !== undefined) throw new UsageError(`give a root or --dash-url, not both (got ${JSON.stringify(positionals[0])} and --dash-url)`);
    const root = url ? undefined : existingRoot(positionals[0] ?? ".dash", positionals[0] !== undefined, "ls");
    const runs = root === undefined ? await listRunsRemote(url as string, token ? { token } : {}) : await listRuns(nodeFsAdapter({ root }));
    const json = values["json"] === true;
    if (runs.length === 0 && !json) {
      // An empty root is not an error, but say where we looked and how a run gets there.
      const where = root === undefined ? `on ${url}` : `under ${root} (a run is a folder holding experiment.json)`;
      process.stdout.write(`No runs ${where} yet. Log one with new Experiment("me/project/run-1").run(...) (the README's quick start).\n`);
      return 0;
    }
    process.stdout.write(formatRunsTable(runs, { json }) + (runs.length > 0 ? "\n" : ""));
    return 0;
  },
};
