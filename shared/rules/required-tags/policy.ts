/**
 * Parameters of `required-tags`: the managed rule's own `tag1Key`…`tag6Key` / `tag1Value`…`tag6Value`
 * (AWS Config Developer Guide, "required-tags"), together with the richer `tagPolicy` suite setting.
 * Every problem is a {@link ParameterError} naming the parameter (or the `tagPolicy.` path) and the value.
 */
import * as z from 'zod';
import { ParameterError, type SuiteSettings } from '../../core/model.ts';
import { compileUserPattern, type UserPattern } from '../../core/pattern.ts';
import { MAX_SCOPE_RESOURCE_TYPES, RESOURCE_TYPE_PATTERN } from './resource-types.ts';
import { isReservedKey } from './tags.ts';

export type KeyCase = 'exact' | 'ignore';

export type ValueConstraint =
  | { kind: 'any' }
  | { kind: 'list'; values: readonly string[] }
  | { kind: 'pattern'; pattern: UserPattern };

export interface TagRequirement {
  key: string;
  constraint: ValueConstraint;
  /** Where the requirement was written, e.g. `tag2Key` or `tagPolicy.required[1]`. */
  source: string;
}

export interface ExemptionTag {
  key: string;
  /** Values that exempt; undefined means any value. */
  values?: readonly string[] | undefined;
}

export interface RequiredTagsParams {
  /** The resource types evaluated; others are NOT_APPLICABLE. */
  resourceTypes: readonly string[];
  keyCase: KeyCase;
  /**
   * Off by default: like AWS's managed rule, a present key with an empty value satisfies a requirement
   * that names no values. On, an empty value never satisfies one.
   */
  requireNonEmptyValues: boolean;
  exemptionTag?: ExemptionTag | undefined;
  /** Requirements for every type without its own policy. */
  requirements: readonly TagRequirement[];
  /** The effective requirements of each type that has a policy in `tagPolicy.byResourceType`. */
  byResourceType: Readonly<Record<string, readonly TagRequirement[]>>;
}

export const MANAGED_RULE_DEFAULT_KEY = 'CostCenter';
export const MAX_KEY_LENGTH = 128;
export const MAX_VALUE_LENGTH = 256;
const MANAGED_TAG_SLOTS = [1, 2, 3, 4, 5, 6] as const;
const MANAGED_PARAMETERS = MANAGED_TAG_SLOTS.flatMap((slot) => [`tag${slot}Key`, `tag${slot}Value`]);

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const valuesInput = z.union([z.string(), z.array(scalar)]);
const requirementInput = z.union([
  z.string(),
  z.strictObject({ key: z.string(), values: valuesInput.optional(), pattern: z.string().optional() }),
]);
const tagPolicySchema = z.strictObject({
  resourceTypes: z.array(z.string()).optional(),
  keyCase: z.enum(['exact', 'ignore']).default('exact'),
  requireNonEmptyValues: z.boolean().default(false),
  exemptionTag: z
    .union([z.string(), z.strictObject({ key: z.string(), values: valuesInput.optional() })])
    .optional(),
  required: z.array(requirementInput).default([]),
  byResourceType: z
    .record(
      z.string(),
      z.strictObject({ inherit: z.boolean().default(true), required: z.array(requirementInput).default([]) }),
    )
    .default({}),
});

type TagPolicyInput = z.infer<typeof tagPolicySchema>;
type RequirementInput = z.infer<typeof requirementInput>;

/**
 * Validates the raw rule parameters and `suite.tagPolicy`. `ruleResourceTypes` is the scope the rule was
 * built with: `tagPolicy.resourceTypes` may narrow it, never widen it.
 */
export function parseRequiredTagsParameters(
  raw: Record<string, unknown>,
  suite: SuiteSettings,
  ruleResourceTypes: readonly string[],
): RequiredTagsParams {
  const policy = parseTagPolicy(suite.tagPolicy);
  const keyCase = policy?.keyCase ?? 'exact';
  const resourceTypes = policy?.resourceTypes
    ? parseResourceTypes(policy.resourceTypes, ruleResourceTypes)
    : ruleResourceTypes;

  const managed = parseManagedParameters(raw, keyCase);
  const common = [...managed];
  for (const [index, input] of (policy?.required ?? []).entries()) {
    addRequirement(common, parseRequirement(input, `tagPolicy.required[${index}]`), keyCase);
  }

  const ownByType: [string, TagRequirement[], boolean][] = [];
  for (const [resourceType, typePolicy] of Object.entries(policy?.byResourceType ?? {})) {
    const path = `tagPolicy.byResourceType.${resourceType}`;
    if (!resourceTypes.includes(resourceType)) {
      throw new ParameterError(path, resourceType, 'not among the resource types evaluated');
    }
    const own: TagRequirement[] = [];
    for (const [index, input] of typePolicy.required.entries()) {
      addRequirement(own, parseRequirement(input, `${path}.required[${index}]`), keyCase);
    }
    ownByType.push([resourceType, own, typePolicy.inherit]);
  }

  // Like the managed rule, whose tag1Key defaults to CostCenter, a rule naming no key requires that one.
  const namesAnyKey = common.length > 0 || ownByType.some(([, own]) => own.length > 0);
  const requirements: TagRequirement[] = namesAnyKey
    ? common
    : [{ key: MANAGED_RULE_DEFAULT_KEY, constraint: { kind: 'any' }, source: 'tag1Key (default)' }];
  const byResourceType = Object.fromEntries(
    ownByType.map(([resourceType, own, inherit]) => [
      resourceType,
      inherit ? overlay(requirements, own, keyCase) : own,
    ]),
  );
  return {
    resourceTypes,
    keyCase,
    requireNonEmptyValues: policy?.requireNonEmptyValues ?? false,
    exemptionTag: policy?.exemptionTag === undefined ? undefined : parseExemption(policy.exemptionTag),
    requirements,
    byResourceType,
  };
}

function parseTagPolicy(input: unknown): TagPolicyInput | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'object' && 'allowEmptyValues' in input) {
    throw new ParameterError(
      'tagPolicy.allowEmptyValues',
      input.allowEmptyValues,
      'replaced: empty values are now accepted by default, as by AWS’s managed required-tags rule; set tagPolicy.requireNonEmptyValues: true to refuse them',
    );
  }
  const parsed = tagPolicySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const fullPath = unknownKey === undefined ? path : [...path, unknownKey];
  const problem = unknownKey === undefined ? (issue?.message ?? 'invalid') : 'unknown setting';
  throw new ParameterError(formatPath('tagPolicy', fullPath), valueAt(input, fullPath), problem);
}

function parseManagedParameters(raw: Record<string, unknown>, keyCase: KeyCase): TagRequirement[] {
  for (const [name, value] of Object.entries(raw)) {
    if (!MANAGED_PARAMETERS.includes(name)) {
      throw new ParameterError(
        name,
        value,
        'unknown parameter: required-tags takes tag1Key…tag6Key and tag1Value…tag6Value; richer policies go in tagPolicy',
      );
    }
  }
  const requirements: TagRequirement[] = [];
  for (const slot of MANAGED_TAG_SLOTS) {
    const keyName = `tag${slot}Key`;
    const valueName = `tag${slot}Value`;
    const key = stringParameter(raw, keyName).trim();
    const value = stringParameter(raw, valueName);
    if (key === '') {
      if (value.trim() !== '') throw new ParameterError(valueName, value, `given without ${keyName}`);
      continue;
    }
    checkKey(key, keyName);
    const constraint: ValueConstraint =
      value.trim() === ''
        ? { kind: 'any' }
        : { kind: 'list', values: commaSeparatedValues(value, valueName) };
    addRequirement(requirements, { key, constraint, source: keyName }, keyCase);
  }
  return requirements;
}

/** Config passes parameter values as strings; numbers (a numeric cost centre) are taken as written. */
function stringParameter(raw: Record<string, unknown>, name: string): string {
  const value = raw[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ParameterError(name, value, 'expected a string');
}

function parseRequirement(input: RequirementInput, path: string): TagRequirement {
  if (typeof input === 'string') {
    const key = input.trim();
    checkKey(key, path);
    return { key, constraint: { kind: 'any' }, source: path };
  }
  const key = input.key.trim();
  checkKey(key, `${path}.key`);
  if (input.values !== undefined && input.pattern !== undefined) {
    throw new ParameterError(`${path}.pattern`, input.pattern, 'give values or pattern, not both');
  }
  if (input.values !== undefined) {
    return {
      key,
      constraint: { kind: 'list', values: valueList(input.values, `${path}.values`) },
      source: path,
    };
  }
  if (input.pattern !== undefined) {
    return { key, constraint: compilePattern(input.pattern, `${path}.pattern`), source: path };
  }
  return { key, constraint: { kind: 'any' }, source: path };
}

function parseExemption(input: NonNullable<TagPolicyInput['exemptionTag']>): ExemptionTag {
  if (typeof input === 'string') {
    const key = input.trim();
    checkKey(key, 'tagPolicy.exemptionTag');
    return { key };
  }
  const key = input.key.trim();
  checkKey(key, 'tagPolicy.exemptionTag.key');
  return {
    key,
    values: input.values === undefined ? undefined : valueList(input.values, 'tagPolicy.exemptionTag.values'),
  };
}

function parseResourceTypes(types: readonly string[], ruleResourceTypes: readonly string[]): string[] {
  if (types.length === 0) {
    throw new ParameterError('tagPolicy.resourceTypes', types, 'lists no resource type');
  }
  if (types.length > MAX_SCOPE_RESOURCE_TYPES) {
    throw new ParameterError(
      'tagPolicy.resourceTypes',
      types,
      `lists ${types.length} resource types; a Config rule scope takes at most ${MAX_SCOPE_RESOURCE_TYPES}`,
    );
  }
  for (const [index, type] of types.entries()) {
    const path = `tagPolicy.resourceTypes[${index}]`;
    if (!RESOURCE_TYPE_PATTERN.test(type)) {
      throw new ParameterError(path, type, 'expected a resource type such as AWS::EC2::Instance');
    }
    if (types.indexOf(type) !== index) throw new ParameterError(path, type, 'listed twice');
    if (!ruleResourceTypes.includes(type)) {
      throw new ParameterError(
        path,
        type,
        'outside the scope this rule was built with; build it with requiredTagsRuleFor(settings) so that the Config rule scope follows tagPolicy.resourceTypes',
      );
    }
  }
  return [...types];
}

function checkKey(key: string, parameter: string): void {
  if (key === '') throw new ParameterError(parameter, key, 'empty tag key');
  if ([...key].length > MAX_KEY_LENGTH) {
    throw new ParameterError(parameter, key, `tag keys are at most ${MAX_KEY_LENGTH} characters`);
  }
  if (isReservedKey(key)) {
    throw new ParameterError(
      parameter,
      key,
      'keys beginning with aws: are reserved for AWS and never satisfy a requirement',
    );
  }
}

/** `prod, dev` → [prod, dev]: spaces around values are ignored, empty entries (a trailing comma) dropped. */
function commaSeparatedValues(text: string, parameter: string): string[] {
  const values = text
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (values.length === 0) throw new ParameterError(parameter, text, 'lists no value');
  return checkValues(values, parameter, text);
}

function valueList(input: string | readonly string[], parameter: string): string[] {
  if (typeof input === 'string') return commaSeparatedValues(input, parameter);
  if (input.length === 0) throw new ParameterError(parameter, input, 'lists no value');
  const values = input.map((value) => value.trim());
  const emptyAt = values.indexOf('');
  if (emptyAt !== -1) {
    throw new ParameterError(
      `${parameter}[${emptyAt}]`,
      input[emptyAt],
      'empty value; a requirement without values accepts any value, an empty one included (unless tagPolicy.requireNonEmptyValues)',
    );
  }
  return checkValues(values, parameter, input);
}

function checkValues(values: string[], parameter: string, raw: unknown): string[] {
  const tooLong = values.find((value) => [...value].length > MAX_VALUE_LENGTH);
  if (tooLong !== undefined) {
    throw new ParameterError(parameter, raw, `tag values are at most ${MAX_VALUE_LENGTH} characters`);
  }
  return [...new Set(values)];
}

/** The whole value must match, as a user reading `prod|dev` expects (and as before the move to RE2). */
function compilePattern(pattern: string, parameter: string): ValueConstraint {
  return { kind: 'pattern', pattern: compileUserPattern(pattern, parameter) };
}

export function keysEqual(a: string, b: string, keyCase: KeyCase): boolean {
  return keyCase === 'exact' ? a === b : a.toLowerCase() === b.toLowerCase();
}

function addRequirement(list: TagRequirement[], requirement: TagRequirement, keyCase: KeyCase): void {
  const earlier = list.find((existing) => keysEqual(existing.key, requirement.key, keyCase));
  if (earlier !== undefined) {
    throw new ParameterError(
      requirement.source,
      requirement.key,
      `${earlier.key} is already required by ${earlier.source}; require each key once`,
    );
  }
  list.push(requirement);
}

/** A type's own requirements replace the common ones for the same key and add the rest. */
function overlay(common: readonly TagRequirement[], own: readonly TagRequirement[], keyCase: KeyCase) {
  const kept = common.filter(
    (requirement) => !own.some((mine) => keysEqual(mine.key, requirement.key, keyCase)),
  );
  return [...kept, ...own];
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${String(part)}`),
    root,
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}
