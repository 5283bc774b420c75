// The end-to-end points/s benchmark on Deno with deno-fs. Prints one JSON line per size:
//   deno run -A bench/deno.bench.ts [size...] [--repeat=3]
import { denoFsAdapter } from "@ml-dash/sdk/adapters/deno-fs";
import { Experiment } from "@ml-dash/sdk";
import { medianPoints } from "./points.ts";

const sizes = Deno.args.filter((a) => /^\d+$/.test(a)).map(Number);
const repeat = Number(Deno.args.find((a) => a.startsWith("--repeat="))?.slice(9) ?? 3);
const root = await Deno.makeTempDir({ prefix: "mldash-bench-deno-" });
try {
  for (const n of sizes.length > 0 ? sizes : [100_000, 1_000_000]) {
    const storage = denoFsAdapter({ root });
    const r = await medianPoints(storage, n, repeat, { Experiment }); // the Deno entry's, with its encoder workers
    await storage.close();
    console.log(JSON.stringify({ runtime: "deno", store: "deno-fs", context: "main", ...r }));
  }
} finally {
  await Deno.remove(root, { recursive: true });
}
