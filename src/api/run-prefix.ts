/**
 * An Experiment's prefix as its templates allow: known at once when the prefix holds no `{…}` or
 * the template code is loaded (Node, Deno, Bun, Workers), or waiting for that code, which the
 * browser entry loads on first use (`src/run-config/engine.ts`), and expanded before the run
 * starts. Keeps Python's order: the constructor's template first, then each assignment.
 */
import { ExperimentNotStartedError } from "../errors.ts";
import { parsePrefix, type ParsedPrefix } from "../model/prefix.ts";
import { loadedTemplates, loadTemplates, type TemplateEngine } from "../run-config/engine.ts";
import { setPlainPrefix, type ResolvedRun } from "../run-config/resolve.ts";
import type { RunDraft } from "../run-config/run-draft.ts";
import type { RunConfig } from "../run-config/run.ts";

/** The prefix of one Experiment (see the module comment). */
export class RunPrefix {
  private parsed: ParsedPrefix | undefined;
  /** Template work waiting for the template code: the constructor's draft, then assignments in order. */
  private waiting: { draft: RunDraft | undefined; sets: string[] } | undefined;
  private expanding: Promise<void> | undefined;
  /** Why the waiting template work failed (thrown again by {@link current} and {@link ready}). */
  private error: unknown;

  constructor(
    private readonly cfg: RunConfig,
    resolved: ResolvedRun,
  ) {
    this.parsed = resolved.parsed;
    if (resolved.draft) {
      this.waiting = { draft: resolved.draft, sets: [] };
      void this.expandLater();
    }
  }

  /** The parsed prefix; throws while a template waits for its code, or the error that template gave. */
  current(): ParsedPrefix {
    const engine = this.waiting ? loadedTemplates() : undefined;
    if (engine) this.expandNow(engine);
    if (this.waiting === undefined && this.parsed !== undefined) return this.parsed;
    throw (
      this.error ??
      new ExperimentNotStartedError(
        `The prefix ${JSON.stringify(this.cfg.prefix)} is a template whose code is still loading (the browser entry loads it on first use): read it after await exp.run.start(), or give a prefix without {…}`,
      )
    );
  }

  /** The prefix for messages: never throws. */
  shown(): string {
    return this.parsed?.path ?? this.cfg.prefix;
  }

  /** Python's `exp.run.prefix = value` (a template waits for its code where that is not loaded). */
  set(value: unknown): void {
    const engine = loadedTemplates();
    if (engine && this.waiting) this.expandQuietly(engine);
    const templated = typeof value === "string" && value.includes("{");
    if (this.waiting) {
      // The template code is still loading: keep the order; a plain prefix is checked now.
      if (!templated) parsePrefix(value, "prefix");
      this.waiting.sets.push(value as string);
      return;
    }
    if (templated && !engine) {
      this.waiting = { draft: undefined, sets: [value] };
      void this.expandLater();
      return;
    }
    this.parsed = setPlainPrefix(this.cfg, templated && engine ? engine.expandNewPrefix(this.cfg, value) : value);
    this.error = undefined;
  }

  /** Resolves once the prefix is known: the waiting template work done, or its error thrown. */
  async ready(): Promise<void> {
    if (this.waiting) await this.expandLater();
    if (this.parsed === undefined) throw this.error;
  }

  /** The prefix as it is now (read at the call when nothing waits), once known. */
  settled(): Promise<ParsedPrefix> {
    return this.waiting === undefined && this.parsed !== undefined ? Promise.resolve(this.parsed) : this.ready().then(() => this.current());
  }

  /** Loads the template code and does the waiting work (once; again after a failed download). */
  private expandLater(): Promise<void> {
    if (this.expanding === undefined) {
      const p = loadTemplates().then((engine) => this.expandNow(engine));
      this.expanding = p;
      p.catch(() => {
        if (this.expanding === p) this.expanding = undefined;
      });
    }
    return this.expanding;
  }

  /** Does the waiting template work; an error is kept and thrown. */
  private expandNow(engine: TemplateEngine): void {
    const w = this.waiting;
    if (w === undefined) return;
    this.waiting = undefined;
    try {
      if (w.draft) this.parsed = setPlainPrefix(w.draft.config, engine.expandRun(w.draft));
      for (const value of w.sets) this.parsed = setPlainPrefix(this.cfg, value.includes("{") ? engine.expandNewPrefix(this.cfg, value) : value);
      this.error = undefined;
    } catch (err) {
      this.error = err;
      throw err;
    }
  }

  private expandQuietly(engine: TemplateEngine): void {
    try {
      this.expandNow(engine);
    } catch {
      // kept in `error`; a new prefix may replace it
    }
  }
}
