/**
 * IAM pattern matching for policy elements: `*` matches any run of characters and `?` any one character
 * (IAM User Guide, "IAM JSON policy elements: Action" and "Resource"). Actions compare case-insensitively,
 * resources (ARNs) case-sensitively.
 */
import { globMatches } from '../../core/pattern.ts';

export type AccessKind = 'read' | 'write';

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

export function hasPolicyVariable(value: string): boolean {
  return value.includes('${');
}

/**
 * The patterns come from bucket policies, which whoever can write the policy controls: they run on the
 * linear-time engine (`shared/core/pattern.ts`), so a policy full of wildcards cannot stall the rule.
 */
export { globMatches };

/**
 * Whether every string `covered` can match is also matched by `pattern`. Exact for a wildcard-free
 * `covered`; otherwise only the forms that matter in practice (`*`, or `prefix*` against a longer prefix),
 * and false when in doubt, so that a doubtful Deny never hides a public grant.
 */
export function patternCovers(pattern: string, covered: string, ignoreCase: boolean): boolean {
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  const outer = fold(pattern);
  const inner = fold(covered);
  if (outer === '*') return true;
  if (!hasWildcard(inner)) return globMatches(outer, inner, false);
  if (outer.endsWith('*') && !hasWildcard(outer.slice(0, -1))) return inner.startsWith(outer.slice(0, -1));
  return outer === inner;
}

const READ_VERBS = ['get', 'list'] as const;

/**
 * What an `Action` pattern can grant on S3: `s3:Get*` and `s3:List*` read; every other S3 action
 * (`Put*`, `Delete*`, `AbortMultipartUpload`, `RestoreObject`, `Replicate*`, …) changes something and counts
 * as write. A pattern that cannot match an `s3:` action grants nothing here.
 */
export function accessOfAction(pattern: string): Set<AccessKind> {
  const access = new Set<AccessKind>();
  const lower = pattern.toLowerCase();
  if (lower === '*') return new Set(['read', 'write']);
  const colon = lower.indexOf(':');
  if (colon < 0 || !globMatches(lower.slice(0, colon), 's3', false)) return access;
  const name = lower.slice(colon + 1);
  const wildcardAt = name.search(/[*?]/);
  if (wildcardAt < 0) {
    access.add(READ_VERBS.some((verb) => name.startsWith(verb)) ? 'read' : 'write');
    return access;
  }
  const prefix = name.slice(0, wildcardAt);
  if (READ_VERBS.some((verb) => verb.startsWith(prefix) || prefix.startsWith(verb))) access.add('read');
  if (!READ_VERBS.some((verb) => prefix.startsWith(verb))) access.add('write');
  return access;
}

/** What `Action: [...]` grants: the union over its patterns. */
export function accessOfActions(patterns: readonly string[]): Set<AccessKind> {
  const access = new Set<AccessKind>();
  for (const pattern of patterns) for (const kind of accessOfAction(pattern)) access.add(kind);
  return access;
}

/**
 * What `NotAction: [...]` grants with Allow: everything except the patterns. Read survives unless both
 * `s3:Get*` and `s3:List*` are excluded; write survives unless all of `s3:*` is (S3 adds new write actions
 * over time, and Block Public Access judges a policy for the actions it may grant in future too).
 */
export function accessOfNotActions(patterns: readonly string[]): Set<AccessKind> {
  const excludes = (action: string) => patterns.some((pattern) => patternCovers(pattern, action, true));
  const access = new Set<AccessKind>();
  if (!(excludes('s3:Get*') && excludes('s3:List*'))) access.add('read');
  if (!excludes('s3:*')) access.add('write');
  return access;
}
