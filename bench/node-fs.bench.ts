// The end-to-end points/s benchmark on Node with node-fs (the baseline deno-fs is compared
// with). Bundled and run by bench/runtimes.mjs; prints one JSON line per size.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeFsAdapter } from "../adapters/node-fs/index.ts";
import { medianPoints } from "./points.ts";

const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const repeat = Number(args.find((a) => a.startsWith("--repeat="))?.slice(9) ?? 3);
const root = mkdtempSync(join(tmpdir(), "mldash-bench-node-"));
try {
  for (const n of sizes.length > 0 ? sizes : [100_000, 1_000_000]) {
    const storage = nodeFsAdapter({ root });
    const r = await medianPoints(storage, n, repeat);
    await storage.close();
    console.log(JSON.stringify({ runtime: "node", store: "node-fs", context: "main", ...r }));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
