// The Deno entry with a server: our ML-Dash server on Deno.serve (through deno.json's
// "ml-dash/server" export), a hybrid run from Deno whose token comes from ML_DASH_TOKEN, and the
// files API's local file system (upload, download).
import { expect } from "vitest";
import { Experiment } from "@ml-dash/sdk";
import { memoryAdapter } from "@ml-dash/sdk/adapters/memory";
import { createServer } from "@ml-dash/sdk/server";

async function withServer(token: string, fn: (url: string) => Promise<void>): Promise<void> {
  const server = createServer({ storage: memoryAdapter(), token, onError: () => undefined });
  const ac = new AbortController();
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} }, (req) => server.fetch(req));
  try {
    await fn(`http://127.0.0.1:${(http.addr as Deno.NetAddr).port}`);
  } finally {
    ac.abort();
    await http.finished;
  }
}

Deno.test({
  name: "hybrid from Deno: deno-fs and our server on Deno.serve; the token comes from ML_DASH_TOKEN",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withServer("deno-secret", async (url) => {
      const dir = await Deno.makeTempDir();
      Deno.env.set("ML_DASH_TOKEN", "deno-secret");
      try {
        const prefix = `deno/remote/run-${Date.now().toString(36)}`;
        const exp = new Experiment(prefix, { dashUrl: url, dashRoot: `${dir}/.dash`, echo: false });
        expect(exp.mode).toBe("hybrid");
        await exp.run(async (e) => {
          e.params.set({ lr: 0.1 });
          for (let step = 0; step < 200; step++) e.metrics("train").log({ loss: 1 / (step + 1), step });
        });
        expect(exp.stats).toMatchObject({ sent: 200, dropped: 0 });
        const local = (await Deno.readTextFile(`${dir}/.dash/${prefix}/metrics/train/data.jsonl`)).trim().split("\n");
        expect(local).toHaveLength(200);
        const remote = await new Experiment(prefix, { dashUrl: url, storage: null, echo: false }).run.start();
        expect((await remote.metrics("train").read({ limit: 1000 })).data).toHaveLength(200);
        expect(remote.params.get()).toMatchObject({ lr: 0.1 });
        await remote.run.complete();
      } finally {
        Deno.env.delete("ML_DASH_TOKEN");
        await Deno.remove(dir, { recursive: true });
      }
    }),
});

Deno.test({
  name: "files from Deno: upload a local file, download it elsewhere, byte for byte",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) & 255);
      await Deno.writeFile(`${dir}/weights.bin`, bytes);
      const exp = await new Experiment("deno/files/run", { dashRoot: `${dir}/.dash`, echo: false }).run.start();
      const saved = await exp.files("models").upload(`${dir}/weights.bin`);
      expect(saved).toMatchObject({ path: "/models", filename: "weights.bin", sizeBytes: bytes.length });
      const to = await exp.files("models/weights.bin").download({ to: `${dir}/out/` });
      expect(Array.from(await Deno.readFile(to as string))).toEqual(Array.from(bytes));
      await exp.run.complete();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
