/**
 * Where the prefix-template code (`expand.ts`: the format mini-language, strftime, `{EXP.attr}`)
 * comes from. Entries for servers and scripts register it when they define their `Experiment`
 * (`useTemplates`, called by `defineEntry` and `src/index.ts`, never as a bare side effect of an
 * import: the package says `"sideEffects": false`, so bundlers drop such imports), so an
 * Experiment with a template resolves in its constructor; the browser entry does not, so a page
 * whose prefix holds no `{…}` never downloads it, and one whose prefix does loads it on first
 * use and expands the template before the run starts.
 */
import type { RunDraft } from "./run-draft.ts";
import type { RunConfig } from "./run.ts";

/**
 * The template operations `expand.ts` provides. Each returns the expanded prefix; the caller
 * parses it into the config (`usePrefix`), so the template code needs none of the prefix rules.
 */
export interface TemplateEngine {
  /** `{EXP.attr}` in `value`, looked up in `cfg`. */
  expandExp(cfg: RunConfig, value: string, where: string): string;
  /** The `{field}` passes over a draft's fields. */
  expandFields(draft: RunDraft): string;
  /** A deferred draft: `{EXP.attr}` as it was at construction, then the `{field}` passes. */
  expandRun(draft: RunDraft): string;
  /** Python's `exp.run.prefix = value`: `{EXP.attr}`, then `{field}`. */
  expandNewPrefix(cfg: RunConfig, value: string): string;
}

let engine: TemplateEngine | undefined;
let loading: Promise<TemplateEngine> | undefined;

/** Registers the template code so templates expand synchronously (every entry but the browser's). */
export function useTemplates(e: TemplateEngine): void {
  engine = e;
}

/** Registers `e` (as {@link useTemplates}) and returns `value`: for an export whose use must register it. */
export function withTemplates<T>(value: T, e: TemplateEngine): T {
  useTemplates(e);
  return value;
}

/** The template code when it is loaded, else `undefined`. */
export function loadedTemplates(): TemplateEngine | undefined {
  return engine;
}

/** Loads the template code (once) and returns it. */
export function loadTemplates(): Promise<TemplateEngine> {
  if (engine) return Promise.resolve(engine);
  loading ??= import("./expand.ts").then(
    (m) => (engine = m.templateEngine),
    (err: unknown) => {
      loading = undefined; // a chunk that failed to download is tried again next time
      throw err;
    },
  );
  return loading;
}
