/**
 * What the server makes durable, and when: a batch is answered once written; the store is
 * synced (fsync) when a run's status is set and when a client asks (`POST
 * /experiments/{id}/sync`, which `exp.flush()` sends), in remote-only and hybrid runs alike. The
 * server's storage is node-fs with its `sync()` watched: each call notes how many points of the
 * run's metric the store held when it began, so a sync that ran before the data was written
 * shows. A server without the request (ML-Dash's own answers 404) costs one request per run.
 */
import { createServer as httpServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeFsAdapter } from "../../../adapters/node-fs/index.ts";
import { streamId } from "../../../src/model/batch.ts";
import { dashStore } from "../../../src/server/stores/dash/index.ts";
import { Experiment, type ExperimentOptions } from "../../../src/index.ts";
import type { StorageAdapter } from "../../../src/storage/contract.ts";
import { open, rows } from "../../contract/run-store-contract.ts";
import { tempDir } from "../../support/node-fixtures.ts";
import { startServer, type TestServer } from "../../support/server.ts";

const IO_TIMEOUT_MS = 60_000;
const TOKEN = "tok-durable-123";

/** node-fs whose `sync()` calls are noted with the lines a metric's data file held as each began. */
function watchedStore(root: string): { storage: StorageAdapter; syncs: { linesHeld: number }[]; watch(key: string): void } {
  const inner = nodeFsAdapter({ root });
  const syncs: { linesHeld: number }[] = [];
  let watched: string | undefined;
  const storage: StorageAdapter = {
    ...inner,
    async sync() {
      const held = watched ? await inner.read(watched) : null;
      syncs.push({ linesHeld: held ? new TextDecoder().decode(held).split("\n").length - 1 : 0 });
      await inner.sync?.();
    },
  };
  return { storage, syncs, watch: (key) => void (watched = key) };
}

/** Forwards to `target`, but answers sync requests as a server without them does (FastAPI's 404). */
async function withoutSync(target: string): Promise<{ url: string; syncAsks: number; close(): Promise<void> }> {
  const to = new URL(target);
  const state = { syncAsks: 0 };
  const server: Server = httpServer((req, res) => {
    if (req.method === "POST" && /\/api\/experiments\/[^/]+\/sync$/.test(req.url ?? "")) {
      state.syncAsks++;
      req.resume();
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ detail: "Not Found" }));
      return;
    }
    const fwd = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    fwd.on("error", () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get syncAsks() {
      return state.syncAsks;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

test("closing a .dash store (the server stopped on purpose) syncs it first", async () => {
  const watched = watchedStore(tempDir("durable-close"));
  const store = dashStore(watched.storage);
  await store.ready();
  const e = await open(store, "alice/durable/close");
  watched.watch("alice/durable/close/metrics/m/data.jsonl");
  await store.append(e, streamId("metric", "m"), rows([{ v: 1 }, { v: 2 }]), { start: 0 });
  await store.close();
  expect(watched.syncs).toEqual([{ linesHeld: 2 }]);
});

describe("the server syncs its store on a run's status and on exp.flush()", () => {
  let srv: TestServer;
  let store: ReturnType<typeof watchedStore>;
  beforeAll(async () => {
    store = watchedStore(tempDir("durable-server"));
    srv = await startServer({ storage: store.storage, token: TOKEN });
  });
  afterAll(async () => srv.close());

  const run = (prefix: string, o: ExperimentOptions = {}): Experiment => new Experiment(prefix, { dashUrl: srv.url, token: TOKEN, storage: null, echo: false, ...o });

  test(
    "remote only: exp.flush() syncs after the data, the end status syncs, and no request follows it",
    async () => {
      const exp = run("alice/durable/remote");
      store.watch("alice/durable/remote/metrics/train/data.jsonl");
      store.syncs.length = 0;
      await exp.run.start();
      for (let i = 0; i < 1000; i++) exp.metrics("train").log({ loss: 1 / (i + 1), step: i });
      await exp.flush();
      expect(store.syncs).toEqual([{ linesHeld: 1000 }]);
      for (let i = 1000; i < 1500; i++) exp.metrics("train").log({ loss: 1 / (i + 1), step: i });
      await exp.run.complete();
      // The status request synced with every point in; the client sent no sync after it.
      expect(store.syncs).toEqual([{ linesHeld: 1000 }, { linesHeld: 1500 }]);
    },
    IO_TIMEOUT_MS,
  );

  test(
    "hybrid: exp.flush() syncs the local store and the server's",
    async () => {
      const local = nodeFsAdapter({ root: tempDir("durable-local") });
      const exp = run("alice/durable/hybrid", { storage: local });
      store.watch("alice/durable/hybrid/metrics/train/data.jsonl");
      store.syncs.length = 0;
      await exp.run.start();
      for (let i = 0; i < 700; i++) exp.metrics("train").log({ loss: i, step: i });
      await exp.flush();
      expect(store.syncs).toEqual([{ linesHeld: 700 }]);
      await exp.run.fail(new Error("stopped"));
      expect(store.syncs).toHaveLength(2); // FAILED is a status too
      expect(store.syncs[1]?.linesHeld).toBe(700);
    },
    IO_TIMEOUT_MS,
  );

  test(
    "a server without sync requests: exp.flush() resolves, and the run asks once",
    async () => {
      const proxy = await withoutSync(srv.url);
      try {
        const exp = run("alice/durable/no-sync", { dashUrl: proxy.url });
        await exp.run.start();
        exp.metrics("train").log({ loss: 1, step: 0 });
        await exp.flush();
        exp.metrics("train").log({ loss: 2, step: 1 });
        await exp.flush();
        expect((await exp.metrics("train").read()).data.map((p) => p.data["loss"])).toEqual([1, 2]);
        await exp.run.complete();
        expect(proxy.syncAsks).toBe(1);
        expect(exp.status).toBe("COMPLETED");
      } finally {
        await proxy.close();
      }
    },
    IO_TIMEOUT_MS,
  );
});
