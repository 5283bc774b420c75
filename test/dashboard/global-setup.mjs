// Writes the fixture root before the dashboard server starts.
import { makeFixtures } from "./fixtures/make.mjs";
import { ROOT } from "./playwright.config.mjs";

export default async function globalSetup() {
  const t = Date.now();
  await makeFixtures(ROOT);
  console.log(`dashboard fixtures: ${ROOT} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}
