/**
 * The public surface stays: every name test/fixtures/public-exports.json lists for a subpath of
 * package.json "exports" is still exported there by the built package's declarations
 * (scripts/export-names.mjs). New names are allowed, and printed so a reviewer sees them; a
 * name that is meant to go is removed from the fixture in the same change.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
// @ts-expect-error: a plain .mjs script without declarations
import { exportNames } from "../../scripts/export-names.mjs";
import { BUILD_TIMEOUT_MS, ensureBuilt } from "../support/built.ts";
import { REPO } from "../support/child.ts";

type Surface = Record<string, string[]>;

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

test("every exported name of every subpath is still exported (additions allowed)", () => {
  const expected = JSON.parse(readFileSync(join(REPO, "test/fixtures/public-exports.json"), "utf8")) as Surface;
  const actual = (exportNames as (root: string) => Surface)(REPO);
  const missing: string[] = [];
  const added: string[] = [];
  for (const [sub, names] of Object.entries(expected)) {
    const now = new Set(actual[sub] ?? []);
    if (!(sub in actual)) missing.push(`${sub}: the subpath is gone from package.json "exports"`);
    else for (const n of names) if (!now.has(n)) missing.push(`${sub}: ${n}`);
  }
  for (const [sub, names] of Object.entries(actual)) {
    const before = new Set(expected[sub] ?? []);
    for (const n of names) if (!before.has(n)) added.push(`${sub}: ${n}`);
  }
  if (added.length > 0) console.log(`public surface: ${added.length} name(s) added\n  ${added.join("\n  ")}`);
  expect(missing, "names the built package no longer exports").toEqual([]);
}, 60_000);
