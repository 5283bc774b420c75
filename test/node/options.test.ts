// Experiment options are checked with valibot at the constructor: a wrong option is a
// ValidationError naming it, unknown keys are refused, and a token is never echoed.
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../src/errors.ts";
import { validateOptions } from "../../src/api/options.ts";

function failure(opts: unknown): ValidationError {
  try {
    validateOptions(opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error(`accepted ${JSON.stringify(opts)}`);
}

describe("experiment options", () => {
  test("valid options pass; a wrong one throws ValidationError naming it", () => {
    expect(() => validateOptions({ prefix: "a/b", tags: ["x"], buffer: { maxBatch: 10 }, dashUrl: true })).not.toThrow();
    const cases: [unknown, string, RegExp][] = [
      [{ tags: ["x", 1] }, "tags.1", /Invalid experiment option "tags\.1"/],
      [{ buffer: { maxBatch: 0 } }, "buffer.maxBatch", /Invalid experiment option "buffer\.maxBatch"/],
      [{ buffer: { nope: 1 } }, "buffer.nope", /Unknown experiment option "buffer\.nope"/],
      [{ dashUrl: "not a url" }, "dashUrl", /Invalid experiment option "dashUrl"/],
      [{ storage: {} }, "storage", /must be a storage adapter/],
      [{ token: 5 }, "token", /"token": it must be a string or a function/],
      [{ colour: "red" }, "colour", /Unknown experiment option "colour"/],
      [{ remote: { wire: "xml" } }, "remote.wire", /Invalid experiment option "remote\.wire"/],
      [{ run: { jobCounter: -1 } }, "run.jobCounter", /Invalid experiment option "run\.jobCounter"/],
      [{ files: { maxBytes: 1.5 } }, "files.maxBytes", /Invalid experiment option "files\.maxBytes"/],
    ];
    for (const [opts, field, message] of cases) {
      const err = failure(opts);
      expect(err.field, field).toBe(field);
      expect(err.message, field).toMatch(message);
    }
  });

  test("a token of the wrong type is not echoed in the message", () => {
    const token = "tok-4f9a2c71d3e8b605";
    for (const bad of [{ secret: token }, [token], 42]) {
      const err = failure({ token: bad });
      expect(err.field).toBe("token");
      expect(err.message).not.toContain(token);
      expect(err.message).not.toContain("42");
    }
  });
});
