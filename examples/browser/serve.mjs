#!/usr/bin/env node
// `npm run example:browser`: builds the example and serves it on http://127.0.0.1:5180 (or $PORT).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { buildExample, exampleDir } from "./build.mjs";

const script = await buildExample();
const page = await readFile(`${exampleDir}index.html`);
const port = Number(process.env.PORT ?? 5180);
createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/main.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(script);
  if (path === "/" || path === "/index.html") return res.writeHead(200, { "content-type": "text/html" }).end(page);
  res.writeHead(404).end();
}).listen(port, "127.0.0.1", () => console.log(`ml-dash browser example: http://127.0.0.1:${port}/`));
