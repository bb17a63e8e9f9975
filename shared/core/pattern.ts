/**
 * Every pattern Plumbline did not write itself (a `tagPolicy` pattern, a wildcard in a bucket policy) runs
 * on RE2 (`re2js`, pure JavaScript): matching time grows linearly with the text, whatever the pattern, so a
 * pattern such as `([a-z0-9]+[-.]?)+` cannot hang a Lambda the way JavaScript's backtracking engine does.
 * RE2 has no backreferences and no lookaround; a pattern using them is refused when it is loaded.
 */
import { RE2JS } from 're2js';
import { ParameterError } from './model.ts';

/** Longer patterns are refused: a tag value is at most 256 characters, a pattern has no need to be longer. */
export const MAX_PATTERN_LENGTH = 1024;

export interface UserPattern {
  /** The pattern as written. */
  readonly source: string;
  /** Whether the whole of `value` matches (as if the pattern were written `^(?:…)$`). */
  matches(value: string): boolean;
}

/**
 * Compiles a user's regular expression, written as for JavaScript (`\d`, `\u00e9`, `(?<name>…)` are
 * translated to RE2's forms). `parameter` says where it came from (`tagPolicy.required[0].pattern`): an
 * empty, overlong, invalid or unsupported pattern is a ParameterError naming it and the pattern.
 */
export function compileUserPattern(pattern: string, parameter: string): UserPattern {
  if (pattern === '') throw new ParameterError(parameter, pattern, 'empty pattern');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ParameterError(parameter, pattern, `patterns are at most ${MAX_PATTERN_LENGTH} characters`);
  }
  let compiled: RE2JS;
  try {
    // Compiled alone, not inside `^(?:…)$`: a pattern such as `a)|(.*` must be refused, not turned into
    // one that matches anything.
    compiled = RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (error) {
    throw new ParameterError(
      parameter,
      pattern,
      `not a regular expression Plumbline can run: ${(error as Error).message} (patterns run on RE2, ` +
        'in time linear in the value: no backreferences, no lookahead or lookbehind)',
    );
  }
  return { source: pattern, matches: (value) => compiled.testExact(value) };
}

const GLOB_CACHE_LIMIT = 500;
const globCache = new Map<string, RE2JS>();

/**
 * Whether `value` matches an IAM-style wildcard pattern as a whole: `*` is any run of characters (line
 * breaks included), `?` any one character, everything else itself; `ignoreCase` for action names.
 */
export function globMatches(glob: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${glob}`;
  let compiled = globCache.get(key);
  if (compiled === undefined) {
    const body = Array.from(glob, (char) => (char === '*' ? '.*' : char === '?' ? '.' : RE2JS.quote(char)));
    compiled = RE2JS.compile(body.join(''), RE2JS.DOTALL | (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0));
    if (globCache.size >= GLOB_CACHE_LIMIT) globCache.clear();
    globCache.set(key, compiled);
  }
  return compiled.testExact(value);
}
