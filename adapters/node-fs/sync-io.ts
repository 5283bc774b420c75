/**
 * The node-fs adapter's work outside its per-key queue: synchronous appends (`appendSync`, the
 * buffer's backpressure) and run leases (lock files with pid, host and start time).
 */
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, promises as fsp, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { tempName, type StorageLease } from "../../src/storage/kit.ts";

function isMissing(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "ENOENT";
}

/**
 * Appends `data` to `path` synchronously (creating folders as needed); on a failure part-way
 * (disk full) the file is cut back to its size before the call and the error thrown. Returns
 * the top folder it had to make (as `mkdirSync` does), so the caller can make its entry durable.
 */
export function appendFileAtomically(path: string, data: Uint8Array): string | undefined {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;
  let fd: number;
  let made: string | undefined;
  try {
    fd = openSync(path, flags, 0o644);
  } catch (err) {
    if (!isMissing(err)) throw err;
    made = mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, flags, 0o644);
  }
  try {
    const before = fstatSync(fd).size;
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      try {
        ftruncateSync(fd, before);
      } catch {
        // the write's error is the one to report
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
  return made;
}

/** True when process `pid` runs on this host (a signal-0 probe; EPERM means it runs as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

/** Lock files this process holds, with how many holders in it share each. */
const leases = new Map<string, { count: number; body: string }>();

/**
 * Takes the lease of `path` (see `StorageAdapter.lease`): creates the lock file exclusively
 * (O_EXCL, atomic across processes); when it exists, a holder that is this process shares it,
 * one that no longer runs on this host is stale and replaced, any other holds it.
 */
export async function takeLease(path: string): Promise<StorageLease> {
  const release = async (): Promise<void> => {
    const mine = leases.get(path);
    if (!mine || --mine.count > 0) return;
    leases.delete(path);
    // Only our own lock file: a stale-lock takeover may have replaced it.
    const now = await fsp.readFile(path, "utf8").catch(() => undefined);
    if (now === mine.body) await fsp.rm(path, { force: true });
  };
  const held = leases.get(path);
  if (held) {
    held.count++;
    return { release };
  }
  const body = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fsp.mkdir(dirname(path), { recursive: true });
      await fsp.writeFile(path, body, { flag: "wx" });
      leases.set(path, { count: 1, body });
      return { release };
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") throw err;
    }
    const text = await fsp.readFile(path, "utf8").catch(() => "");
    let holder: { pid?: unknown; host?: unknown; startedAt?: unknown } = {};
    try {
      holder = JSON.parse(text) as typeof holder;
    } catch {
      // unreadable: a writer died between creating and filling it, or it is being written now
    }
    const sameHost = holder.host === hostname();
    if (sameHost && typeof holder.pid === "number" && alive(holder.pid)) {
      return { heldBy: `process ${holder.pid} on ${String(holder.host)} since ${String(holder.startedAt)}` };
    }
    if (!sameHost && typeof holder.host === "string") {
      return { heldBy: `process ${String(holder.pid)} on host ${holder.host} since ${String(holder.startedAt)}` };
    }
    // Stale (its process is gone) or unreadable: replace it, through a rename so that only one
    // of several processes doing the same wins the next exclusive create.
    const aside = tempName(path);
    await fsp.rename(path, aside).catch(() => undefined);
    await fsp.rm(aside, { force: true });
  }
  return { heldBy: "another process (the lock file keeps changing)" };
}
