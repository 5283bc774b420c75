// The storage contract and the behaviour suite inside a dedicated worker (IndexedDB, OPFS with
// sync access handles). The worker runs them with the portable runner and reports each test
// here, where it becomes one vitest test.
import { afterAll, test } from "vitest";
import { commands } from "vitest/browser";
import { WorkerSuite } from "./worker/protocol.ts";

const suite = new WorkerSuite(await commands.bundleWorker("test/browser/worker/suites.ts"));
afterAll(() => suite.terminate());

for (const t of await suite.list()) {
  (t.skip ? test.skip : test)(`[worker] ${t.name}`, () => suite.run(t.name), t.timeout + 5_000);
}
