/**
 * Running portable suites inside a dedicated worker and reporting each test to vitest in the
 * window. vitest's browser runner only runs tests in the page, so the worker gets the portable
 * runner (its bundle maps "vitest" to test/portable/vitest-shim.ts), and the window registers
 * one vitest test per worker test that asks the worker to run it.
 */

/** A test as the worker lists it. */
export interface RemoteTest {
  readonly name: string;
  readonly timeout: number;
  readonly skip: boolean;
}

type Request = { id: number; type: "list" } | { id: number; type: "run"; name: string };
type Reply = { id: number; tests?: RemoteTest[]; ok?: boolean; message?: string; stack?: string };

/** Worker side: answers "list" and "run" messages for the registered tests. */
export function serveTests(tests: readonly { name: string; timeout: number; skip: boolean }[], run: (name: string) => Promise<void>): void {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<Request>) => void) | null; postMessage(m: Reply): void };
  scope.onmessage = async (e) => {
    const req = e.data;
    if (req.type === "list") {
      scope.postMessage({ id: req.id, tests: tests.map(({ name, timeout, skip }) => ({ name, timeout, skip })) });
      return;
    }
    try {
      await run(req.name);
      scope.postMessage({ id: req.id, ok: true });
    } catch (err) {
      const e2 = err as Error;
      scope.postMessage({ id: req.id, ok: false, message: String(e2?.message ?? err), stack: String(e2?.stack ?? "") });
    }
  };
}

/** Window side: a worker running the module `code`, and how to list and run its tests. */
export class WorkerSuite {
  private readonly worker: Worker;
  private next = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  constructor(code: string) {
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    this.worker = new Worker(url, { type: "module" });
    this.worker.onmessage = (e: MessageEvent<Reply>) => this.waiting.get(e.data.id)?.(e.data);
    this.worker.onerror = (e) => {
      for (const w of this.waiting.values()) w({ id: -1, ok: false, message: `worker error: ${e.message}` });
    };
  }

  private call(req: Omit<Request, "id"> & { type: string; name?: string }): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, (r) => {
        this.waiting.delete(id);
        resolve(r);
      });
      this.worker.postMessage({ ...req, id });
    });
  }

  async list(): Promise<RemoteTest[]> {
    return (await this.call({ type: "list" })).tests ?? [];
  }

  async run(name: string): Promise<void> {
    const r = await this.call({ type: "run", name });
    if (!r.ok) {
      const err = new Error(r.message);
      if (r.stack) err.stack = r.stack;
      throw err;
    }
  }

  terminate(): void {
    this.worker.terminate();
  }
}
