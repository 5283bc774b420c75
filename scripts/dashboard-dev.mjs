#!/usr/bin/env node
// Serves the dashboard over a .dash root until ml-dash serve (the CLI) mounts it:
//   node scripts/dashboard-dev.mjs [--root .dash] [--port 4780] [--host 127.0.0.1] [--token T]
// Uses the built package (npm run build). The port also comes from ML_DASH_DASHBOARD_PORT.
import { parseArgs } from "node:util";
import { serveDashboard } from "../dist/dashboard-node.js";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: ".dash" },
    port: { type: "string", default: process.env.ML_DASH_DASHBOARD_PORT ?? "4780" },
    host: { type: "string", default: "127.0.0.1" },
    token: { type: "string" },
  },
});
const dash = await serveDashboard({ root: values.root, port: Number(values.port), host: values.host, ...(values.token ? { token: values.token } : {}) });
console.log(`ml-dash dashboard for ${values.root}: ${dash.url}`);
const stop = () => dash.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
