#!/usr/bin/env node
// Whether this machine's kernel hands freed memory back to its hypervisor (free page reporting,
// as on this Firecracker VM), and what that costs a write. Memory handed back is unmapped by
// the host; the next write into it faults on the host and runs several times slower. Writing a
// store fills the page cache with new pages, so a benchmark's figure depends on how much of the
// memory it gets was handed back since the last run.
//
//   node bench/host-memory.mjs        prints the reporting state and the probe below
//
// bench/runtimes.mjs and bench/run.mjs's core, runtimes and remote suites print `printHostMemory()` under their tables.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PARAMS = "/sys/module/page_reporting/parameters";

function param(name) {
  try {
    return Number(readFileSync(join(PARAMS, name), "utf8").trim());
  } catch {
    return undefined;
  }
}

/** The reporting state: undefined where the kernel has no free page reporting. */
export function hostMemoryState() {
  if (!existsSync(PARAMS)) return undefined;
  return { order: param("page_reporting_order"), reportedKiB: param("reported_kib") };
}

/**
 * One line for a benchmark's output: how much memory the kernel handed back to the host since
 * `since` (a {@link hostMemoryState} taken before the run), or undefined without reporting.
 */
export function hostMemoryNote(since) {
  const now = hostMemoryState();
  if (!now || !since || now.reportedKiB === undefined || since.reportedKiB === undefined) return undefined;
  const mib = Math.round((now.reportedKiB - since.reportedKiB) / 1024);
  return (
    `host memory: this kernel handed ${mib.toLocaleString("en-US")} MiB of freed memory back to its hypervisor during the run ` +
    `(free page reporting, order ${now.order}); writes into memory handed back run several times slower, so store-bound ` +
    "figures swing with it (node bench/host-memory.mjs measures it; README, Benchmarks)."
  );
}

/** Prints {@link hostMemoryNote} under a benchmark's table, when there is one. */
export function printHostMemory(since) {
  const note = hostMemoryNote(since);
  if (note) console.log(`\n${note}`);
}

/** MB/s of writing `mb` MiB into a new file, 1 MiB per writeSync; the file is removed after. */
function writeSpeed(dir, mb) {
  const chunk = Buffer.alloc(1 << 20, 7);
  const file = join(dir, "probe.bin");
  const fd = openSync(file, "w");
  const t = performance.now();
  for (let i = 0; i < mb; i++) writeSync(fd, chunk);
  const ms = performance.now() - t;
  closeSync(fd);
  unlinkSync(file);
  return (mb / ms) * 1000;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes 256 MiB, deletes it, waits `idleMs`, and times the next 256 MiB: with no wait the
 * second file reuses the pages the first one freed; after a wait they may have been handed back.
 */
export async function probeHostMemory({ rounds = 3, idle = [0, 3000], mb = 256 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "mldash-host-memory-"));
  const rows = [];
  try {
    writeSpeed(dir, mb);
    for (let round = 0; round < rounds; round++) {
      for (const idleMs of idle) {
        writeSpeed(dir, mb);
        const before = hostMemoryState();
        await sleep(idleMs);
        const after = hostMemoryState();
        const handedBackMiB = before && after ? Math.round((after.reportedKiB - before.reportedKiB) / 1024) : undefined;
        rows.push({ idleMs, mbPerSec: writeSpeed(dir, mb), handedBackMiB });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const state = hostMemoryState();
  console.log(
    state
      ? `free page reporting: on (page_reporting_order ${state.order}; ${Math.round(state.reportedKiB / 1024).toLocaleString("en-US")} MiB handed back since boot)`
      : "free page reporting: not in this kernel (the probe below should show no difference)",
  );
  console.log("idle before the write   write MB/s   MiB handed back while idle");
  for (const r of await probeHostMemory()) {
    console.log(`${`${r.idleMs / 1000} s`.padStart(21)}   ${Math.round(r.mbPerSec).toLocaleString("en-US").padStart(10)}   ${String(r.handedBackMiB ?? "—").padStart(26)}`);
  }
}
