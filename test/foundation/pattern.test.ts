import { describe, expect, it } from 'vitest';
import { compileUserPattern, MAX_PATTERN_LENGTH } from '../../shared/core/pattern.ts';
import { globMatches } from '../../shared/rules/public-bucket/patterns.ts';
import { item, verdict } from '../required-tags/helpers.ts';

/** The pattern of issue 14: exponential on a backtracking engine (31 characters took 113 s). */
const NESTED_QUANTIFIER = '([a-z0-9]+[-.]?)+';
/**
 * Each bound below is thousands of times what the linear engine needs on a busy machine and far below what a
 * backtracking engine needs (2^10000 steps for the nested quantifier; 10000^40 for the glob): a slow
 * machine cannot make these tests fail, and a backtracking engine could not pass them.
 */
const GENEROUS_BOUND_MS = 5_000;

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

describe('user patterns run on a linear-time engine', () => {
  it('evaluates the nested-quantifier pattern against a 10,000-character value without hanging', () => {
    const pattern = compileUserPattern(NESTED_QUANTIFIER, 'tagPolicy.required[0].pattern');
    // The `!` at the end forces a backtracking engine to try every way of splitting the run of letters.
    const [matched, elapsed] = timed(() => pattern.matches(`${'a'.repeat(10_000)}!`));
    expect(matched).toBe(false);
    expect(elapsed).toBeLessThan(GENEROUS_BOUND_MS);
    expect(pattern.matches(`${'ab-'.repeat(3_333)}a`)).toBe(true);
  });

  it('a required-tags rule with that pattern judges a resource whose tag is 10,000 characters', () => {
    const tagPolicy = { required: [{ key: 'Project', pattern: NESTED_QUANTIFIER }] };
    const value = `${'a'.repeat(10_000)}!`;
    const [result, elapsed] = timed(() => verdict(item({ Project: value }), {}, { tagPolicy }));
    expect(result).toEqual(['NON_COMPLIANT', expect.stringMatching(/^Project=a{200}/)]);
    expect(elapsed).toBeLessThan(GENEROUS_BOUND_MS);
  });

  it('matches the whole value, as before (prod|dev accepts dev, not prodx or xdev)', () => {
    const pattern = compileUserPattern('prod|dev', 'p');
    expect(['prod', 'dev', 'prodx', 'xdev', ''].map((value) => pattern.matches(value))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(compileUserPattern('\\d{3}-[A-Z]+', 'p').matches('123-AB')).toBe(true);
  });

  it('takes patterns written as for JavaScript: \\u escapes, named groups, Unicode classes', () => {
    expect(compileUserPattern('caf\\u00e9', 'p').matches('café')).toBe(true);
    expect(compileUserPattern('(?<team>[a-z]+)-\\d+', 'p').matches('payments-1')).toBe(true);
    expect(compileUserPattern('\\p{L}+', 'p').matches('Zürich')).toBe(true);
    expect(compileUserPattern('.', 'p').matches('😀')).toBe(true);
  });

  it.each([
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['(?=prod)[a-z]+', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(?!test)[a-z]+', 'invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=x)y', 'invalid named capture: `(?<=x)y`'],
    ['(a{1000}){1000}', 'invalid repeat count: `{1000}`'],
  ])('refuses %s at load, naming the parameter and the pattern', (pattern, cause) => {
    expect(() => compileUserPattern(pattern, 'tagPolicy.required[2].pattern')).toThrow(
      `Invalid rule parameter tagPolicy.required[2].pattern=${JSON.stringify(pattern)}: not a regular ` +
        `expression Plumbline can run: error parsing regexp: ${cause} (patterns run on RE2, in time linear ` +
        'in the value: no backreferences, no lookahead or lookbehind)',
    );
  });

  it('refuses a pattern that would escape the whole-value anchoring (`a)|(.*` once matched anything)', () => {
    expect(() => compileUserPattern('a)|(.*', 'tagPolicy.required[0].pattern')).toThrow(
      'Invalid rule parameter tagPolicy.required[0].pattern="a)|(.*": not a regular expression Plumbline can run: error parsing regexp: unexpected ): `a)|(.*`',
    );
  });

  it('refuses an empty pattern and one longer than the limit', () => {
    expect(() => compileUserPattern('', 'p')).toThrow('Invalid rule parameter p="": empty pattern');
    expect(() => compileUserPattern('a'.repeat(MAX_PATTERN_LENGTH + 1), 'p')).toThrow(
      `: patterns are at most ${MAX_PATTERN_LENGTH} characters`,
    );
    expect(
      compileUserPattern('a'.repeat(MAX_PATTERN_LENGTH), 'p').matches('a'.repeat(MAX_PATTERN_LENGTH)),
    ).toBe(true);
  });
});

describe('policy wildcards run on the same engine', () => {
  it('a wildcard pattern with 40 stars against a 10,000-character value answers without hanging', () => {
    const glob = `${'a*'.repeat(40)}b`;
    const [matched, elapsed] = timed(() => globMatches(glob, 'a'.repeat(10_000), false));
    expect(matched).toBe(false);
    expect(elapsed).toBeLessThan(GENEROUS_BOUND_MS);
    expect(globMatches(glob, `${'a'.repeat(10_000)}b`, false)).toBe(true);
  });

  it('keeps IAM semantics: * any run (line breaks too), ? one character, the rest literal', () => {
    expect(globMatches('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a\nb', false)).toBe(true);
    expect(globMatches('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucketx/a', false)).toBe(false);
    expect(globMatches('s3:Get?bject', 's3:GetObject', false)).toBe(true);
    expect(globMatches('s3:Get?bject', 's3:GetObbject', false)).toBe(false);
    expect(globMatches('a.b', 'axb', false)).toBe(false);
    expect(globMatches('a(b)+[c]$', 'a(b)+[c]$', false)).toBe(true);
    expect(globMatches('S3:GET*', 's3:getobject', true)).toBe(true);
    expect(globMatches('S3:GET*', 's3:getobject', false)).toBe(false);
    expect(globMatches('', '', false)).toBe(true);
    expect(globMatches('?', '😀', false)).toBe(true);
  });
});
