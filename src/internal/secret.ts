/**
 * Comparing a secret a client sent with the one expected, in time that depends only on the
 * expected secret's length: no early exit on the first wrong character, nor on a length
 * mismatch (a guess of the wrong length takes as long as one of the right length).
 */

/** Whether `given` equals `expected`, compared in constant time for a given `expected`. */
export function sameSecret(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return diff === 0;
}
