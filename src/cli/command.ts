/**
 * The CLI's commands, declared: each command lists its options (with their help text and their
 * check) and its positional arguments, and `runCommand` parses argv against that, so every
 * command gets `--help`, a clear message for a bad or unknown option, and a non-zero exit code
 * for an error — written once here instead of in each command.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { NotFoundError, ValidationError, type MlDashErrorOptions } from "../errors.ts";

/** A usage error (exit 2): the message says what was wrong; the command's usage line follows it. */
export class UsageError extends ValidationError {
  constructor(message: string, options: MlDashErrorOptions & { field?: string } = {}) {
    super(message, { code: "USAGE", ...options });
  }
}

/** One `--option` of a command. */
export interface OptionSpec<T = unknown> {
  /** `string` takes a value (`--port 3000` or `--port=3000`); `boolean` is a flag. */
  readonly type: "string" | "boolean";
  /** The value's name in the help (`PORT`), for string options. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
  /** Used when the option is absent. */
  readonly default?: string | boolean;
  /** A single-letter alias (`-p`). */
  readonly short?: string;
  /** May be given more than once (the values come as an array). */
  readonly multiple?: boolean;
  /** Checks and converts a string value; throws {@link UsageError} naming the option. */
  readonly parse?: (raw: string, flag: string) => T;
}

/** A command: its name, help, options and what it does. */
export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The arguments after the name, as the help shows them (`<root>`, `[root]`). */
  readonly args?: string;
  /** More help: paragraphs after the usage line. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Most positional arguments accepted (default 0). */
  readonly maxPositionals?: number;
  /** Runs the command with the parsed options; resolves to the exit code. */
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** An integer option in `[min, max]`. */
export function intOption(min: number, max: number): (raw: string, flag: string) => number {
  return (raw, flag) => {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };
}

/** A URL option (http or https). */
export function urlOption(raw: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag} must be a URL like http://127.0.0.1:3000, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${flag} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, "");
}

/**
 * The absolute path of a `.dash` root that must exist (for commands that read one): a missing
 * path or a file is a {@link NotFoundError} (exit 1) that says where it looked and what to give.
 * `given` is false when the command fell back to its default `.dash`.
 */
export function existingRoot(path: string, given: boolean, command: string): string {
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new NotFoundError(
      given
        ? `${abs} does not exist: give the .dash root your runs were written to (ml-dash ${command} path/to/.dash)`
        : `no .dash folder in ${process.cwd()}: run this where your runs were written, or give the root (ml-dash ${command} path/to/.dash)`,
    );
  }
  if (!isDir) throw new NotFoundError(`${abs} is a file, not a folder: give the .dash root your runs were written to (ml-dash ${command} path/to/.dash)`);
  return abs;
}

function usageLine(spec: CommandSpec): string {
  return `Usage: ml-dash ${spec.name}${spec.args ? ` ${spec.args}` : ""}${Object.keys(spec.options).length > 0 ? " [options]" : ""}`;
}

/** What follows a usage error: the usage line and where the full help is. */
function usageHint(spec: CommandSpec): string {
  return `${usageLine(spec)}\nRun "ml-dash ${spec.name} --help" for the options.\n`;
}

/** The help text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [usageLine(spec), "", spec.summary];
  if (spec.description) lines.push("", spec.description.trim());
  const opts = Object.entries(spec.options);
  if (opts.length > 0) {
    lines.push("", "Options:");
    const left = opts.map(([name, o]) => `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`);
    const width = Math.max(...left.map((l) => l.length), "-h, --help".length);
    opts.forEach(([, o], i) => {
      const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : "";
      lines.push(`  ${(left[i] as string).padEnd(width)}  ${o.help}${def}`);
    });
    lines.push(`  ${"-h, --help".padEnd(width)}  Show this help`);
  }
  return lines.join("\n") + "\n";
}

/** The top-level help: every command with its summary. */
export function overallHelp(specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length));
  return [
    "ml-dash — experiment tracking that writes the ML-Dash .dash layout",
    "",
    "Usage: ml-dash <command> [options]",
    "",
    "Commands:",
    ...specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    "",
    'Run "ml-dash <command> --help" for a command\'s options.',
    "",
  ].join("\n");
}

/** What {@link runCommand} prints to. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Parses `args` for `spec` and runs it. `--help` prints the command's help (exit 0); a usage
 * error prints its message and the usage (exit 2); any other error prints one line (exit 1).
 */
export async function runCommand(spec: CommandSpec, args: string[], io: CommandIo): Promise<number> {
  const end = args.indexOf("--");
  const flags = end === -1 ? args : args.slice(0, end);
  if (flags.includes("--help") || flags.includes("-h")) {
    io.out(commandHelp(spec));
    return 0;
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(spec, args));
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`ml-dash ${spec.name}: ${err.message}\n\n${usageHint(spec)}`);
      return 2;
    }
    throw err;
  }
  try {
    return await spec.run(values, positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`ml-dash ${spec.name}: ${err.message}\n\n${usageHint(spec)}`);
      return 2;
    }
    io.err(`ml-dash ${spec.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function parse(spec: CommandSpec, args: string[]): { values: Record<string, unknown>; positionals: string[] } {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    // node:util's messages name the option; keep them, drop its error-code prefix.
    throw new UsageError((err instanceof Error ? err.message : String(err)).replace(/^[A-Z_]+: /, "").replace(/\. To specify a positional argument.*$/s, ""));
  }
  const max = spec.maxPositionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(max === 0 ? `takes no arguments, got ${JSON.stringify(parsed.positionals[0])}` : `takes at most ${max} argument(s), got ${parsed.positionals.length}`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const raw = parsed.values[name] ?? o.default;
    if (raw === undefined) continue;
    if (typeof raw === "string" && o.parse) values[name] = o.parse(raw, `--${name}`);
    else if (Array.isArray(raw) && o.parse) values[name] = raw.map((r) => (o.parse as (r: string, f: string) => unknown)(String(r), `--${name}`));
    else values[name] = raw;
  }
  return { values, positionals: parsed.positionals };
}
