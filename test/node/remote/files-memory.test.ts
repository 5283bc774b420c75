/**
 * A 256 MiB file to the server and back, remote-only, with the server and the SDK in two child
 * processes: both stream (the server's peak RSS growth stays far below the file's size, and so
 * does the client's), and the bytes on the server's disk are the file's.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { bundle, REPO, start } from "../../support/child.ts";
import { tempDir } from "../../support/node-fixtures.ts";

const MiB = 1024 * 1024;
const imp = (p: string): string => JSON.stringify(join(REPO, p));

/** Peak RSS sampling, as source for a child. */
const SAMPLER = `
  let base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
  const growth = () => (Math.max(peak, process.memoryUsage.rss()) - base) / 1048576;
  const reset = () => { base = process.memoryUsage.rss(); peak = base; };
`;

test("a 256 MiB upload and download stream through both sides with bounded memory", async () => {
  const serverRoot = tempDir("big-server");
  const src = join(tempDir("big-src"), "big.bin");
  const h = createHash("sha256");
  const fd = openSync(src, "w");
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < 256; i++) {
    for (let j = 0; j < MiB; j += 4096) chunk[j] = (i * 31 + j) & 255;
    chunk.fill(i & 255, 0, 64);
    writeSync(fd, chunk);
    h.update(chunk);
  }
  closeSync(fd);
  const checksum = h.digest("hex");

  const serverScript = await bundle(`
    import { createServer } from ${imp("src/server/index.ts")};
    import { serveNode } from ${imp("src/runtime/node/serve.ts")};
    import { nodeFsAdapter } from ${imp("adapters/node-fs/index.ts")};
    import { nodeSha256 } from ${imp("src/runtime/node/files.ts")};
    const storage = nodeFsAdapter({ root: ${JSON.stringify(serverRoot)} });
    const running = await serveNode(createServer({ storage, token: "big-token-1234", sha256: nodeSha256 }), { port: 0 });
    ${SAMPLER}
    console.log(JSON.stringify({ url: running.url }));
    process.stdin.on("data", () => { console.log(JSON.stringify({ growth: growth() })); clearInterval(timer); running.close().then(() => process.exit(0)); });
    process.stdin.resume();
  `);
  const clientScript = (url: string): Promise<string> =>
    bundle(`
      import { Experiment } from "ml-dash";
      ${SAMPLER}
      const exp = await new Experiment("alice/big/run", { dashUrl: ${JSON.stringify(url)}, token: "big-token-1234", storage: null, echo: false }).run.start();
      reset();
      let t0 = performance.now();
      const info = await exp.files("models").upload(${JSON.stringify(src)});
      const up = { s: (performance.now() - t0) / 1000, growth: growth() };
      reset();
      t0 = performance.now();
      const path = await exp.files.download("models/big.bin", { to: ${JSON.stringify(join(tempDir("big-dl"), "back.bin"))} });
      const down = { s: (performance.now() - t0) / 1000, growth: growth() };
      clearInterval(timer);
      await exp.run.complete();
      console.log(JSON.stringify({ id: info.id, size: info.sizeBytes, checksum: info.checksum, up, down, path }));
    `);

  // The server runs in its own process; stdin tells it to report its peak and stop.
  const { spawn } = await import("node:child_process");
  const server = spawn(process.execPath, [serverScript], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  let waiting: ((l: string) => void) | undefined;
  server.stdout.on("data", (d: Buffer) => {
    for (const l of String(d).split("\n").filter(Boolean)) {
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(l);
      } else lines.push(l);
    }
  });
  const nextLine = (): Promise<string> => (lines.length > 0 ? Promise.resolve(lines.shift() as string) : new Promise((r) => (waiting = r)));
  try {
    const { url } = JSON.parse(await nextLine()) as { url: string };
    const r = await start(await clientScript(url));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as {
      id: string;
      size: number;
      checksum: string;
      path: string;
      up: { s: number; growth: number };
      down: { s: number; growth: number };
    };
    server.stdin.write("report\n");
    const { growth: serverGrowth } = JSON.parse(await nextLine()) as { growth: number };
    expect(out.size).toBe(256 * MiB);
    expect(out.checksum).toBe(checksum);
    const stored = readFileSync(join(serverRoot, "alice/big/run/files/models", out.id, "big.bin"));
    expect(stored.length).toBe(256 * MiB);
    expect(createHash("sha256").update(stored).digest("hex")).toBe(checksum);
    expect(createHash("sha256").update(readFileSync(out.path)).digest("hex")).toBe(checksum);
    console.log(
      `256 MiB remote file: upload ${((256 * MiB) / 1e6 / out.up.s).toFixed(0)} MB/s (client RSS +${out.up.growth.toFixed(1)} MiB), ` +
        `download ${((256 * MiB) / 1e6 / out.down.s).toFixed(0)} MB/s (client RSS +${out.down.growth.toFixed(1)} MiB), server peak RSS +${serverGrowth.toFixed(1)} MiB`,
    );
    expect(serverGrowth).toBeLessThan(96);
    expect(out.up.growth).toBeLessThan(96);
    expect(out.down.growth).toBeLessThan(96);
  } finally {
    server.kill();
  }
}, 180_000);
