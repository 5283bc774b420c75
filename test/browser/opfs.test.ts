// What the OPFS adapter promises beyond the storage contract in a window: a file briefly held
// open by another worker's sync access handle is waited for, not reported as an error.
import { describe, expect, test } from "vitest";
import { opfsAdapter } from "../../adapters/opfs/index.ts";

// A worker that holds an exclusive sync access handle on a file for a while.
const holder = `
self.onmessage = async (e) => {
  const { root, ms } = e.data;
  let d = await navigator.storage.getDirectory();
  for (const part of [root, "k"]) d = await d.getDirectoryHandle(part, { create: true });
  const fh = await d.getFileHandle("data.jsonl", { create: true });
  const h = await fh.createSyncAccessHandle();
  h.write(new TextEncoder().encode("worker\\n"), { at: h.getSize() });
  h.flush();
  self.postMessage("locked");
  setTimeout(() => { h.close(); self.postMessage("released"); }, ms);
};`;

describe("opfsAdapter in a window", () => {
  for (const io of ["worker", "writable"] as const) {
    test(`an append waits while another worker holds the file open, then goes through (${io})`, async () => {
      const root = `mldash-opfs-${io}-${Date.now().toString(36)}`;
      const s = opfsAdapter({ root, io });
      expect(await s.ioMode()).toBe(io);
      const w = new Worker(URL.createObjectURL(new Blob([holder], { type: "text/javascript" })), { type: "module" });
      const events: string[] = [];
      const locked = new Promise<void>((resolve) => {
        w.onmessage = (e: MessageEvent<string>) => {
          events.push(e.data);
          if (e.data === "locked") resolve();
        };
      });
      w.postMessage({ root, ms: 300 });
      await locked;
      await s.append("k/data.jsonl", new TextEncoder().encode("window\n"));
      events.push("appended");
      expect(events).toEqual(["locked", "released", "appended"]);
      expect(new TextDecoder().decode((await s.read("k/data.jsonl"))!)).toBe("worker\nwindow\n");
      w.terminate();
      await s.deletePrefix("k");
      expect(await s.list("")).toEqual([]);
      await s.close();
      await (await navigator.storage.getDirectory()).removeEntry(root, { recursive: true });
    });
  }
});
