/**
 * Which `Condition` entries limit a statement to "fixed values" in the sense of the Amazon S3 User Guide,
 * "Blocking public access to your Amazon S3 storage" → "The meaning of 'public'": a value without a wildcard
 * or policy variable, for one of the keys listed there.
 */
import { type IpFamily, parseAddressOrCidr } from '../../core/cidr.ts';
import { hasPolicyVariable, hasWildcard } from './patterns.ts';

/** "The meaning of 'public'": an `aws:SourceIp` range broader than this prefix length makes a statement public. */
const PUBLIC_BELOW_PREFIX: Readonly<Record<IpFamily, number>> = { 4: 8, 6: 32 };

/** The keys whose fixed values make a statement non-public, lower-cased (condition keys ignore case). */
const RESTRICTING_KEYS: ReadonlyMap<string, string> = new Map(
  [
    // "An AWS principal, user, role, or service principal (e.g. aws:PrincipalOrgID)"
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalServiceName',
    'aws:PrincipalServiceNamesList',
    // "A set of CIDRs, using aws:SourceIp" (no broader than /8 for IPv4, /32 for IPv6)
    'aws:SourceIp',
    'aws:SourceArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceOwner',
    'aws:SourceAccount',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
    // "aws:userid, outside the pattern AROLEID:*": `AROLEID:*` carries a wildcard and so is not fixed.
    'aws:userid',
    // "s3:DataAccessPointArn": a wildcard in the access point name is fine while the account is fixed.
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((key) => [key.toLowerCase(), key]),
);

const POSITIVE_STRING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
]);
const NEGATED_STRING_OPERATORS = new Set([
  'stringnotequals',
  'stringnotequalsignorecase',
  'stringnotlike',
  'arnnotequals',
  'arnnotlike',
]);

export interface ParsedOperator {
  /** As written, for messages. */
  text: string;
  /** Lower-case operator without set prefix or `IfExists`, e.g. `stringequals`. */
  base: string;
  set: 'ForAnyValue' | 'ForAllValues' | undefined;
  ifExists: boolean;
}

export function parseOperator(text: string): ParsedOperator {
  let rest = text.trim();
  let set: ParsedOperator['set'];
  const prefix = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (prefix?.[1]) {
    set = prefix[1].toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
    rest = rest.slice(prefix[0].length);
  }
  const ifExists = /IfExists$/i.test(rest);
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  return { text, base: rest.toLowerCase(), set, ifExists };
}

/** Condition values as strings: IAM accepts a string, a number, a boolean or a list of them. */
export function conditionValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => (typeof item === 'string' ? item : (JSON.stringify(item) ?? String(item))));
}

export type Restriction = { restricts: true; key: string } | { restricts: false; note?: string | undefined };

/** Canonical spelling of a restricting key, or undefined if the key does not make a statement non-public. */
export function restrictingKey(key: string): string | undefined {
  return RESTRICTING_KEYS.get(key.trim().toLowerCase());
}

/**
 * Whether one `Condition` entry of an Allow statement limits it to fixed values: a positive operator
 * (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`, `IpAddress` for `aws:SourceIp`), required key
 * (no `IfExists`, no `ForAllValues`, both of which also match requests without the key), fixed values.
 */
export function allowRestriction(operatorText: string, keyText: string, value: unknown): Restriction {
  const key = restrictingKey(keyText);
  if (key === undefined) return { restricts: false };
  const operator = parseOperator(operatorText);
  if (!isOperatorFor(key, operator.base, 'positive')) {
    return { restricts: false, note: `${operator.text} on ${key} does not limit access to fixed values` };
  }
  if (operator.ifExists) {
    return { restricts: false, note: `${operator.text} also matches requests without ${key}` };
  }
  if (operator.set === 'ForAllValues') {
    return { restricts: false, note: `${operator.text} also matches requests without ${key}` };
  }
  return fixedValues(key, conditionValues(value));
}

/**
 * Whether one `Condition` entry of a Deny statement exempts only fixed values, e.g. `StringNotEquals
 * aws:SourceVpce vpce-1a2b3c4d`: the Deny then leaves only requests that match a fixed value. A negated
 * operator matches a request without the key, so `IfExists` changes nothing here.
 */
export function denyExemption(operatorText: string, keyText: string, value: unknown): Restriction {
  const key = restrictingKey(keyText);
  if (key === undefined) return { restricts: false };
  const operator = parseOperator(operatorText);
  if (operator.set !== undefined || !isOperatorFor(key, operator.base, 'negated'))
    return { restricts: false };
  return fixedValues(key, conditionValues(value));
}

function isOperatorFor(key: string, base: string, polarity: 'positive' | 'negated'): boolean {
  if (key === 'aws:SourceIp') return base === (polarity === 'positive' ? 'ipaddress' : 'notipaddress');
  return (polarity === 'positive' ? POSITIVE_STRING_OPERATORS : NEGATED_STRING_OPERATORS).has(base);
}

function fixedValues(key: string, values: readonly string[]): Restriction {
  if (values.length === 0) return { restricts: false, note: `${key} has no value` };
  for (const value of values) {
    const problem = whyNotFixed(key, value);
    if (problem !== undefined) return { restricts: false, note: problem };
  }
  return { restricts: true, key };
}

function whyNotFixed(key: string, value: string): string | undefined {
  if (hasPolicyVariable(value)) return `${key} "${value}" uses a policy variable`;
  if (key === 'aws:SourceIp') return whyCidrIsPublic(value);
  if (key === 's3:DataAccessPointArn') {
    return isFixedAccessPointArn(value) ? undefined : `${key} "${value}" is not a fixed value`;
  }
  return hasWildcard(value) ? `${key} "${value}" is not a fixed value` : undefined;
}

/** `arn:aws:s3:us-west-2:123456789012:accesspoint/*` is fixed: only the access point name may be a wildcard. */
function isFixedAccessPointArn(value: string): boolean {
  const match = /^arn:([^:]+):s3:([^:]+):([^:]+):accesspoint\/(.+)$/.exec(value);
  if (!match) return !hasWildcard(value);
  const [, partition = '', region = '', account = ''] = match;
  return !hasWildcard(partition) && !hasWildcard(region) && /^\d{12}$/.test(account);
}

/**
 * `aws:SourceIp` ranges broader than /8 (IPv4) or /32 (IPv6) are public, per the same page; an address
 * without a prefix length is a single host.
 */
export function whyCidrIsPublic(value: string): string | undefined {
  const text = value.trim();
  const cidr = hasWildcard(text) ? undefined : parseAddressOrCidr(text);
  if (cidr === undefined) return `aws:SourceIp "${value}" is not a CIDR block`;
  const broadest = PUBLIC_BELOW_PREFIX[cidr.family];
  return cidr.prefix < broadest ? `aws:SourceIp ${text} is broader than /${broadest}` : undefined;
}
