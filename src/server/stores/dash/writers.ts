/**
 * Where each writer's own numbering ends, per stream, for the `.dash` store: many clients may
 * append to one stream, each numbering its records from where it began (see
 * `AppendOptions.writer`). Kept in the run folder's `.writers.json` (`{writer: {stream key: next}}`),
 * read once per run and rewritten whole after each writer's append, under the run's lock for it.
 */
import { paths } from "../../../layout/paths.ts";
import { readJsonDoc } from "../../../layout/json-doc.ts";
import type { NamedMutex } from "../../../internal/mutex.ts";
import type { StorageAdapter } from "../../../storage/contract.ts";

type Table = Map<string, Map<string, number>>;

const encoder = new TextEncoder();

/** The writer positions of every run of a `.dash` tree, cached per run folder. */
export class WriterPositions {
  private readonly runs = new Map<string, Promise<Table>>();

  constructor(
    private readonly storage: StorageAdapter,
    private readonly locks: NamedMutex,
  ) {}

  private table(dir: string): Promise<Table> {
    let t = this.runs.get(dir);
    if (!t) {
      t = readJsonDoc(this.storage, paths.writers(dir)).then((doc) => {
        const out: Table = new Map();
        for (const [writer, streams] of Object.entries(doc ?? {})) {
          if (streams === null || typeof streams !== "object" || Array.isArray(streams)) continue;
          const m = new Map<string, number>();
          for (const [k, v] of Object.entries(streams)) if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) m.set(k, v);
          out.set(writer, m);
        }
        return out;
      });
      t.catch(() => this.runs.delete(dir));
      this.runs.set(dir, t);
    }
    return t;
  }

  /** Where `writer` ends in stream `key` of run `dir`; undefined for a writer that never appended there. */
  async get(dir: string, writer: string, key: string): Promise<number | undefined> {
    return (await this.table(dir)).get(writer)?.get(key);
  }

  /** Every stream `writer` appended to in run `dir`, with where it ends. */
  async of(dir: string, writer: string): Promise<ReadonlyMap<string, number>> {
    return (await this.table(dir)).get(writer) ?? new Map();
  }

  /** Records that `writer` ends at `next` in stream `key` of run `dir` (stored before it returns). */
  async set(dir: string, writer: string, key: string, next: number): Promise<void> {
    await this.locks.run(`writers:${dir}`, async () => {
      const t = await this.table(dir);
      let m = t.get(writer);
      if (!m) t.set(writer, (m = new Map()));
      m.set(key, next);
      const doc: Record<string, Record<string, number>> = {};
      for (const [w, streams] of t) doc[w] = Object.fromEntries(streams);
      await this.storage.write(paths.writers(dir), encoder.encode(JSON.stringify(doc)));
    });
  }

  /** Forgets run `dir` (its folder was removed). */
  forget(dir: string): void {
    this.runs.delete(dir);
  }
}
