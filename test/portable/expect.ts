/**
 * vitest's `expect` without vitest's runner: chai with the Jest-compatible matchers of
 * `@vitest/expect` (the same plugins vitest installs), so suites assert exactly as under vitest.
 */
import * as chai from "chai";
import { ASYMMETRIC_MATCHERS_OBJECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState, type ExpectStatic } from "@vitest/expect";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Expect = ExpectStatic;

function makeExpect(): Expect {
  const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as Expect;
  Object.assign(expect, chai.expect);
  Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
  setState(
    { assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null },
    expect,
  );
  return expect;
}

/** `expect` with vitest's matchers. */
export const expect: Expect = makeExpect();
