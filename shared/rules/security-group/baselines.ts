/**
 * Baselines: the declared ingress and egress rules of security groups, attached by group id or by tag. They
 * live in the suite configuration under `baselines` (rule parameters are limited to 1 KB):
 *
 *   baselines:
 *     web:
 *       mode: enforce                  # enforce (sg-drift-revert reverts) | report (plan only; the default)
 *       match:
 *         groupIds: [sg-0123456789abcdef0]
 *         tag: { key: team, value: web }
 *       ingress:
 *         - { protocol: tcp, fromPort: 443, cidr: 0.0.0.0/0, description: HTTPS }
 *       egress:
 *         - { protocol: -1, cidr: 0.0.0.0/0 }
 *
 * Every baseline also matches groups tagged `plumbline:baseline=<its name>`. A direction left out is not
 * managed; a baseline must declare at least one rule, so that an empty one can never mean "revoke everything".
 * Anyone allowed `ec2:CreateTags` can set a tag, so a group bound by a tag only ever loses rules to its
 * baseline: restoring (authorizing) missing rules is for groups listed by id in `match.groupIds`.
 */

import { parseCidr } from '../../core/cidr.ts';
import { isRecord, ParameterError, PlumblineError, type Reason } from '../../core/model.ts';
import {
  DIRECTIONS,
  type Direction,
  describeRule,
  type GroupState,
  hasPortRange,
  isIcmp,
  type Peer,
  PROTOCOL_FORMS,
  readProtocol,
  ruleKey,
  type SgRule,
  uniqueRules,
} from './permissions.ts';
import { formatRanges, MAX_PORT } from './ports.ts';
import { exposedPorts, type PortPolicy } from './world-open.ts';

export type RemediationMode = 'enforce' | 'report';
export const REMEDIATION_MODES: readonly RemediationMode[] = ['enforce', 'report'];
export const DEFAULT_BASELINE_MODE: RemediationMode = 'report';
/** The tag that names a group's baseline: `plumbline:baseline=web`. */
export const BASELINE_TAG_KEY = 'plumbline:baseline';

export interface TagMatch {
  key: string;
  value: string;
}

export interface Baseline {
  name: string;
  mode: RemediationMode;
  groupIds: readonly string[];
  /** Tags that attach the baseline, `plumbline:baseline=<name>` always among them. */
  tags: readonly TagMatch[];
  /** Undefined when the baseline does not manage that direction. */
  ingress?: readonly SgRule[] | undefined;
  egress?: readonly SgRule[] | undefined;
}

/**
 * How a group is bound to its baseline: by its id in the deployed configuration (`match.groupIds`), or by a
 * tag on the group, which anyone allowed `ec2:CreateTags` can set.
 */
export type BaselineBinding = 'group-id' | 'tag';

/** A declared baseline, or the configuration problem that stops one from applying to the group. */
export type BaselineResolution =
  | { kind: 'none' }
  | { kind: 'matched'; baseline: Baseline; via: string; binding: BaselineBinding }
  | { kind: 'conflict'; names: readonly string[] }
  | { kind: 'unknown'; name: string };

/** A missing, conflicting or empty baseline for a group: never a reason to revoke anything. */
export class BaselineError extends PlumblineError {
  constructor(
    readonly groupId: string,
    readonly baseline: string,
    message: string,
  ) {
    super(message);
    this.name = 'BaselineError';
  }
}

const BASELINE_NAME = /^[\w.:/=+@-]{1,128}$/;
const GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const PREFIX_LIST_ID = /^pl-[0-9a-f]{8,17}$/;
const ACCOUNT_ID = /^\d{12}$/;
const BASELINE_KEYS = ['mode', 'match', 'ingress', 'egress', 'description'];
const RULE_KEYS = [
  'protocol',
  'fromPort',
  'toPort',
  'cidr',
  'cidrIpv6',
  'prefixListId',
  'groupId',
  'groupOwnerId',
  'description',
];
const PEER_KEYS = ['cidr', 'cidrIpv6', 'prefixListId', 'groupId'] as const;
const MAX_DESCRIPTION = 255;

function rejectUnknownKeys(value: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ParameterError(
        `${path}.${key}`,
        value[key],
        `unknown field (expected one of: ${known.join(', ')})`,
      );
    }
  }
}

function integerField(value: unknown, path: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ParameterError(path, value, `expected a whole number from ${min} to ${max}`);
  }
  return number;
}

function stringField(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new ParameterError(path, value, 'expected a non-empty string');
  return value.trim();
}

function parseProtocol(value: unknown, path: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ParameterError(path, value, `required: ${PROTOCOL_FORMS}`);
  }
  const protocol = readProtocol(typeof value === 'string' ? value.trim() : value);
  if (protocol === undefined) throw new ParameterError(path, value, `expected ${PROTOCOL_FORMS}`);
  return protocol;
}

function parsePorts(input: Record<string, unknown>, protocol: string, path: string) {
  if (hasPortRange(protocol)) {
    const fromPort = integerField(input.fromPort, `${path}.fromPort`, 0, MAX_PORT);
    if (fromPort === undefined) {
      throw new ParameterError(
        `${path}.fromPort`,
        input.fromPort,
        `required for ${protocol} (the first port of the range)`,
      );
    }
    const toPort = integerField(input.toPort, `${path}.toPort`, 0, MAX_PORT) ?? fromPort;
    if (toPort < fromPort) {
      throw new ParameterError(`${path}.toPort`, input.toPort, `must not be below fromPort (${fromPort})`);
    }
    return { fromPort, toPort };
  }
  if (isIcmp(protocol)) {
    const fromPort = integerField(input.fromPort, `${path}.fromPort`, -1, 255) ?? -1;
    const toPort = integerField(input.toPort, `${path}.toPort`, -1, 255) ?? -1;
    if (fromPort === -1 && toPort !== -1) {
      throw new ParameterError(
        `${path}.toPort`,
        input.toPort,
        `all ${protocol} types (fromPort -1) take all codes: use -1`,
      );
    }
    return { fromPort, toPort };
  }
  for (const field of ['fromPort', 'toPort'] as const) {
    const port = input[field];
    if (port !== undefined && port !== -1 && port !== '-1') {
      throw new ParameterError(
        `${path}.${field}`,
        port,
        `protocol ${protocol} has no ports; leave ${field} out`,
      );
    }
  }
  return { fromPort: undefined, toPort: undefined };
}

function parsePeer(input: Record<string, unknown>, path: string): Peer {
  const given = PEER_KEYS.filter((key) => input[key] !== undefined);
  if (given.length !== 1) {
    throw new ParameterError(
      path,
      input,
      given.length === 0
        ? 'give the peer: one of cidr, cidrIpv6, prefixListId or groupId'
        : `one peer per rule, found ${given.join(' and ')}: write one rule for each`,
    );
  }
  const key = given[0] as (typeof PEER_KEYS)[number];
  const value = stringField(input[key], `${path}.${key}`) as string;
  if (key === 'cidr' || key === 'cidrIpv6') {
    const family = key === 'cidr' ? 4 : 6;
    const cidr = parseCidr(value);
    if (cidr === undefined || cidr.family !== family) {
      const other = family === 4 ? 'cidrIpv6' : 'cidr';
      const hint = cidr !== undefined ? `; it is an IPv${cidr.family} block, so use ${other}` : '';
      throw new ParameterError(`${path}.${key}`, value, `not an IPv${family} CIDR block${hint}`);
    }
    if (cidr.hostBitsSet) {
      throw new ParameterError(
        `${path}.${key}`,
        value,
        `has bits set beyond the prefix; write ${cidr.canonical}`,
      );
    }
    return { kind: key, value };
  }
  if (input.groupOwnerId !== undefined && key !== 'groupId') {
    throw new ParameterError(`${path}.groupOwnerId`, input.groupOwnerId, 'only applies with groupId');
  }
  if (key === 'prefixListId') {
    if (!PREFIX_LIST_ID.test(value))
      throw new ParameterError(`${path}.prefixListId`, value, 'expected a prefix list id (pl-...)');
    return { kind: 'prefixList', value };
  }
  if (!GROUP_ID.test(value))
    throw new ParameterError(`${path}.groupId`, value, 'expected a security group id (sg-...)');
  const userId = stringField(input.groupOwnerId, `${path}.groupOwnerId`);
  if (userId !== undefined && !ACCOUNT_ID.test(userId)) {
    throw new ParameterError(`${path}.groupOwnerId`, input.groupOwnerId, 'expected a 12-digit account id');
  }
  return { kind: 'group', value, ...(userId ? { userId } : {}) };
}

function parseRule(input: unknown, direction: Direction, path: string): SgRule {
  if (!isRecord(input))
    throw new ParameterError(
      path,
      input,
      'expected a rule: { protocol, fromPort, toPort, cidr | cidrIpv6 | prefixListId | groupId }',
    );
  rejectUnknownKeys(input, RULE_KEYS, path);
  const protocol = parseProtocol(input.protocol, `${path}.protocol`);
  const ports = parsePorts(input, protocol, path);
  const peer = parsePeer(input, path);
  const description = stringField(input.description, `${path}.description`);
  if (description !== undefined && description.length > MAX_DESCRIPTION) {
    throw new ParameterError(`${path}.description`, description, `at most ${MAX_DESCRIPTION} characters`);
  }
  return { direction, protocol, ...ports, peer, ...(description ? { description } : {}) };
}

function parseRules(input: unknown, direction: Direction, path: string): SgRule[] | undefined {
  if (input === undefined) return undefined;
  if (!Array.isArray(input)) throw new ParameterError(path, input, 'expected a list of rules');
  return uniqueRules(input.map((rule, index) => parseRule(rule, direction, `${path}[${index}]`)));
}

function parseTagMatch(input: unknown, path: string): TagMatch {
  if (typeof input === 'string') {
    const value = stringField(input, path) as string;
    return { key: BASELINE_TAG_KEY, value };
  }
  if (!isRecord(input))
    throw new ParameterError(
      path,
      input,
      `expected { key, value } or a value for the ${BASELINE_TAG_KEY} tag`,
    );
  rejectUnknownKeys(input, ['key', 'value'], path);
  const key = stringField(input.key, `${path}.key`) ?? BASELINE_TAG_KEY;
  const value = stringField(input.value, `${path}.value`);
  if (value === undefined)
    throw new ParameterError(
      `${path}.value`,
      input.value,
      'required: the tag value that attaches the baseline',
    );
  return { key, value };
}

function parseMatch(input: unknown, name: string, path: string): { groupIds: string[]; tags: TagMatch[] } {
  const implicit: TagMatch = { key: BASELINE_TAG_KEY, value: name };
  if (input === undefined) return { groupIds: [], tags: [implicit] };
  if (!isRecord(input))
    throw new ParameterError(path, input, 'expected { groupIds: [...], tag: { key, value } }');
  rejectUnknownKeys(input, ['groupIds', 'tag'], path);
  if (input.groupIds === undefined && input.tag === undefined) {
    throw new ParameterError(
      path,
      input,
      'give groupIds, tag or both (or leave match out to match the plumbline:baseline tag)',
    );
  }
  const groupIds = input.groupIds ?? [];
  if (!Array.isArray(groupIds))
    throw new ParameterError(`${path}.groupIds`, groupIds, 'expected a list of security group ids');
  for (const [index, id] of groupIds.entries()) {
    if (typeof id !== 'string' || !GROUP_ID.test(id)) {
      throw new ParameterError(`${path}.groupIds[${index}]`, id, 'expected a security group id (sg-...)');
    }
  }
  const tag = input.tag === undefined ? undefined : parseTagMatch(input.tag, `${path}.tag`);
  const tags =
    tag === undefined || (tag.key === implicit.key && tag.value === implicit.value)
      ? [implicit]
      : [implicit, tag];
  return { groupIds: [...new Set(groupIds as string[])], tags };
}

function parseMode(input: unknown, path: string): RemediationMode {
  if (input === undefined) return DEFAULT_BASELINE_MODE;
  if (typeof input !== 'string' || !REMEDIATION_MODES.includes(input as RemediationMode)) {
    throw new ParameterError(path, input, 'expected enforce or report');
  }
  return input as RemediationMode;
}

function parseBaseline(name: string, input: unknown, policy: PortPolicy): Baseline {
  const path = `baselines.${name}`;
  if (!BASELINE_NAME.test(name)) {
    throw new ParameterError(
      path,
      name,
      'a baseline name is 1-128 letters, digits or . : / = + @ _ - (it is also a tag value)',
    );
  }
  if (!isRecord(input)) throw new ParameterError(path, input, 'expected { mode, match, ingress, egress }');
  rejectUnknownKeys(input, BASELINE_KEYS, path);
  const ingress = parseRules(input.ingress, 'ingress', `${path}.ingress`);
  const egress = parseRules(input.egress, 'egress', `${path}.egress`);
  if ((ingress?.length ?? 0) + (egress?.length ?? 0) === 0) {
    throw new ParameterError(
      path,
      input,
      'declares no rules: an empty baseline would revoke every rule of its groups; list the ingress and egress rules to keep',
    );
  }
  const [exposed] = exposedPorts(ingress ?? [], {
    blocked: policy.blocked,
    maxOpenPrefix: policy.maxOpenPrefix,
  });
  if (exposed !== undefined) {
    const rules = exposed.rules.map((rule) => `ingress[${(ingress ?? []).indexOf(rule)}]`);
    throw new ParameterError(
      `${path}.${rules.join(' + ')}`,
      exposed.rules.map(describeRule).join(' + '),
      `opens blocked ports (${exposed.transport} ${formatRanges(exposed.ports)}) ${exposed.exposure === 'world' ? 'to the world' : 'to a range broader than maxOpenPrefixIpv4 / maxOpenPrefixIpv6 allow'}; remove the rule or the ports from blockedPorts`,
    );
  }
  return {
    name,
    mode: parseMode(input.mode, `${path}.mode`),
    ...parseMatch(input.match, name, `${path}.match`),
    ...(ingress !== undefined ? { ingress } : {}),
    ...(egress !== undefined ? { egress } : {}),
  };
}

/**
 * Validates `suite.baselines`. Every problem is a {@link ParameterError} naming the baseline and the field
 * (`baselines.web.ingress[2].cidr`) and the value. `policy` holds the blocked ports: a baseline may not open them
 * to the world (alone or by the union of its ranges) or, with `maxOpenPrefix`, too broadly, since the
 * blocked-ports policy would revoke what the baseline restores.
 */
export function parseBaselines(input: unknown, policy: PortPolicy): Baseline[] {
  if (input === undefined || input === null) return [];
  if (!isRecord(input))
    throw new ParameterError('baselines', input, 'expected a map of baseline name → baseline');
  const baselines = Object.entries(input).map(([name, value]) => parseBaseline(name, value, policy));
  rejectOverlaps(baselines);
  return baselines;
}

function rejectOverlaps(baselines: readonly Baseline[]): void {
  const groupOwners = new Map<string, string>();
  const tagOwners = new Map<string, string>();
  for (const baseline of baselines) {
    for (const id of baseline.groupIds) {
      const owner = groupOwners.get(id);
      if (owner !== undefined) {
        throw new ParameterError(
          `baselines.${baseline.name}.match.groupIds`,
          id,
          `also listed by baseline ${owner}; a group follows one baseline`,
        );
      }
      groupOwners.set(id, baseline.name);
    }
    for (const tag of baseline.tags) {
      const key = `${tag.key}=${tag.value}`;
      const owner = tagOwners.get(key);
      if (owner !== undefined) {
        throw new ParameterError(
          `baselines.${baseline.name}.match.tag`,
          key,
          `also attaches baseline ${owner}; a group follows one baseline`,
        );
      }
      tagOwners.set(key, baseline.name);
    }
  }
}

function matchedVia(
  baseline: Baseline,
  group: Pick<GroupState, 'groupId' | 'tags'>,
): { via: string; binding: BaselineBinding } | undefined {
  if (baseline.groupIds.includes(group.groupId))
    return { via: `group id ${group.groupId}`, binding: 'group-id' };
  const tag = baseline.tags.find((candidate) => group.tags[candidate.key] === candidate.value);
  return tag === undefined ? undefined : { via: `tag ${tag.key}=${tag.value}`, binding: 'tag' };
}

/** The baseline that applies to a group, if any; two at once, or a tag naming none, is a problem to report. */
export function resolveBaseline(
  group: Pick<GroupState, 'groupId' | 'tags'>,
  baselines: readonly Baseline[],
): BaselineResolution {
  const matches = baselines.flatMap((baseline) => {
    const match = matchedVia(baseline, group);
    return match === undefined ? [] : [{ baseline, ...match }];
  });
  const [first, ...others] = matches;
  if (first !== undefined && others.length === 0) return { kind: 'matched', ...first };
  if (others.length > 0) return { kind: 'conflict', names: matches.map((match) => match.baseline.name) };
  const named = group.tags[BASELINE_TAG_KEY];
  return named !== undefined && named !== '' ? { kind: 'unknown', name: named } : { kind: 'none' };
}

/** Why a resolution does not give a baseline to apply, as an error naming the group and the baseline(s). */
export function resolutionError(groupId: string, resolution: BaselineResolution): BaselineError | undefined {
  if (resolution.kind === 'conflict') {
    const names = resolution.names.join(' and ');
    return new BaselineError(
      groupId,
      names,
      `security group ${groupId} matches baselines ${names}; a group must match one baseline`,
    );
  }
  if (resolution.kind === 'unknown') {
    return new BaselineError(
      groupId,
      resolution.name,
      `security group ${groupId} is tagged ${BASELINE_TAG_KEY}=${resolution.name}, but no baseline ${resolution.name} is declared`,
    );
  }
  if (resolution.kind === 'matched') {
    const { baseline } = resolution;
    if ((baseline.ingress?.length ?? 0) + (baseline.egress?.length ?? 0) === 0) {
      return new BaselineError(
        groupId,
        baseline.name,
        `baseline ${baseline.name} for security group ${groupId} declares no rules; refusing to revoke every rule`,
      );
    }
  }
  return undefined;
}

export interface Drift {
  extra: SgRule[];
  missing: SgRule[];
}

/** Rule-by-rule comparison of the managed directions: rules the group has beyond the baseline, and lacks. */
export function diffAgainstBaseline(
  group: Pick<GroupState, 'ingress' | 'egress'>,
  baseline: Baseline,
): Drift {
  const drift: Drift = { extra: [], missing: [] };
  for (const direction of DIRECTIONS) {
    const declared = baseline[direction];
    if (declared === undefined) continue;
    const declaredKeys = new Set(declared.map(ruleKey));
    const actualKeys = new Set(group[direction].map(ruleKey));
    drift.extra.push(...group[direction].filter((rule) => !declaredKeys.has(ruleKey(rule))));
    drift.missing.push(...declared.filter((rule) => !actualKeys.has(ruleKey(rule))));
  }
  return drift;
}

export function driftReasons(drift: Drift, baseline: string): Reason[] {
  return [
    ...drift.extra.map((rule) => ({
      code: 'baseline-extra',
      message: `extra: ${describeRule(rule)}`,
      details: { baseline, direction: rule.direction },
    })),
    ...drift.missing.map((rule) => ({
      code: 'baseline-missing',
      message: `missing: ${describeRule(rule)}`,
      details: { baseline, direction: rule.direction },
    })),
  ];
}
