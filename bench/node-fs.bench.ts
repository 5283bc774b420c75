// The end-to-end points/s benchmark on Node with node-fs (the baseline deno-fs is compared
// with). Bundled and run by bench/runtimes.mjs; prints one JSON line per size. Like the Deno
// bench, it logs through the runtime's own entry ("ml-dash", the built package, kept outside
// the bundle so it finds its encoder worker): the core's Experiment encodes inline.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment } from "ml-dash";
import { nodeFsAdapter } from "../adapters/node-fs/index.ts";
import { medianPoints, type MeasureOptions } from "./points.ts";

const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const repeat = Number(args.find((a) => a.startsWith("--repeat="))?.slice(9) ?? 3);
const root = mkdtempSync(join(tmpdir(), "mldash-bench-node-"));
try {
  for (const n of sizes.length > 0 ? sizes : [100_000, 1_000_000]) {
    const storage = nodeFsAdapter({ root });
    // The built package's class: the same code as src/'s, typed from dist/ (its private members make the two types distinct).
    const r = await medianPoints(storage, n, repeat, { Experiment: Experiment as unknown as NonNullable<MeasureOptions["Experiment"]> });
    await storage.close();
    console.log(JSON.stringify({ runtime: "node", store: "node-fs", context: "main", ...r }));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
