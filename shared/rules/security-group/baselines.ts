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

import * as z from 'zod';
import { type IpFamily, parseCidr } from '../../core/cidr.ts';
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
import { knownFields, parseParameter, parseWithin, textOrNumber } from './schema.ts';
import { exposedPorts, type PortPolicy } from './world-open.ts';

export const REMEDIATION_MODES = ['enforce', 'report'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];
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
const INTEGER_TEXT = /^-?\d+$/;
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
type PeerKey = (typeof PEER_KEYS)[number];
const MAX_DESCRIPTION = 255;
const NON_EMPTY = 'expected a non-empty string';
const SECURITY_GROUP_ID = 'expected a security group id (sg-...)';

function fieldsOf(known: readonly string[], expected: string) {
  return knownFields(known, expected, `unknown field (expected one of: ${known.join(', ')})`);
}

/** Blanks trimmed, then not empty. */
const nonEmptyText = z.string({ error: NON_EMPTY }).trim().min(1, { error: NON_EMPTY });

/** `schema`, or undefined when the field is null or absent. */
function unsetWhenNull<Output>(schema: z.ZodType<Output>) {
  return schema.nullish().transform((value) => value ?? undefined);
}

/** A whole number, also written as text (`"443"`); `whenAbsent` is the problem when there is none. */
function wholeNumber(min: number, max: number, whenAbsent?: string) {
  const problem = `expected a whole number from ${min} to ${max}`;
  return z
    .int({ error: (issue) => (issue.input === undefined ? whenAbsent : undefined) ?? problem })
    .min(min, { error: problem })
    .max(max, { error: problem });
}

function numberFromText(value: unknown): unknown {
  if (value === null) return undefined;
  return typeof value === 'string' && INTEGER_TEXT.test(value.trim()) ? Number(value) : value;
}

const optionalPort = (min: number, max: number) =>
  z.preprocess(numberFromText, wholeNumber(min, max).optional());

const requiredPort = (min: number, max: number, whenAbsent: string) =>
  z.preprocess(numberFromText, wholeNumber(min, max, whenAbsent));

interface Ports {
  fromPort: number | undefined;
  toPort: number | undefined;
}

/** tcp and udp: fromPort required, toPort defaults to it. */
function rangedPorts(protocol: string): z.ZodType<Ports> {
  return z
    .object({
      fromPort: requiredPort(0, MAX_PORT, `required for ${protocol} (the first port of the range)`),
      toPort: optionalPort(0, MAX_PORT),
    })
    .transform(({ fromPort, toPort = fromPort }, context) => {
      if (toPort < fromPort) {
        context.addIssue({
          code: 'custom',
          path: ['toPort'],
          message: `must not be below fromPort (${fromPort})`,
        });
      }
      return { fromPort, toPort };
    });
}

/** icmp and icmpv6: the type and the code, -1 (all) by default. */
function icmpPorts(protocol: string): z.ZodType<Ports> {
  return z
    .object({ fromPort: optionalPort(-1, 255), toPort: optionalPort(-1, 255) })
    .transform(({ fromPort = -1, toPort = -1 }, context) => {
      if (fromPort === -1 && toPort !== -1) {
        const message = `all ${protocol} types (fromPort -1) take all codes: use -1`;
        context.addIssue({ code: 'custom', path: ['toPort'], message });
      }
      return { fromPort, toPort };
    });
}

/** Every other protocol: no ports (-1 tolerated, as EC2 writes it). */
function noPorts(protocol: string): z.ZodType<Ports> {
  const absent = (field: string) =>
    z
      .unknown()
      .refine((port) => port === -1 || port === '-1', {
        error: `protocol ${protocol} has no ports; leave ${field} out`,
      })
      .optional();
  return z
    .object({ fromPort: absent('fromPort'), toPort: absent('toPort') })
    .transform(() => ({ fromPort: undefined, toPort: undefined }));
}

/** Built once per protocol (at most 258 of them): a zod schema costs far more to build than to run. */
const portsByProtocol = new Map<string, z.ZodType<Ports>>();

function portsOf(protocol: string): z.ZodType<Ports> {
  let schema = portsByProtocol.get(protocol);
  if (schema === undefined) {
    schema = hasPortRange(protocol)
      ? rangedPorts(protocol)
      : isIcmp(protocol)
        ? icmpPorts(protocol)
        : noPorts(protocol);
    portsByProtocol.set(protocol, schema);
  }
  return schema;
}

const protocolSchema = textOrNumber(`required: ${PROTOCOL_FORMS}`).transform((value, context) => {
  const protocol = readProtocol(typeof value === 'string' ? value.trim() : value);
  if (protocol !== undefined) return protocol;
  context.addIssue({ code: 'custom', message: `expected ${PROTOCOL_FORMS}` });
  return z.NEVER;
});

function cidrBlock(family: IpFamily) {
  return nonEmptyText.transform((value, context) => {
    const cidr = parseCidr(value);
    if (cidr === undefined || cidr.family !== family) {
      const other = family === 4 ? 'cidrIpv6' : 'cidr';
      const hint = cidr !== undefined ? `; it is an IPv${cidr.family} block, so use ${other}` : '';
      context.addIssue({ code: 'custom', message: `not an IPv${family} CIDR block${hint}` });
    } else if (cidr.hostBitsSet) {
      context.addIssue({
        code: 'custom',
        message: `has bits set beyond the prefix; write ${cidr.canonical}`,
      });
    }
    return value;
  });
}

const ruleDescription = unsetWhenNull(
  nonEmptyText.max(MAX_DESCRIPTION, { error: `at most ${MAX_DESCRIPTION} characters` }),
);
const onlyWithGroupId = z.never({ error: 'only applies with groupId' }).optional();

interface PeerFields {
  peer: Peer;
  description: string | undefined;
}

/** The peer of a rule, by the one field that gives it. */
const PEERS: Readonly<Record<PeerKey, z.ZodType<PeerFields>>> = {
  cidr: z
    .object({ cidr: cidrBlock(4), groupOwnerId: onlyWithGroupId, description: ruleDescription })
    .transform(({ cidr, description }) => ({ peer: { kind: 'cidr', value: cidr }, description })),
  cidrIpv6: z
    .object({ cidrIpv6: cidrBlock(6), groupOwnerId: onlyWithGroupId, description: ruleDescription })
    .transform(({ cidrIpv6, description }) => ({ peer: { kind: 'cidrIpv6', value: cidrIpv6 }, description })),
  // An owner given with a prefix list is named before the list id's form is checked.
  prefixListId: z
    .looseObject({ prefixListId: nonEmptyText, groupOwnerId: onlyWithGroupId })
    .pipe(
      z.object({
        prefixListId: z.string().regex(PREFIX_LIST_ID, { error: 'expected a prefix list id (pl-...)' }),
        description: ruleDescription,
      }),
    )
    .transform(({ prefixListId, description }) => ({
      peer: { kind: 'prefixList', value: prefixListId },
      description,
    })),
  groupId: z
    .object({
      groupId: nonEmptyText.regex(GROUP_ID, { error: SECURITY_GROUP_ID }),
      groupOwnerId: unsetWhenNull(
        nonEmptyText.regex(ACCOUNT_ID, { error: 'expected a 12-digit account id' }),
      ),
      description: ruleDescription,
    })
    .transform(({ groupId, groupOwnerId, description }) => ({
      peer: { kind: 'group', value: groupId, ...(groupOwnerId ? { userId: groupOwnerId } : {}) },
      description,
    })),
};

/** A rule's fields once its protocol and ports are read. */
type RuleFields = Readonly<Record<string, unknown>> & { protocol: string } & Ports;

function peerCountProblem(given: readonly PeerKey[]): string {
  return given.length === 0
    ? 'give the peer: one of cidr, cidrIpv6, prefixListId or groupId'
    : `one peer per rule, found ${given.join(' and ')}: write one rule for each`;
}

/** One rule, checked in the order a person fixes it: fields, protocol, ports, peer, description. */
function ruleSchema(direction: Direction) {
  return fieldsOf(
    RULE_KEYS,
    'expected a rule: { protocol, fromPort, toPort, cidr | cidrIpv6 | prefixListId | groupId }',
  )
    .pipe(z.looseObject({ protocol: protocolSchema }))
    .transform(
      (rule, context): RuleFields => ({ ...rule, ...parseWithin(portsOf(rule.protocol), rule, context) }),
    )
    .transform((rule, context): SgRule => {
      const given = PEER_KEYS.filter((key) => rule[key] !== undefined);
      const [key] = given;
      if (key === undefined || given.length > 1) {
        context.addIssue({ code: 'custom', message: peerCountProblem(given) });
        return z.NEVER;
      }
      const { peer, description } = parseWithin(PEERS[key], rule, context);
      const { protocol, fromPort, toPort } = rule;
      return { direction, protocol, fromPort, toPort, peer, ...(description ? { description } : {}) };
    });
}

function rulesSchema(direction: Direction) {
  return z
    .array(ruleSchema(direction), { error: 'expected a list of rules' })
    .transform(uniqueRules)
    .optional();
}

const tagObject = fieldsOf(
  ['key', 'value'],
  `expected { key, value } or a value for the ${BASELINE_TAG_KEY} tag`,
).pipe(
  z.object({
    key: unsetWhenNull(nonEmptyText).transform((key) => key ?? BASELINE_TAG_KEY),
    value: z
      .string({
        error: (issue) =>
          issue.input === undefined || issue.input === null
            ? 'required: the tag value that attaches the baseline'
            : NON_EMPTY,
      })
      .trim()
      .min(1, { error: NON_EMPTY }),
  }),
);

/** A tag value (for the plumbline:baseline key) or `{ key, value }`. */
const tagMatch = z.unknown().transform((input, context): TagMatch => {
  if (typeof input === 'string')
    return { key: BASELINE_TAG_KEY, value: parseWithin(nonEmptyText, input, context) };
  return parseWithin(tagObject, input, context);
});

const matchSchema = fieldsOf(['groupIds', 'tag'], 'expected { groupIds: [...], tag: { key, value } }')
  .check((context) => {
    if (context.value.groupIds !== undefined || context.value.tag !== undefined) return;
    const message = 'give groupIds, tag or both (or leave match out to match the plumbline:baseline tag)';
    context.issues.push({ code: 'custom', message, input: context.value });
  })
  .pipe(
    z.object({
      groupIds: z
        .array(z.string({ error: SECURITY_GROUP_ID }).regex(GROUP_ID, { error: SECURITY_GROUP_ID }), {
          error: 'expected a list of security group ids',
        })
        .nullish(),
      tag: tagMatch.optional(),
    }),
  );

/** Read first: a baseline without rules, or opening blocked ports, is refused whatever its mode and match. */
const baselineRulesSchema = fieldsOf(BASELINE_KEYS, 'expected { mode, match, ingress, egress }').pipe(
  z.object({ ingress: rulesSchema('ingress'), egress: rulesSchema('egress') }),
);

const baselineBindingSchema = z.object({
  mode: z.enum(REMEDIATION_MODES, { error: 'expected enforce or report' }).default(DEFAULT_BASELINE_MODE),
  match: matchSchema.optional(),
});

function matchOf(
  name: string,
  match: z.infer<typeof baselineBindingSchema>['match'],
): Pick<Baseline, 'groupIds' | 'tags'> {
  const implicit: TagMatch = { key: BASELINE_TAG_KEY, value: name };
  const tag = match?.tag;
  const tags =
    tag === undefined || (tag.key === implicit.key && tag.value === implicit.value)
      ? [implicit]
      : [implicit, tag];
  return { groupIds: [...new Set(match?.groupIds ?? [])], tags };
}

function rejectEmpty(path: string, input: unknown, rules: z.infer<typeof baselineRulesSchema>): void {
  if ((rules.ingress?.length ?? 0) + (rules.egress?.length ?? 0) > 0) return;
  throw new ParameterError(
    path,
    input,
    'declares no rules: an empty baseline would revoke every rule of its groups; list the ingress and egress rules to keep',
  );
}

/** The blocked-ports policy would revoke what the baseline restores: refused, alone or by a union of ranges. */
function rejectBlockedPorts(path: string, ingress: readonly SgRule[], policy: PortPolicy): void {
  const [exposed] = exposedPorts(ingress, { blocked: policy.blocked, maxOpenPrefix: policy.maxOpenPrefix });
  if (exposed === undefined) return;
  const rules = exposed.rules.map((rule) => `ingress[${ingress.indexOf(rule)}]`);
  throw new ParameterError(
    `${path}.${rules.join(' + ')}`,
    exposed.rules.map(describeRule).join(' + '),
    `opens blocked ports (${exposed.transport} ${formatRanges(exposed.ports)}) ${exposed.exposure === 'world' ? 'to the world' : 'to a range broader than maxOpenPrefixIpv4 / maxOpenPrefixIpv6 allow'}; remove the rule or the ports from blockedPorts`,
  );
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
  const rules = parseParameter(baselineRulesSchema, input, path);
  rejectEmpty(path, input, rules);
  rejectBlockedPorts(path, rules.ingress ?? [], policy);
  const { mode, match } = parseParameter(baselineBindingSchema, input, path);
  return {
    name,
    mode,
    ...matchOf(name, match),
    ...(rules.ingress !== undefined ? { ingress: rules.ingress } : {}),
    ...(rules.egress !== undefined ? { egress: rules.egress } : {}),
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
