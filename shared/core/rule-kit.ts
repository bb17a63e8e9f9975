/**
 * What the guardrail-pack rules share: reading Config's string-valued rule parameters the way the managed
 * rules name them, matching a KMS key parameter against the key ARN a configuration item records, and the
 * fail-closed verdict for a field that cannot be read.
 */
import { type ConfigurationItem, nonCompliant, ParameterError, type Verdict } from './model.ts';

/** The reason code of a verdict on an item whose needed field is missing or malformed. */
export const CANNOT_JUDGE = 'cannot-judge';

/** NON_COMPLIANT, saying which field could not be read (fail closed). */
export function cannotJudge(problem: string): Verdict {
  return nonCompliant([{ code: CANNOT_JUDGE, message: `cannot judge ${problem}` }]);
}

/** Refuses any parameter the rule does not know, naming it and the known ones. */
export function checkParameterNames(raw: Record<string, unknown>, known: readonly string[]): void {
  for (const name of Object.keys(raw)) {
    if (!known.includes(name)) {
      const list = known.length === 0 ? 'the rule takes no parameters' : `known: ${known.join(', ')}`;
      throw new ParameterError(name, raw[name], `unknown parameter (${list})`);
    }
  }
}

/** `parseParameters` of a rule that, like its managed rule, takes no parameters: anything given is refused. */
export function parseNoParameters(raw: Record<string, unknown>): Record<string, never> {
  checkParameterNames(raw, []);
  return {};
}

/** A string parameter; absent, null or blank is undefined. */
export function optionalText(parameter: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ParameterError(parameter, value, 'expected a string');
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A boolean parameter as Config passes it: `true` or `false` in any case; absent or blank is undefined. */
export function optionalBoolean(parameter: string, value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = optionalText(parameter, value);
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ParameterError(parameter, value, 'expected true or false');
}

/** A KMS key named by a rule parameter: its key id, or its key ARN. */
export type KmsKeyReference = { kind: 'id'; id: string } | { kind: 'arn'; arn: string };

/** KMS key ids: a UUID, or `mrk-` and 32 hex digits for a multi-Region key (AWS KMS Developer Guide, "Key identifiers"). */
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/((?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}))$/;

/**
 * A key id or key ARN parameter. An alias is refused: a configuration item records the key ARN, and an alias
 * can be pointed at another key at any time, so matching it would need a KMS call and could be wrong later.
 */
export function optionalKmsKey(parameter: string, value: unknown): KmsKeyReference | undefined {
  const text = optionalText(parameter, value);
  if (text === undefined) return undefined;
  if (KEY_ID.test(text)) return { kind: 'id', id: text };
  if (KEY_ARN.test(text)) return { kind: 'arn', arn: text };
  const problem = /(^|:)alias\//.test(text)
    ? 'an alias cannot be matched against the key ARN AWS Config records; give the key id or key ARN'
    : 'expected a KMS key id (a UUID or mrk-…) or a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)';
  throw new ParameterError(parameter, value, problem);
}

/** The managed-rule difference every KMS key parameter shares, for `managedRuleDifferences`. */
export function kmsAliasRefused(parameter: string): string {
  return `A ${parameter} that is a KMS alias (alias/… or an alias ARN) is refused: AWS Config records the key ARN, and an alias can be moved to another key.`;
}

/** Whether the key a resource is encrypted with (a key ARN, or an id) is the key the parameter names. */
export function isKmsKey(reference: KmsKeyReference, recorded: string): boolean {
  if (reference.kind === 'arn') return recorded === reference.arn;
  return recorded === reference.id || recorded.endsWith(`:key/${reference.id}`);
}

export function describeKmsKey(reference: KmsKeyReference): string {
  return reference.kind === 'arn' ? reference.arn : reference.id;
}

/** A field of the item's `configuration`; undefined when the configuration or the field is absent. */
export function configurationField(item: ConfigurationItem, name: string): unknown {
  return item.configuration?.[name];
}

/** A supplementary value by name, ignoring case (Config's own spelling has changed over time). */
export function supplementaryField(item: ConfigurationItem, name: string): unknown {
  const wanted = name.toLowerCase();
  const key = Object.keys(item.supplementaryConfiguration).find(
    (candidate) => candidate.toLowerCase() === wanted,
  );
  return key === undefined ? undefined : item.supplementaryConfiguration[key];
}

/** A value as a finding quotes it: JSON, cut short. */
export function quoted(value: unknown): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The name a finding gives the resource: its name when Config records one, else its id. */
export function resourceLabel(item: ConfigurationItem): string {
  return item.resourceName ?? item.resourceId;
}
