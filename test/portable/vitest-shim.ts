/**
 * A small stand-in for the part of "vitest" the portable suites use (`describe`, `test`/`it`,
 * `expect`, `beforeEach`/`afterEach`), for hosts where vitest's runner cannot run: Deno
 * (`deno test`, mapped by deno.json's import map) and dedicated workers in Chromium (bundled
 * with "vitest" aliased here). Tests register into a sink the host chooses; `runTest` runs one
 * with its hooks and timeout.
 */
export { expect } from "./expect.ts";

type Fn = () => unknown;
type Options = { timeout?: number } | number | undefined;

/** A registered test. */
export interface PortableTest {
  /** Full name: the describe titles and the test title, joined by " > ". */
  readonly name: string;
  readonly fn: Fn;
  readonly timeout: number;
  readonly skip: boolean;
  readonly before: readonly Fn[];
  readonly after: readonly Fn[];
}

interface Scope {
  readonly title: string;
  readonly before: Fn[];
  readonly after: Fn[];
  readonly skip: boolean;
}

const DEFAULT_TIMEOUT = 5_000;
const scopes: Scope[] = [];
const collected: PortableTest[] = [];
let sink: (t: PortableTest) => void = (t) => collected.push(t);

/** Where registered tests go (Deno: `Deno.test`). Default: an in-memory list. */
export function setTestSink(fn: (t: PortableTest) => void): void {
  sink = fn;
}

/** Tests registered into the default sink. */
export function collectedTests(): readonly PortableTest[] {
  return collected;
}

function timeoutOf(o: Options): number {
  return typeof o === "number" ? o : (o?.timeout ?? DEFAULT_TIMEOUT);
}

function register(title: string, fn: Fn, options: Options, skip: boolean): void {
  const name = [...scopes.map((s) => s.title), title].join(" > ");
  sink({
    name,
    fn,
    timeout: timeoutOf(options),
    skip: skip || scopes.some((s) => s.skip),
    before: scopes.flatMap((s) => s.before),
    after: scopes.flatMap((s) => s.after).reverse(),
  });
}

function scoped(title: string, fn: Fn, skip: boolean): void {
  scopes.push({ title, before: [], after: [], skip });
  try {
    fn();
  } finally {
    scopes.pop();
  }
}

/** Groups tests under a title. */
export const describe = Object.assign((title: string, fn: Fn): void => scoped(title, fn, false), {
  skip: (title: string, fn: Fn): void => scoped(title, fn, true),
});

type TestFn = {
  (title: string, fn: Fn, options?: Options): void;
  (title: string, options: Options, fn: Fn): void;
};

function testImpl(skip: boolean): TestFn {
  return ((title: string, a: Fn | Options, b?: Fn | Options) => {
    if (typeof a === "function") register(title, a, b as Options, skip);
    else register(title, b as Fn, a, skip);
  }) as TestFn;
}

/** Registers a test. */
export const test = Object.assign(testImpl(false), { skip: testImpl(true) });
export const it = test;

function current(where: string): Scope {
  const s = scopes[scopes.length - 1];
  if (!s) throw new Error(`${where}() outside describe() is not supported by the portable runner`);
  return s;
}

/** Runs before each test of the enclosing describe. */
export function beforeEach(fn: Fn): void {
  current("beforeEach").before.push(fn);
}

/** Runs after each test of the enclosing describe. */
export function afterEach(fn: Fn): void {
  current("afterEach").after.push(fn);
}

/** Runs a test with its hooks, failing it after its timeout. */
export async function runTest(t: PortableTest): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Test timed out in ${t.timeout}ms`)), t.timeout);
  });
  try {
    await Promise.race([
      (async () => {
        for (const h of t.before) await h();
        try {
          await t.fn();
        } finally {
          for (const h of t.after) await h();
        }
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
