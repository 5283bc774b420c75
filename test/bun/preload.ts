/**
 * Preloaded by `bun test` (bunfig.toml): the test folders of the whole run (tempDir) go under one
 * root, removed after the last file — Bun's runner does not emit the process `exit` event.
 */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "mldash-test-"));
process.env["MLDASH_TEST_TMP"] = root;
afterAll(() => rmSync(root, { recursive: true, force: true }));
