/**
 * The `ml-dash` command (Node): `serve`, `upload`, `ls`. Each command is declared in its own
 * module (options, help, checks; see command.ts); this module dispatches to it.
 */
import { commandHelp, overallHelp, runCommand, type CommandIo, type CommandSpec } from "./command.ts";
import { lsCommand } from "./ls.ts";
import { serveCommand } from "./serve.ts";
import { uploadCommand } from "./upload.ts";

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [serveCommand, uploadCommand, lsCommand];

const stdio: CommandIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[], io: CommandIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.out(overallHelp(COMMANDS));
    return name === undefined ? 2 : 0;
  }
  if (name === "help") {
    const spec = COMMANDS.find((c) => c.name === rest[0]);
    io.out(spec ? commandHelp(spec) : overallHelp(COMMANDS));
    return rest[0] === undefined || spec ? 0 : 2;
  }
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    io.err(`ml-dash: unknown command ${JSON.stringify(name)}\n\n${overallHelp(COMMANDS)}`);
    return 2;
  }
  return runCommand(spec, rest, io);
}
