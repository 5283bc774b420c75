// Encoding off the main thread in Deno: the browsers' module worker through Deno's Worker. The
// bytes are encoded in the worker and are those of inline encoding; an idle worker stops, so it
// never keeps a finished program running.
import { expect } from "vitest";
import { denoRuntime, Experiment } from "@ml-dash/sdk";
import { EncoderPool, encoderPoolFor, type EncoderReply, type EncoderWorker } from "../../src/backends/local/encoder-pool.ts";
import { encodeBatchBytes, type EncodeJob } from "../../src/backends/local/encode-batch.ts";
import { webEncoderWorker } from "../../src/runtime/browser/encoder.ts";
import { memoryAdapter } from "../../adapters/memory/index.ts";

function metricJob(n: number): EncodeJob {
  const cols = [new Float64Array(n), new Float64Array(n)];
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    (cols[0] as Float64Array)[i] = i % 101 === 0 ? [NaN, Infinity, -0, 1e-7][i % 4]! : Math.exp(-i / n) + Math.sin(i) / 100;
    (cols[1] as Float64Array)[i] = i;
    ts[i] = 1.7e9 + Math.round(i * 13.7) / 1e6;
  }
  return { data: { kind: "metric", blocks: [{ kind: "cols", keys: ["loss", "step"], cols, ts, length: n }] }, first: 3, createdAt: "2026-12-02T10:00:00.123456Z" };
}

/** The runtime's spawner, with the replies that came back from its workers recorded. */
async function watchedSpawner(): Promise<{ spawn: () => EncoderWorker; replies: EncoderReply[] }> {
  const spawn = (await denoRuntime.loadEncoder!())!;
  const replies: EncoderReply[] = [];
  return {
    replies,
    spawn() {
      const w = spawn();
      return { ...w, post: (m, t) => w.post(m, t), terminate: () => w.terminate(), listen: (onMessage, onError) => w.listen((r) => (replies.push(r), onMessage(r)), onError) };
    },
  };
}

Deno.test("a batch is encoded in a Deno module worker, to the bytes of inline encoding", async () => {
  const { spawn, replies } = await watchedSpawner();
  const pool = new EncoderPool(spawn, 1);
  try {
    const job = metricJob(20_000);
    const bytes = pool.encode(job, 20_000);
    expect(bytes instanceof Promise).toBe(true);
    const got = await bytes;
    expect(replies.filter((r) => "bytes" in r).length).toBe(1);
    expect(pool.offloaded).toBe(1);
    expect(got).toEqual(encodeBatchBytes(metricJob(20_000)));
    // Idle workers stop and come back for the next batch.
    const again = await pool.encode(metricJob(5000), 5000);
    expect(again).toEqual(encodeBatchBytes(metricJob(5000)));
    expect(pool.offloaded).toBe(2);
  } finally {
    pool.close();
  }
});

Deno.test("a worker file that does not load: inline, same bytes", async () => {
  const pool = new EncoderPool(() => webEncoderWorker(() => new Worker(new URL("./no-such-encoder-worker.ts", import.meta.url), { type: "module" })), 1);
  try {
    expect(await pool.encode(metricJob(3000), 3000)).toEqual(encodeBatchBytes(metricJob(3000)));
    expect(pool.offloaded).toBe(0);
  } finally {
    pool.close();
  }
});

Deno.test("a program that logged through the worker ends by itself (an idle worker holds nothing open)", async () => {
  const script = `
    import { Experiment } from "@ml-dash/sdk";
    import { memoryAdapter } from "${new URL("../../adapters/memory/index.ts", import.meta.url).href}";
    const exp = new Experiment("alice/deno/workers", { storage: memoryAdapter(), echo: false });
    await exp.run(async (e) => { for (let i = 0; i < 20000; i++) e.metrics("train").log({ loss: 1 / (i + 1), step: i }); });
    console.log("logged");
  `;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", new URL("../../deno.json", import.meta.url).pathname, `${dir}/main.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    expect(new TextDecoder().decode(out.stderr)).toBe("");
    expect(out.code).toBe(0);
    expect(new TextDecoder().decode(out.stdout).trim()).toBe("logged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an Experiment of the Deno entry stores every point encoded on the worker", async () => {
  const storage = memoryAdapter();
  const exp = new Experiment("alice/deno/encoded", { storage, echo: false });
  await exp.run(async (e) => {
    for (let step = 0; step < 30_000; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
  });
  const text = new TextDecoder().decode((await storage.read("alice/deno/encoded/metrics/train/data.jsonl"))!);
  const lines = text.trim().split("\n");
  expect(lines.length).toBe(30_000);
  expect(lines[29_999]!.startsWith('{"index": 29999,')).toBe(true);
  expect(encoderPoolFor(denoRuntime, (await denoRuntime.loadEncoder!())!)!.offloaded).toBeGreaterThan(0);
});
