// Page of chromium-opfs-csp.test.ts: the built opfsAdapter (dist/, bundled as a user's esbuild
// would; the test serves dist/web-encoder-worker.js beside the bundle, or not) appends lines to a
// file in a window and reads them back. The page reports how the adapter changes files, which
// workers it started, what the Content-Security-Policy refused, what ml-dash warned, and whether
// every line is there.
import { opfsAdapter } from "ml-dash/adapters/opfs";
import { settled, watchPage } from "../../../scripts/page-watch.mjs";

const { violations, warnings } = watchPage();

// The workers the page starts, by kind of URL: "file" (a script of the page's origin) or "blob".
const started: string[] = [];
const Base = globalThis.Worker;
globalThis.Worker = class extends Base {
  constructor(url: string | URL, options?: WorkerOptions) {
    started.push(String(url).startsWith("blob:") ? "blob" : `file ${new URL(String(url)).pathname}`);
    super(url, options);
  }
};

(globalThis as { opfsCheck?: (lines: number) => Promise<Record<string, unknown>> }).opfsCheck = async (lines) => {
  const root = `csp-${Date.now().toString(36)}`;
  const store = opfsAdapter({ root });
  const io = await store.ioMode();
  const want: string[] = [];
  for (let i = 0; i < lines; i++) {
    want.push(`line ${i}\n`);
    await store.append("run/data.jsonl", new TextEncoder().encode(want[i] as string));
  }
  await store.write("run/meta.json", new TextEncoder().encode('{"replaced": true}'));
  const text = new TextDecoder().decode((await store.read("run/data.jsonl")) ?? new Uint8Array());
  const meta = new TextDecoder().decode((await store.read("run/meta.json")) ?? new Uint8Array());
  await store.close();
  await (await navigator.storage.getDirectory()).removeEntry(root, { recursive: true });
  await settled();
  return { io, started, intact: text === want.join("") && meta === '{"replaced": true}', violations, warnings };
};
