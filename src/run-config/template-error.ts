/**
 * A problem inside one template expansion. The template layer turns it into a
 * `ValidationError` naming the option and the template, so the parts below need not know them.
 */

/** Internal: what went wrong in a replacement field, a format spec or a date format. */
export class TemplateError extends Error {
  /** The Python exception this corresponds to, for the message (`KeyError`, `ValueError`, …). */
  readonly python: string;

  constructor(message: string, python = "ValueError") {
    super(message);
    this.name = "TemplateError";
    this.python = python;
  }
}
