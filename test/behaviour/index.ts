/**
 * The behaviour suite: what a user relies on, run unchanged against every store in every host.
 */
import { bufferSuite } from "./buffer.suite.ts";
import { filesSuite } from "./files.suite.ts";
import type { MakeFixture } from "./helpers.ts";
import { lifecycleSuite } from "./lifecycle.suite.ts";
import { metricsSuite } from "./metrics.suite.ts";
import { paramsLogsSuite } from "./params-logs.suite.ts";
import { runConfigSuite } from "./run-config.suite.ts";
import { templatesSuite } from "./templates.suite.ts";
import { tokenSuite } from "./token.suite.ts";
import { tracksSuite } from "./tracks.suite.ts";

/** Registers every behaviour suite for one store. */
export function behaviourSuite(name: string, make: MakeFixture): void {
  lifecycleSuite(name, make);
  paramsLogsSuite(name, make);
  metricsSuite(name, make);
  tracksSuite(name, make);
  bufferSuite(name, make);
  runConfigSuite(name, make);
  filesSuite(name, make);
}

/** Registers the store-independent suites (templates, snowflake ids, entry paths, tokens) once per host. */
export function unitSuites(host: string): void {
  templatesSuite(host);
  tokenSuite(host);
}
