#!/usr/bin/env node
/** The `ml-dash` executable (package.json "bin"). */
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
