/**
 * `required-tags`: resources carry the tags the organisation requires, with allowed values.
 * Accepts the managed `required-tags` rule's parameters unchanged; richer policies come from `tagPolicy`.
 */
import { notApplicable, type Rule, type SuiteSettings } from '../../core/model.ts';
import { listsResourceType } from '../../core/scope.ts';
import { checkRequiredTags } from './check.ts';
import { parseRequiredTagsParameters, type RequiredTagsParams } from './policy.ts';
import { ADDITIONAL_TAGGED_RESOURCE_TYPES, DEFAULT_RESOURCE_TYPES } from './resource-types.ts';
import { userTags } from './tags.ts';

export type { RequiredTagsParams, TagRequirement } from './policy.ts';
export { parseRequiredTagsParameters } from './policy.ts';
export { DEFAULT_RESOURCE_TYPES } from './resource-types.ts';
export { userTags } from './tags.ts';

const PARAMETER_DOCS = [
  ...[1, 2, 3, 4, 5, 6].flatMap((slot) => [
    {
      name: `tag${slot}Key`,
      description:
        slot === 1
          ? 'Key of a required tag (the managed rule’s parameter). When no key is named anywhere, CostCenter is required.'
          : 'Key of another required tag.',
      ...(slot === 1 ? { default: 'CostCenter' } : {}),
    },
    {
      name: `tag${slot}Value`,
      description: `Allowed values of tag${slot}Key, comma-separated; spaces around values are ignored. Empty: any value, an empty one included (as the managed rule).`,
    },
  ]),
  {
    name: 'tagPolicy',
    description:
      'Suite setting beside `rules` in the configuration file: required (keys, each with values or a pattern), ' +
      'byResourceType (per-type required, inherit), keyCase (exact|ignore), requireNonEmptyValues (true: an empty ' +
      'value never satisfies a requirement), exemptionTag, resourceTypes.',
  },
] as const;

/** AWS Config Developer Guide, "required-tags": tag1Key (default CostCenter)…tag6Key, tag1Value…tag6Value. */
const MANAGED_RULE_DIFFERENCES = [
  'A required key beginning with aws: is refused (AWS reserves the prefix; aws: tags never satisfy a requirement).',
  'A tagNValue without its tagNKey, a key over 128 or a value over 256 characters, and the same key required twice are refused, not ignored.',
  `The default scope adds ${ADDITIONAL_TAGGED_RESOURCE_TYPES.join(', ')} to the managed rule's types; tagPolicy.resourceTypes narrows it.`,
];

/** Builds the rule for a scope; `tagPolicy.resourceTypes` may narrow the scope further, never widen it. */
export function createRequiredTagsRule(resourceTypes: readonly string[]): Rule<RequiredTagsParams> {
  return {
    name: 'required-tags',
    description: 'Resources carry the tags the organisation requires, with allowed values.',
    resourceTypes,
    severity: 3,
    deployParameters: ['tag1Key', 'tag1Value', 'tag2Key', 'tag2Value', 'tag3Key', 'tag3Value'],
    forSettings: requiredTagsRuleFor,
    parameterDocs: PARAMETER_DOCS,
    managedRuleDifferences: MANAGED_RULE_DIFFERENCES,
    parseParameters: (raw, suite) => parseRequiredTagsParameters(raw, suite, resourceTypes),
    evaluate(item, params) {
      if (!listsResourceType(params.resourceTypes, item.resourceType)) {
        return notApplicable(`${item.resourceType} is not in tagPolicy.resourceTypes`, 'out-of-scope');
      }
      const requirements = params.byResourceType[item.resourceType] ?? params.requirements;
      return checkRequiredTags(userTags(item), requirements, params);
    },
  };
}

/** The rule over the default scope ({@link DEFAULT_RESOURCE_TYPES}). */
export const requiredTagsRule = createRequiredTagsRule(DEFAULT_RESOURCE_TYPES);

/**
 * The rule whose scope follows `tagPolicy.resourceTypes` in the suite settings (or the default scope):
 * what the Lambda handler, the CLI and the deployment's Config rule scope should use, so that the
 * periodic scan reads exactly the configured types. Throws a ParameterError for a malformed list.
 */
export function requiredTagsRuleFor(settings: SuiteSettings): Rule<RequiredTagsParams> {
  return createRequiredTagsRule(requiredTagsResourceTypes(settings));
}

/** The resource types the rule evaluates under these suite settings: for the Config rule's scope. */
export function requiredTagsResourceTypes(settings: SuiteSettings): readonly string[] {
  const configured = (settings.tagPolicy as { resourceTypes?: unknown } | null | undefined)?.resourceTypes;
  if (configured === undefined) return DEFAULT_RESOURCE_TYPES;
  // Validate the whole policy against a scope made of the configured list itself, so only its own
  // problems (format, duplicates, length, byResourceType outside it) are reported.
  const scope = Array.isArray(configured) ? configured.map(String) : [];
  return parseRequiredTagsParameters({}, settings, scope).resourceTypes;
}
