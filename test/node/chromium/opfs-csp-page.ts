// Page of chromium-opfs-csp.test.ts: opfsAdapter() in a window appends lines to a file and reads
// them back; the page reports how the adapter changes files, what the Content-Security-Policy
// refused, what ml-dash warned, and whether every line is there.
import { opfsAdapter } from "../../../adapters/opfs/index.ts";
import { settled, watchPage } from "./page-watch.ts";

const { violations, warnings } = watchPage();

(globalThis as { opfsCheck?: (lines: number) => Promise<Record<string, unknown>> }).opfsCheck = async (lines) => {
  const root = `csp-${Date.now().toString(36)}`;
  const store = opfsAdapter({ root });
  const io = await store.ioMode();
  const want: string[] = [];
  for (let i = 0; i < lines; i++) {
    want.push(`line ${i}\n`);
    await store.append("run/data.jsonl", new TextEncoder().encode(want[i] as string));
  }
  const text = new TextDecoder().decode((await store.read("run/data.jsonl")) ?? new Uint8Array());
  await store.close();
  await (await navigator.storage.getDirectory()).removeEntry(root, { recursive: true });
  await settled();
  return { io, intact: text === want.join(""), violations, warnings };
};
