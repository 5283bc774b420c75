/**
 * The harness that runs ML-Dash Python in tests (test/support/python.ts, test/python/scenario.py):
 * a result document behind a marker, steps recorded as values, errors or hangs, an isolated HOME
 * with the token where `ml-dash login` would put it, and none of the caller's ML_DASH_* variables.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { installPythonClient, parseResult, pythonSkipReason, runPython, vendorDir } from "../support/python.ts";

describe("python harness", () => {
  test("the result is the JSON after the last marker line, wherever the script's own output goes", () => {
    expect(parseResult("banner\n@@result@@ {\"a\":1}\nmore\n@@result@@ {\"a\":2}\ntrailing")).toEqual({ a: 2 });
    expect(parseResult('@@result@@ {"only":true}')).toEqual({ only: true });
    expect(parseResult("no result here\n")).toBeUndefined();
  });

  const skip = pythonSkipReason();
  test.skipIf(skip)(`runs a script in its own HOME with the token stored as ml-dash login stores it${skip ? ` (skipped: ${skip})` : ""}`, { timeout: 600_000 }, async () => {
    expect(existsSync(join(vendorDir() as string, "ml-dash-python/src/ml_dash/experiment.py"))).toBe(true);
    const py = await installPythonClient();
    const previous = process.env["ML_DASH_PREFIX"];
    process.env["ML_DASH_PREFIX"] = "leaked/from/the/caller";
    let run;
    try {
      run = await runPython(py, "harness_selftest.py", ["x", "y"], { token: "tok-123", env: { ML_DASH_STEP_TIMEOUT: "1" } });
    } finally {
      if (previous === undefined) delete process.env["ML_DASH_PREFIX"];
      else process.env["ML_DASH_PREFIX"] = previous;
    }
    expect(run.code).toBe(0);
    const doc = run.json as { info: unknown; steps: Record<string, { ok: boolean; value?: unknown; error?: { type: string } }>; order: string[] };
    expect(doc.info).toEqual({ argv: ["x", "y"] });
    expect(doc.steps["returns"]).toEqual({ ok: true, value: { bytes: { bytes: 3, sha256: expect.any(String), head: "AGFi", text: "\u0000ab" }, nan: "NaN", tuple: [1, 2] } });
    expect(doc.steps["raises"]).toMatchObject({ ok: false, error: { type: "ZeroDivisionError" } });
    expect(doc.steps["hangs"]).toMatchObject({ ok: false, error: { type: "StepTimeout" } });
    expect(doc.steps["home"]).toEqual({ ok: true, value: run.home });
    expect(doc.steps["ml_dash_env"]).toEqual({ ok: true, value: ["ML_DASH_TEST_TOKEN"] });
    expect(doc.steps["token"]).toEqual({ ok: true, value: ["EncryptedFileStorage", "tok-123"] });
    expect(existsSync(join(run.home, ".dash/tokens.encrypted"))).toBe(true);
    expect(run.stdout).toContain("noise after the steps");
  });
});
