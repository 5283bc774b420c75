/**
 * vitest globalSetup: one loopback HTTP server for every project, given to tests as
 * `inject("testServerUrl")`, and our ML-Dash server as `inject("mlDashUrl")`. Browser pages
 * (origin localhost:<port>) and workerd reach them over 127.0.0.1, so they answer CORS. `POST /upload` stores the body in a temp file and answers with
 * its path, so a browser test can hand bytes to Node-side checks (browser commands).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startServer, type TestServer } from "./support/server.ts";

let server: Server | undefined;
let mlDash: TestServer | undefined;
let dir: string | undefined;
let uses = 0;
let scratch: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  uses++;
  // Test folders (tempDir) of every worker go under one root, removed at teardown: vitest ends its
  // workers with a signal, so they cannot clean up after themselves.
  if (!scratch && !process.env["MLDASH_TEST_TMP"]) process.env["MLDASH_TEST_TMP"] = scratch = mkdtempSync(join(tmpdir(), "mldash-test-"));
  if (!server) {
    const uploads = (dir = mkdtempSync(join(tmpdir(), "mldash-uploads-")));
    let n = 0;
    server = createServer((req, res) => {
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Access-Control-Allow-Headers", "*");
      res.setHeader("Access-Control-Allow-Methods", "GET,POST,PUT,DELETE,OPTIONS");
      if (req.method === "OPTIONS") {
        res.writeHead(204).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        if (req.method === "POST" && req.url === "/upload") {
          const path = join(uploads, `upload-${++n}.bin`);
          writeFileSync(path, body);
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ path, size: body.length }));
          return;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ method: req.method, url: req.url, size: body.length }));
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  }
  // Our ML-Dash server (memory store, CORS open), for remote and hybrid runs from pages and workerd.
  mlDash ??= await startServer();
  const { port } = server.address() as { port: number };
  project.provide("testServerUrl", `http://127.0.0.1:${port}`);
  project.provide("mlDashUrl", mlDash.url);
  return async () => {
    if (--uses > 0 || !server) return;
    const s = server;
    server = undefined;
    await new Promise((r) => s.close(r));
    await mlDash?.close();
    mlDash = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    testServerUrl: string;
    /** An ML-Dash server (this repository's) on 127.0.0.1. */
    mlDashUrl: string;
  }
}
