/**
 * A promise-chain mutex: callers run one at a time, in call order. When it is idle, `fn` starts
 * synchronously (no extra microtask), so an I/O call inside it is dispatched at once.
 */
export class Mutex {
  private tail: Promise<unknown> | undefined;
  private waiting = 0;

  /** Runs `fn` after every earlier caller has finished (successfully or not). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    let result: Promise<T>;
    const idle = this.waiting === 0;
    this.waiting++;
    if (idle) {
      try {
        result = fn();
      } catch (err) {
        result = Promise.reject(err);
      }
    } else {
      result = (this.tail as Promise<unknown>).then(fn, fn);
    }
    const done = (): void => {
      this.waiting--;
    };
    this.tail = result.then(done, done);
    return result;
  }

  /** True while a caller runs or waits. */
  get busy(): boolean {
    return this.waiting > 0;
  }
}

/** Mutexes by name, created on first use and dropped when idle. */
export class NamedMutex {
  private readonly locks = new Map<string, Mutex>();

  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    let m = this.locks.get(name);
    if (!m) {
      m = new Mutex();
      this.locks.set(name, m);
    }
    const lock = m;
    const result = lock.run(fn);
    const cleanup = (): void => {
      if (!lock.busy && this.locks.get(name) === lock) this.locks.delete(name);
    };
    result.then(cleanup, cleanup);
    return result;
  }

  /** True while a caller of `name` runs or waits. */
  busy(name: string): boolean {
    return this.locks.get(name)?.busy ?? false;
  }
}
