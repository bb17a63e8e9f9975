/**
 * Security-group rules, one at a time: a direction, a protocol, a port range and exactly one peer (an IPv4 or
 * IPv6 CIDR, a prefix list or a security group). Every source shape is expanded into these, so that grouping,
 * order and descriptions never make two identical rule sets look different:
 *
 * - AWS Config configuration items (`ipPermissions` / `ipPermissionsEgress`, camelCase; IPv4 ranges both as
 *   `ipRanges` strings and as `ipv4Ranges` objects; ports absent or null for protocol `-1`).
 * - EC2 `DescribeSecurityGroups` output (`IpPermissions` / `IpPermissionsEgress`, PascalCase).
 * - CloudTrail request parameters (`ipPermissions.items[]`, with `ipRanges.items[]`, `groups.items[]`...).
 * - `ModifySecurityGroupRules` rule updates (`SecurityGroupRule` with `CidrIpv4`, `ReferencedGroupId`...).
 *
 * Shapes: AWS Config resource schema for `AWS::EC2::SecurityGroup`; Amazon EC2 API Reference, "IpPermission",
 * "SecurityGroupRuleRequest"; see test/fixtures/security-group/README.md.
 */
import * as z from 'zod';
import { type Cidr, parseCidr } from '../../core/cidr.ts';
import { describeZodError, InputError, isNullishText, isPlainObject } from '../../core/model.ts';
import { MAX_PORT, MIN_PORT } from './ports.ts';

export type Direction = 'ingress' | 'egress';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

export type Peer =
  | { kind: 'cidr'; value: string }
  | { kind: 'cidrIpv6'; value: string }
  | { kind: 'prefixList'; value: string }
  | { kind: 'group'; value: string; userId?: string | undefined };

/** One rule: what `DescribeSecurityGroupRules` calls a security group rule. */
export interface SgRule {
  direction: Direction;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all traffic) or another protocol number. */
  protocol: string;
  /** TCP/UDP: the port range; ICMP: type and code (-1 for all); undefined for `-1` and other protocols. */
  fromPort?: number | undefined;
  toPort?: number | undefined;
  peer: Peer;
  description?: string | undefined;
}

export interface GroupState {
  groupId: string;
  groupName?: string | undefined;
  vpcId?: string | undefined;
  ownerId?: string | undefined;
  tags: Record<string, string>;
  ingress: SgRule[];
  egress: SgRule[];
  /** Rules the group holds but that cannot be read: the group cannot be judged on them (fail closed). */
  unreadable?: readonly UnreadableRule[] | undefined;
}

/** A rule as the source wrote it that names no valid protocol, port range or CIDR block. */
export interface UnreadableRule {
  direction: Direction;
  /** The field at fault, from the group's configuration: `ipPermissions[0].ipProtocol`. */
  field: string;
  value: unknown;
  /** What is wrong, to follow the field and the value: `is not a tcp port (0-65535)`. */
  problem: string;
}

/** `ingress rule ipPermissions[0].ipProtocol "6.0" is not tcp, udp, …`: the field, its value, the problem. */
export function describeUnreadable(unreadable: UnreadableRule): string {
  const value = unreadable.value === undefined ? 'missing' : JSON.stringify(unreadable.value);
  return `${unreadable.direction} rule ${unreadable.field} ${value} ${unreadable.problem}`;
}

const PROTOCOL_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'icmpv6' };
const PROTOCOL_NAMES: ReadonlySet<string> = new Set(['tcp', 'udp', 'icmp', 'icmpv6', '-1']);
const PROTOCOL_NUMBER = /^(0|[1-9][0-9]{0,2})$/;
export const PROTOCOL_FORMS = 'tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255';

/**
 * A protocol as EC2 writes it (Amazon EC2 API Reference, "IpPermission": `tcp`, `udp`, `icmp`, `icmpv6`, `-1`
 * or a number 0-255), in any case, or as a JSON number; `all` is `-1`, and `6`, `17`, `1`, `58` are named.
 * Undefined for anything else (`6.0`, `+6`, `-01`, `06`, `tcp\u0000`): such a rule cannot be judged.
 */
export function readProtocol(raw: unknown): string | undefined {
  let text: string;
  if (typeof raw === 'number') {
    if (raw === -1) return '-1';
    if (!Number.isInteger(raw) || raw < 0 || raw > 255) return undefined;
    text = String(raw);
  } else if (typeof raw === 'string') {
    text = raw.toLowerCase();
  } else {
    return undefined;
  }
  if (text === 'all') return '-1';
  if (PROTOCOL_NAMES.has(text)) return text;
  if (!PROTOCOL_NUMBER.test(text) || Number(text) > 255) return undefined;
  return PROTOCOL_NUMBERS[text] ?? text;
}

export function hasPortRange(protocol: string): boolean {
  return protocol === 'tcp' || protocol === 'udp';
}

export function isIcmp(protocol: string): boolean {
  return protocol === 'icmp' || protocol === 'icmpv6';
}

/** The names a source gives the protocol and port fields (camelCase in Config items, PascalCase in EC2's API). */
interface TrafficFields {
  protocol: string;
  fromPort: string;
  toPort: string;
}
const CAMEL_CASE: TrafficFields = { protocol: 'ipProtocol', fromPort: 'fromPort', toPort: 'toPort' };
const PASCAL_CASE: TrafficFields = { protocol: 'IpProtocol', fromPort: 'FromPort', toPort: 'ToPort' };

type Traffic = Pick<SgRule, 'protocol' | 'fromPort' | 'toPort'>;
type Unread = Pick<UnreadableRule, 'field' | 'value' | 'problem'>;

function readBound(value: unknown, field: string, min: number, max: number, fallback: number, what: string) {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return { field, value, problem: `is not ${what} (${min} to ${max})` } satisfies Unread;
}

/**
 * Protocol and ports as EC2 applies them: TCP/UDP ranges (all ports when absent, never backwards), ICMP type
 * and code (-1 for all), none for other protocols (and `-1`, which is every port). What is not one of these
 * is returned as the field at fault.
 */
function readTraffic(parts: PermissionParts, fields: TrafficFields): Traffic | Unread {
  const protocol = readProtocol(parts.protocol);
  if (protocol === undefined) {
    return { field: fields.protocol, value: parts.protocol, problem: `is not ${PROTOCOL_FORMS}` };
  }
  const ranged = hasPortRange(protocol);
  if (!ranged && !isIcmp(protocol)) return { protocol };
  const [min, max, what] = ranged
    ? [MIN_PORT, MAX_PORT, `a ${protocol} port`]
    : [-1, 255, `an ${protocol} type or code`];
  const fromPort = readBound(parts.fromPort, fields.fromPort, min, max, ranged ? MIN_PORT : -1, what);
  if (typeof fromPort !== 'number') return fromPort;
  const toPort = readBound(parts.toPort, fields.toPort, min, max, ranged ? MAX_PORT : -1, what);
  if (typeof toPort !== 'number') return toPort;
  if (ranged && fromPort > toPort) {
    return { field: fields.fromPort, value: parts.fromPort, problem: `is above ${fields.toPort} ${toPort}` };
  }
  return { protocol, fromPort, toPort };
}

export function peerCidr(peer: Peer): Cidr | undefined {
  return peer.kind === 'cidr' || peer.kind === 'cidrIpv6' ? parseCidr(peer.value) : undefined;
}

function peerKey(peer: Peer): string {
  const cidr = peerCidr(peer);
  return `${peer.kind}:${cidr?.canonical ?? peer.value.trim()}`;
}

/** Identifies a rule for comparison: description and the spelling of CIDRs do not count. */
export function ruleKey(rule: SgRule): string {
  return [rule.direction, rule.protocol, rule.fromPort ?? '*', rule.toPort ?? '*', peerKey(rule.peer)].join(
    ' ',
  );
}

/** `tcp 22`, `tcp 1024-2048`, `all traffic`, `icmp type 8`, `protocol 50`. */
export function describeTraffic(rule: Pick<SgRule, 'protocol' | 'fromPort' | 'toPort'>): string {
  const { protocol, fromPort, toPort } = rule;
  if (protocol === '-1') return 'all traffic';
  if (hasPortRange(protocol)) {
    return fromPort === toPort ? `${protocol} ${fromPort}` : `${protocol} ${fromPort}-${toPort}`;
  }
  if (isIcmp(protocol)) {
    if (fromPort === undefined || fromPort === -1) return `${protocol} all`;
    return toPort === undefined || toPort === -1
      ? `${protocol} type ${fromPort}`
      : `${protocol} type ${fromPort} code ${toPort}`;
  }
  return `protocol ${protocol}`;
}

export function describePeer(peer: Peer): string {
  return peer.value.trim();
}

/** `tcp 8080 from 10.0.0.0/8` (ingress) or `tcp 443 to pl-123` (egress). */
export function describeRule(rule: SgRule): string {
  return `${describeTraffic(rule)} ${rule.direction === 'ingress' ? 'from' : 'to'} ${describePeer(rule.peer)}`;
}

/** The rules without repeats (same key), first occurrence kept. */
export function uniqueRules(rules: readonly SgRule[]): SgRule[] {
  const seen = new Map<string, SgRule>();
  for (const rule of rules) {
    const key = ruleKey(rule);
    if (!seen.has(key)) seen.set(key, rule);
  }
  return [...seen.values()];
}

interface PeerEntry {
  peer: Peer;
  description?: string | null | undefined;
  /** Where the source holds the peer, for messages: `ipv4Ranges[0].cidrIp`. */
  field?: string | undefined;
}

interface PermissionParts {
  protocol: unknown;
  fromPort?: unknown;
  toPort?: unknown;
  peers: PeerEntry[];
}

interface Expanded {
  rules: SgRule[];
  unreadable: UnreadableRule[];
}

/** One permission's rules, one per peer; a permission whose traffic cannot be read yields none of them. */
function expand(direction: Direction, parts: PermissionParts, where = '', fields = CAMEL_CASE): Expanded {
  const at = (field: string) => (where ? `${where}.${field}` : field);
  const traffic = readTraffic(parts, fields);
  if ('problem' in traffic)
    return { rules: [], unreadable: [{ direction, ...traffic, field: at(traffic.field) }] };
  const expanded: Expanded = { rules: [], unreadable: [] };
  for (const { peer, description, field } of parts.peers) {
    if ((peer.kind === 'cidr' || peer.kind === 'cidrIpv6') && parseCidr(peer.value) === undefined) {
      const name = field ?? (peer.kind === 'cidr' ? 'cidrIp' : 'cidrIpv6');
      expanded.unreadable.push({
        direction,
        field: at(name),
        value: peer.value,
        problem: 'is not a CIDR block',
      });
      continue;
    }
    expanded.rules.push({ direction, ...traffic, peer, ...(description ? { description } : {}) });
  }
  return expanded;
}

/** Every permission of a list (`ipPermissions`), its rules without repeats and what could not be read. */
function expandList(
  direction: Direction,
  permissions: readonly PermissionParts[],
  list: string,
  fields: TrafficFields,
): Expanded {
  const expanded = permissions.map((parts, index) => expand(direction, parts, `${list}[${index}]`, fields));
  return {
    rules: uniqueRules(expanded.flatMap((each) => each.rules)),
    unreadable: expanded.flatMap((each) => each.unreadable),
  };
}

/** A group's state from its two permission lists. */
function groupRules(
  ingress: readonly PermissionParts[],
  egress: readonly PermissionParts[],
  lists: [string, string],
  fields: TrafficFields,
): Pick<GroupState, 'ingress' | 'egress' | 'unreadable'> {
  const inbound = expandList('ingress', ingress, lists[0], fields);
  const outbound = expandList('egress', egress, lists[1], fields);
  return {
    ingress: inbound.rules,
    egress: outbound.rules,
    unreadable: [...inbound.unreadable, ...outbound.unreadable],
  };
}

/** Rules of a call or response, which EC2 accepted: one it wrote that cannot be read is an error, not dropped. */
function readableRules(expanded: Expanded, where: string): SgRule[] {
  const [first] = expanded.unreadable;
  if (first !== undefined) throw new InputError(`Invalid ${where}: ${describeUnreadable(first)}`);
  return uniqueRules(expanded.rules);
}

// ---- AWS Config configuration items (camelCase) ----

const nullableText = z.string().nullish();
/** Read by {@link readTraffic}, so that a rule it cannot read is named rather than the whole group refused. */
const protocolInput = z.unknown().optional();
const portInput = z.unknown().optional();
/** A CIDR that does not parse makes its rule unreadable (see {@link expand}), never a closed one. */
const cidrText = z.string();

interface ConfigRange {
  cidrIp: string;
  description?: string | null | undefined;
}

/** A Config permission as {@link configPermission} (or {@link isConfigPermission}) accepted it. */
interface ConfigPermission {
  ipProtocol?: unknown;
  fromPort?: unknown;
  toPort?: unknown;
  ipRanges?: readonly (string | ConfigRange)[] | null | undefined;
  ipv4Ranges?: readonly ConfigRange[] | null | undefined;
  ipv6Ranges?: readonly { cidrIpv6: string; description?: string | null | undefined }[] | null | undefined;
  prefixListIds?:
    | readonly { prefixListId: string; description?: string | null | undefined }[]
    | null
    | undefined;
  userIdGroupPairs?:
    | readonly {
        groupId?: string | null | undefined;
        groupName?: string | null | undefined;
        userId?: string | null | undefined;
        description?: string | null | undefined;
      }[]
    | null
    | undefined;
}

/** One Config permission's traffic and peers; the zod schema and the fast path both end here. */
function configPermissionParts(permission: ConfigPermission): PermissionParts {
  return {
    protocol: permission.ipProtocol,
    fromPort: permission.fromPort,
    toPort: permission.toPort,
    peers: [
      ...(permission.ipv4Ranges ?? []).map((range, index) => ({
        peer: { kind: 'cidr' as const, value: range.cidrIp },
        description: range.description,
        field: `ipv4Ranges[${index}].cidrIp`,
      })),
      ...(permission.ipRanges ?? []).map((range, index) =>
        typeof range === 'string'
          ? { peer: { kind: 'cidr' as const, value: range }, field: `ipRanges[${index}]` }
          : {
              peer: { kind: 'cidr' as const, value: range.cidrIp },
              description: range.description,
              field: `ipRanges[${index}].cidrIp`,
            },
      ),
      ...(permission.ipv6Ranges ?? []).map((range, index) => ({
        peer: { kind: 'cidrIpv6' as const, value: range.cidrIpv6 },
        description: range.description,
        field: `ipv6Ranges[${index}].cidrIpv6`,
      })),
      ...(permission.prefixListIds ?? []).map((entry) => ({
        peer: { kind: 'prefixList' as const, value: entry.prefixListId },
        description: entry.description,
      })),
      ...groupPeers(permission.userIdGroupPairs ?? []),
    ],
  };
}

const configPermission = z
  .looseObject({
    ipProtocol: protocolInput,
    fromPort: portInput,
    toPort: portInput,
    ipRanges: z
      .array(z.union([cidrText, z.looseObject({ cidrIp: cidrText, description: nullableText })]))
      .nullish(),
    ipv4Ranges: z.array(z.looseObject({ cidrIp: cidrText, description: nullableText })).nullish(),
    ipv6Ranges: z.array(z.looseObject({ cidrIpv6: cidrText, description: nullableText })).nullish(),
    prefixListIds: z.array(z.looseObject({ prefixListId: z.string(), description: nullableText })).nullish(),
    userIdGroupPairs: z
      .array(
        z.looseObject({
          groupId: nullableText,
          groupName: nullableText,
          userId: nullableText,
          description: nullableText,
        }),
      )
      .nullish(),
  })
  .transform(configPermissionParts);

function groupPeers(
  pairs: readonly {
    groupId?: string | null | undefined;
    groupName?: string | null | undefined;
    userId?: string | null | undefined;
    description?: string | null | undefined;
  }[],
): PeerEntry[] {
  return pairs.flatMap((pair) => {
    const value = pair.groupId ?? pair.groupName;
    if (!value) return [];
    return [
      {
        peer: { kind: 'group' as const, value, userId: pair.userId ?? undefined },
        description: pair.description,
      },
    ];
  });
}

const configTags = z
  .union([
    z.record(z.string(), z.string().nullable()),
    z.array(z.looseObject({ key: z.string(), value: z.string().nullish() })),
  ])
  .nullish();

const configGroup = z.looseObject({
  groupId: z.string().min(1),
  groupName: nullableText,
  vpcId: nullableText,
  ownerId: nullableText,
  ipPermissions: z.array(configPermission).nullish(),
  ipPermissionsEgress: z.array(configPermission).nullish(),
  tags: configTags,
});

interface ConfigGroup {
  groupId: string;
  groupName?: string | null | undefined;
  vpcId?: string | null | undefined;
  ownerId?: string | null | undefined;
  ipPermissions?: readonly PermissionParts[] | null | undefined;
  ipPermissionsEgress?: readonly PermissionParts[] | null | undefined;
}

// ---- The per-group fast path: the checks of configGroup, by hand ----
// It may refuse what zod accepts (zod then decides), never the reverse; both end in configPermissionParts.
// test/security-group/config-fast-path.test.ts holds the two to the same answers and the same groups.

/** Absent, null, or an array whose every element passes (holes fail, as zod reads them as undefined). */
function isNullishListOf(value: unknown, each: (element: unknown) => boolean): boolean {
  if (value == null) return true;
  if (!Array.isArray(value)) return false;
  for (let index = 0; index < value.length; index++) if (!each(value[index])) return false;
  return true;
}

function isRangeWith(field: string): (range: unknown) => boolean {
  return (range) =>
    isPlainObject(range) && typeof range[field] === 'string' && isNullishText(range.description);
}

const isIpv4Range = isRangeWith('cidrIp');
const isIpv6Range = isRangeWith('cidrIpv6');
const isPrefixList = isRangeWith('prefixListId');
const isIpRange = (range: unknown): boolean => typeof range === 'string' || isIpv4Range(range);

function isGroupPair(pair: unknown): boolean {
  return (
    isPlainObject(pair) &&
    isNullishText(pair.groupId) &&
    isNullishText(pair.groupName) &&
    isNullishText(pair.userId) &&
    isNullishText(pair.description)
  );
}

function isConfigPermission(permission: unknown): permission is ConfigPermission {
  return (
    isPlainObject(permission) &&
    isNullishListOf(permission.ipRanges, isIpRange) &&
    isNullishListOf(permission.ipv4Ranges, isIpv4Range) &&
    isNullishListOf(permission.ipv6Ranges, isIpv6Range) &&
    isNullishListOf(permission.prefixListIds, isPrefixList) &&
    isNullishListOf(permission.userIdGroupPairs, isGroupPair)
  );
}

const isTagEntry = (entry: unknown): boolean =>
  isPlainObject(entry) && typeof entry.key === 'string' && isNullishText(entry.value);

function isConfigTags(tags: unknown): boolean {
  if (tags == null) return true;
  if (Array.isArray(tags)) return isNullishListOf(tags, isTagEntry);
  if (!isPlainObject(tags)) return false;
  for (const key of Object.keys(tags)) {
    const value = tags[key];
    if (value !== null && typeof value !== 'string') return false;
  }
  return true;
}

/** {@link configGroup}'s answer for a group the guards accept; undefined leaves the group to zod. */
function configGroupFast(configuration: unknown): ConfigGroup | undefined {
  if (!isPlainObject(configuration)) return undefined;
  const { groupId, ipPermissions, ipPermissionsEgress } = configuration;
  const accepted =
    typeof groupId === 'string' &&
    groupId.length > 0 &&
    isNullishText(configuration.groupName) &&
    isNullishText(configuration.vpcId) &&
    isNullishText(configuration.ownerId) &&
    isNullishListOf(ipPermissions, isConfigPermission) &&
    isNullishListOf(ipPermissionsEgress, isConfigPermission) &&
    isConfigTags(configuration.tags);
  if (!accepted) return undefined;
  const parts = (list: unknown) =>
    list == null ? (list as null | undefined) : (list as ConfigPermission[]).map(configPermissionParts);
  return {
    groupId,
    groupName: configuration.groupName as string | null | undefined,
    vpcId: configuration.vpcId as string | null | undefined,
    ownerId: configuration.ownerId as string | null | undefined,
    ipPermissions: parts(ipPermissions),
    ipPermissionsEgress: parts(ipPermissionsEgress),
  };
}

/** Whether the fast path reads this configuration itself (for its property test). */
export function isFastPathGroup(configuration: unknown): boolean {
  return configGroupFast(configuration) !== undefined;
}

/** {@link configGroup}'s parse, or an {@link InputError} naming the field zod found wrong. */
function configGroupThroughSchema(configuration: unknown, where: string): ConfigGroup {
  const parsed = configGroup.safeParse(configuration);
  if (!parsed.success) {
    throw new InputError(`Invalid security group configuration: ${describeZodError(parsed.error, where)}`);
  }
  return parsed.data;
}

/**
 * A security group's state from its configuration item's `configuration` and tags. Throws an
 * {@link InputError} naming the field when the configuration is not a security group's.
 */
export function groupStateFromConfiguration(
  configuration: unknown,
  tags: Record<string, string>,
  where = 'configuration',
): GroupState {
  return groupStateFrom(
    configGroupFast(configuration) ?? configGroupThroughSchema(configuration, where),
    tags,
  );
}

/** {@link groupStateFromConfiguration} through the zod schema alone (the reference the fast path is held to). */
export function groupStateThroughSchema(
  configuration: unknown,
  tags: Record<string, string>,
  where = 'configuration',
): GroupState {
  return groupStateFrom(configGroupThroughSchema(configuration, where), tags);
}

function groupStateFrom(group: ConfigGroup, tags: Record<string, string>): GroupState {
  return {
    groupId: group.groupId,
    groupName: group.groupName ?? undefined,
    vpcId: group.vpcId ?? undefined,
    ownerId: group.ownerId ?? undefined,
    tags,
    ...groupRules(
      group.ipPermissions ?? [],
      group.ipPermissionsEgress ?? [],
      ['ipPermissions', 'ipPermissionsEgress'],
      CAMEL_CASE,
    ),
  };
}

// ---- EC2 API output (PascalCase) ----

const apiPermission = z
  .looseObject({
    IpProtocol: protocolInput,
    FromPort: portInput,
    ToPort: portInput,
    IpRanges: z.array(z.looseObject({ CidrIp: z.string(), Description: nullableText })).nullish(),
    Ipv6Ranges: z.array(z.looseObject({ CidrIpv6: z.string(), Description: nullableText })).nullish(),
    PrefixListIds: z.array(z.looseObject({ PrefixListId: z.string(), Description: nullableText })).nullish(),
    UserIdGroupPairs: z
      .array(
        z.looseObject({
          GroupId: nullableText,
          GroupName: nullableText,
          UserId: nullableText,
          Description: nullableText,
        }),
      )
      .nullish(),
  })
  .transform(
    (permission): PermissionParts => ({
      protocol: permission.IpProtocol,
      fromPort: permission.FromPort,
      toPort: permission.ToPort,
      peers: [
        ...(permission.IpRanges ?? []).map((range) => ({
          peer: { kind: 'cidr' as const, value: range.CidrIp },
          description: range.Description,
        })),
        ...(permission.Ipv6Ranges ?? []).map((range) => ({
          peer: { kind: 'cidrIpv6' as const, value: range.CidrIpv6 },
          description: range.Description,
        })),
        ...(permission.PrefixListIds ?? []).map((entry) => ({
          peer: { kind: 'prefixList' as const, value: entry.PrefixListId },
          description: entry.Description,
        })),
        ...groupPeers(
          (permission.UserIdGroupPairs ?? []).map((pair) => ({
            groupId: pair.GroupId,
            groupName: pair.GroupName,
            userId: pair.UserId,
            description: pair.Description,
          })),
        ),
      ],
    }),
  );

const apiGroup = z.looseObject({
  GroupId: z.string().min(1),
  GroupName: nullableText,
  VpcId: nullableText,
  OwnerId: nullableText,
  IpPermissions: z.array(apiPermission).nullish(),
  IpPermissionsEgress: z.array(apiPermission).nullish(),
  Tags: z.array(z.looseObject({ Key: z.string(), Value: z.string().nullish() })).nullish(),
});

/** A security group's state from one `DescribeSecurityGroups` entry. */
export function groupStateFromApi(group: unknown, where = 'SecurityGroups[0]'): GroupState {
  const parsed = apiGroup.safeParse(group);
  if (!parsed.success) {
    throw new InputError(`Invalid DescribeSecurityGroups response: ${describeZodError(parsed.error, where)}`);
  }
  const data = parsed.data;
  return {
    groupId: data.GroupId,
    groupName: data.GroupName ?? undefined,
    vpcId: data.VpcId ?? undefined,
    ownerId: data.OwnerId ?? undefined,
    tags: Object.fromEntries((data.Tags ?? []).map((tag) => [tag.Key, tag.Value ?? ''])),
    ...groupRules(
      data.IpPermissions ?? [],
      data.IpPermissionsEgress ?? [],
      ['IpPermissions', 'IpPermissionsEgress'],
      PASCAL_CASE,
    ),
  };
}

// ---- CloudTrail request parameters ----

/** CloudTrail writes EC2 lists as `{ items: [...] }`, and an empty list as `{}`. */
function itemList<T extends z.ZodType>(item: T) {
  return z
    .looseObject({ items: z.array(item).nullish() })
    .nullish()
    .transform((list) => list?.items ?? []);
}

const trailPermission = z
  .looseObject({
    ipProtocol: protocolInput,
    fromPort: portInput,
    toPort: portInput,
    ipRanges: itemList(z.looseObject({ cidrIp: z.string(), description: nullableText })),
    ipv6Ranges: itemList(z.looseObject({ cidrIpv6: z.string(), description: nullableText })),
    prefixListIds: itemList(z.looseObject({ prefixListId: z.string(), description: nullableText })),
    groups: itemList(
      z.looseObject({
        groupId: nullableText,
        groupName: nullableText,
        userId: nullableText,
        description: nullableText,
      }),
    ),
  })
  .transform(
    (permission): PermissionParts => ({
      protocol: permission.ipProtocol,
      fromPort: permission.fromPort,
      toPort: permission.toPort,
      peers: [
        ...permission.ipRanges.map((range) => ({
          peer: { kind: 'cidr' as const, value: range.cidrIp },
          description: range.description,
        })),
        ...permission.ipv6Ranges.map((range) => ({
          peer: { kind: 'cidrIpv6' as const, value: range.cidrIpv6 },
          description: range.description,
        })),
        ...permission.prefixListIds.map((entry) => ({
          peer: { kind: 'prefixList' as const, value: entry.prefixListId },
          description: entry.description,
        })),
        ...groupPeers(permission.groups),
      ],
    }),
  );

/** `requestParameters.ipPermissions` of an Authorize/Revoke call: `{ items: [...] }`. */
export const trailPermissionsSchema = itemList(trailPermission);

export function rulesFromTrailPermissions(
  direction: Direction,
  permissions: readonly PermissionParts[],
): SgRule[] {
  return readableRules(
    expandList(direction, permissions, 'ipPermissions.items', CAMEL_CASE),
    'CloudTrail request parameters',
  );
}

/** One `SecurityGroupRuleRequest` of `ModifySecurityGroupRules` (the rule as it is after the call). */
export const ruleRequestSchema = z.looseObject({
  IpProtocol: protocolInput.optional(),
  FromPort: portInput,
  ToPort: portInput,
  CidrIpv4: nullableText,
  CidrIpv6: nullableText,
  PrefixListId: nullableText,
  ReferencedGroupId: nullableText,
  Description: nullableText,
});

export function ruleFromRuleRequest(
  direction: Direction,
  request: z.infer<typeof ruleRequestSchema>,
): SgRule | undefined {
  const peer: Peer | undefined = request.CidrIpv4
    ? { kind: 'cidr', value: request.CidrIpv4 }
    : request.CidrIpv6
      ? { kind: 'cidrIpv6', value: request.CidrIpv6 }
      : request.PrefixListId
        ? { kind: 'prefixList', value: request.PrefixListId }
        : request.ReferencedGroupId
          ? { kind: 'group', value: request.ReferencedGroupId }
          : undefined;
  if (peer === undefined || request.IpProtocol === undefined) return undefined;
  // A rule that cannot be read is described by its id alone (see events.ts): EC2 accepted it as it is.
  return expand(
    direction,
    {
      protocol: request.IpProtocol,
      fromPort: request.FromPort,
      toPort: request.ToPort,
      peers: [{ peer, description: request.Description }],
    },
    'SecurityGroupRule',
    PASCAL_CASE,
  ).rules[0];
}

const apiPermissions = z.array(apiPermission);

/** Rules from EC2 API `IpPermission`s (a revoke's `UnknownIpPermissions`, say). */
export function rulesFromApiPermissions(
  direction: Direction,
  permissions: unknown,
  where = 'IpPermissions',
): SgRule[] {
  const parsed = apiPermissions.safeParse(permissions ?? []);
  if (!parsed.success) throw new InputError(`Invalid EC2 response: ${describeZodError(parsed.error, where)}`);
  return readableRules(expandList(direction, parsed.data, where, PASCAL_CASE), 'EC2 response');
}
