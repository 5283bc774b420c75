/**
 * `std` and `mean` of `logSummary` match ML-Dash Python's (`statistics.stdev` / `statistics.mean`
 * over the NaN-free values) bit for bit, on vectors Python itself computes.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { aggregate } from "../../src/write/summary-math.ts";

const python = spawnSync("python3", ["-c", "import statistics"]).status === 0;

const SCRIPT = `
import json, random, statistics, sys
rnd = random.Random(13)
out = []
gens = [
  lambda: rnd.random(),
  lambda: rnd.gauss(0, 1) * 10 ** rnd.randint(-8, 8),
  lambda: float(rnd.randint(-1000, 1000)),
  lambda: rnd.choice([0.1, 0.2, 0.3, 1e-300, 1e300, 5e-324, 1.0, -0.0]),
  lambda: 1795675257.4115627 + rnd.random(),
]
for i in range(300):
  g = gens[i % len(gens)]
  xs = [g() for _ in range(rnd.randint(2, 40))]
  out.append({"xs": [repr(x) for x in xs], "mean": repr(statistics.mean(xs)), "std": repr(statistics.stdev(xs))})
print(json.dumps(out))
`;

describe.skipIf(!python)("summary math as Python computes it", () => {
  test("std and mean equal statistics.stdev / statistics.mean for 300 vectors", () => {
    const r = spawnSync("python3", ["-c", SCRIPT], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const vectors = JSON.parse(r.stdout) as { xs: string[]; mean: string; std: string }[];
    let mismatches = 0;
    for (const v of vectors) {
      const xs = v.xs.map(Number);
      const std = aggregate("std", xs, {});
      const mean = aggregate("mean", xs, {});
      if (!Object.is(std, Number(v.std)) || !Object.is(mean, Number(v.mean))) {
        mismatches++;
        expect({ xs: v.xs, std, mean }).toEqual({ xs: v.xs, std: Number(v.std), mean: Number(v.mean) });
      }
    }
    expect(mismatches).toBe(0);
  });
});
