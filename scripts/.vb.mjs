import { build } from "esbuild";
import { gzipSync } from "node:zlib";
const out = await build({ entryPoints: ["src/entries/browser.ts"], bundle: true, splitting: true, minify: true, format: "esm", platform: "browser", target: "es2022", conditions: ["browser"], outdir: "/x", write: false, metafile: true, logLevel: "silent" });
const ins = {};
for (const [k, o] of Object.entries(out.metafile.outputs)) for (const [f, i] of Object.entries(o.inputs)) if (f.includes(process.argv[2] ?? "valibot")) ins[k.replace(/^.*\/x\//,"")] = (ins[k.replace(/^.*\/x\//,"")] ?? 0) + i.bytesInOutput;
console.log(ins);
