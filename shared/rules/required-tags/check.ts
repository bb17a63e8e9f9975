import { compliant, nonCompliant, notApplicable, type Reason, type Verdict } from '../../core/model.ts';
import {
  type ExemptionTag,
  type KeyCase,
  keysEqual,
  type RequiredTagsParams,
  type TagRequirement,
} from './policy.ts';

type Tag = [key: string, value: string];

/** The verdict on one resource's user tags (see `userTags`) for the requirements of its type. */
export function checkRequiredTags(
  tags: ReadonlyMap<string, string>,
  requirements: readonly TagRequirement[],
  params: Pick<RequiredTagsParams, 'keyCase' | 'requireNonEmptyValues' | 'exemptionTag'>,
): Verdict {
  const exemptedBy = params.exemptionTag && exemption(tags, params.exemptionTag, params.keyCase);
  if (exemptedBy) {
    return notApplicable(`exempt by tag ${display(exemptedBy[0])}=${display(exemptedBy[1])}`, 'exempt');
  }
  if (requirements.length === 0)
    return notApplicable('no tag is required for this resource type', 'no-requirement');

  const missing: string[] = [];
  const problems: Reason[] = [];
  for (const requirement of requirements) {
    const candidates = matchingTags(tags, requirement.key, params.keyCase);
    if (candidates.length === 0) {
      const variant = params.keyCase === 'exact' ? caseVariant(tags, requirement.key) : undefined;
      if (variant === undefined) missing.push(requirement.key);
      else problems.push(keyCaseReason(requirement, variant));
      continue;
    }
    const found = candidates.map((tag) => valueProblem(tag, requirement, params.requireNonEmptyValues));
    if (found.includes(undefined)) continue;
    const first = found[0];
    if (first) problems.push(first);
  }

  if (missing.length === 0 && problems.length === 0) {
    return compliant([{ code: 'required-tags-present', message: presentMessage(requirements) }]);
  }
  const missingReason: Reason[] =
    missing.length > 0
      ? [
          {
            code: 'missing-tag',
            message: `missing: ${missing.map(display).join(', ')}`,
            details: { keys: missing },
          },
        ]
      : [];
  return nonCompliant([...missingReason, ...problems]);
}

/** The compliant message of each list of requirements, made once: most resources get it. */
const presentMessages = new WeakMap<readonly TagRequirement[], string>();

function presentMessage(requirements: readonly TagRequirement[]): string {
  let message = presentMessages.get(requirements);
  if (message === undefined) {
    const keys = requirements.map((requirement) => display(requirement.key)).join(', ');
    message = `required tags present: ${keys}`;
    presentMessages.set(requirements, message);
  }
  return message;
}

/** The resource's tags for a required key: the exact key, or with `keyCase: ignore` any spelling of it. */
function matchingTags(tags: ReadonlyMap<string, string>, key: string, keyCase: KeyCase): Tag[] {
  const exact = tags.get(key);
  if (exact !== undefined) return [[key, exact]];
  if (keyCase === 'exact') return [];
  return [...tags].filter(([candidate]) => keysEqual(candidate, key, 'ignore'));
}

function caseVariant(tags: ReadonlyMap<string, string>, key: string): string | undefined {
  return [...tags.keys()].find((candidate) => keysEqual(candidate, key, 'ignore'));
}

/**
 * What is wrong with a present tag's value, if anything. An empty value is judged like any other (a list
 * or a pattern may refuse it; a key without values accepts it, as AWS's managed rule does) unless
 * `requireNonEmpty`.
 */
function valueProblem(
  [key, value]: Tag,
  requirement: TagRequirement,
  requireNonEmpty: boolean,
): Reason | undefined {
  const details = { key, value, requiredBy: requirement.source };
  if (value === '' && requireNonEmpty) {
    return { code: 'empty-tag-value', message: `${display(key)} is empty`, details };
  }
  const constraint = requirement.constraint;
  if (constraint.kind === 'list' && !constraint.values.includes(value)) {
    return {
      code: 'tag-value-not-allowed',
      message: `${display(key)}=${display(value)} not in [${constraint.values.map(display).join(', ')}]`,
      details: { ...details, allowed: constraint.values },
    };
  }
  if (constraint.kind === 'pattern' && !constraint.pattern.matches(value)) {
    return {
      code: 'tag-value-mismatch',
      message: `${display(key)}=${display(value)} does not match /${constraint.pattern.source}/`,
      details: { ...details, pattern: constraint.pattern.source },
    };
  }
  return undefined;
}

function keyCaseReason(requirement: TagRequirement, found: string): Reason {
  return {
    code: 'tag-key-case',
    message: `tag key ${display(found)} should be ${display(requirement.key)}`,
    details: { key: found, expected: requirement.key, requiredBy: requirement.source },
  };
}

function exemption(tags: ReadonlyMap<string, string>, tag: ExemptionTag, keyCase: KeyCase): Tag | undefined {
  return matchingTags(tags, tag.key, keyCase).find(
    ([, value]) => tag.values === undefined || tag.values.includes(value),
  );
}

/** Keys and values as written, quoted only where they would read ambiguously in the annotation. */
export function display(text: string): string {
  return text === '' || text.trim() !== text || /[,;=[\]"]/.test(text) ? JSON.stringify(text) : text;
}
