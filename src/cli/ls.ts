/** `ml-dash ls [root | --dash-url URL]`: the runs of a root or of a running server, as a table. */
import { nodeFsAdapter } from "../../adapters/node-fs/index.ts";
import { formatRunsTable, listRuns, listRunsRemote } from "../dashboard/index.ts";
import { urlOption, type CommandSpec } from "./command.ts";

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
    const runs = url ? await listRunsRemote(url, token ? { token } : {}) : await listRuns(nodeFsAdapter({ root: positionals[0] ?? ".dash" }));
    process.stdout.write(formatRunsTable(runs, { json: values["json"] === true }) + "\n");
    return 0;
  },
};
