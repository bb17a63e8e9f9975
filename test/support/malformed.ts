/**
 * Generators for the property tests that hold a hand-written fast path to the zod schema it stands in for:
 * a field that is usually right and sometimes absent, null, empty or any JSON value at all.
 */
import fc from 'fast-check';

/** A value of any JSON type, small. */
export const anyJson = fc.jsonValue({ maxDepth: 2 });

/**
 * `good` most of the time (`weight` in `weight + 5`), else undefined, null (twice as often), `''` or any JSON
 * value.
 */
export function field<T>(good: fc.Arbitrary<T>, weight = 20) {
  return fc.oneof(
    { weight, arbitrary: good },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: anyJson },
  );
}
