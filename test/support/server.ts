/** Our ML-Dash server on loopback, for tests that talk to it over real HTTP. */
import { memoryAdapter } from "../../adapters/memory/index.ts";
import { createServer, type ServerOptions } from "../../src/server/index.ts";
import { serveNode, type NodeServer } from "../../src/runtime/node/serve.ts";
import type { StorageAdapter } from "../../src/storage/contract.ts";

/** A running test server. */
export interface TestServer extends NodeServer {
  readonly storage: StorageAdapter;
}

/** Starts `createServer` on 127.0.0.1 (a free port) over `storage` (memory by default). */
export async function startServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const storage = options.storage ?? memoryAdapter();
  // Browser tests call from the test runner's page (another loopback origin).
  const server = createServer({ corsOrigin: (o) => /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(o), ...options, storage });
  const running = await serveNode(server, { port: 0 });
  return { ...running, storage };
}
