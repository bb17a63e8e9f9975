/**
 * The CloudTrail calls `sg-drift-revert` reacts to, read at the edge: which security group each one names
 * (by id, by name in the default VPC, or only by security-group-rule ids) and what it changed.
 * Shapes (see test/fixtures/security-group/README.md): CloudTrail records EC2 requests with lists as
 * `{ items: [...] }` (`ipPermissions.items[].ipRanges.items[].cidrIp`, `groups.items[]`,
 * `securityGroupRuleIds.items[]`); `ModifySecurityGroupRules` keeps the query API's PascalCase under
 * `ModifySecurityGroupRulesRequest` (`GroupId`, `SecurityGroupRule`, one object or a list); responses list the
 * rules added or revoked in `securityGroupRuleSet` / `revokedSecurityGroupRuleSet`, each with its `groupId`.
 */
import * as z from 'zod';
import type { CloudTrailDetail } from '../../core/cloudtrail.ts';
import { describeZodError, InputError } from '../../core/model.ts';
import {
  type Direction,
  describePeer,
  describeRule,
  describeTraffic,
  ruleFromRuleRequest,
  ruleRequestSchema,
  rulesFromTrailPermissions,
  trailPermissionsSchema,
} from './permissions.ts';

export const SECURITY_GROUP_EVENT_NAMES = [
  'AuthorizeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress',
  'ModifySecurityGroupRules',
] as const;
export type SecurityGroupEventName = (typeof SECURITY_GROUP_EVENT_NAMES)[number];

export function isSecurityGroupEvent(name: string): name is SecurityGroupEventName {
  return (SECURITY_GROUP_EVENT_NAMES as readonly string[]).includes(name);
}

/** How the call named its group; at least one of these is set. */
export interface GroupTarget {
  groupId?: string | undefined;
  /** A default-VPC group named by name only. */
  groupName?: string | undefined;
  /** Security-group-rule ids, when the call named no group. */
  ruleIds: string[];
}

export interface SecurityGroupCall {
  eventName: SecurityGroupEventName;
  target: GroupTarget;
  /** What the call did, one line per rule: `authorized tcp 8080 from 10.0.0.0/8`, `revoked sgr-0abc`. */
  changes: string[];
}

const text = z.string().trim().min(1);
const ruleIdList = z
  .looseObject({
    items: z.array(z.union([text, z.looseObject({ securityGroupRuleId: text })])).nullish(),
  })
  .nullish()
  .transform((list) =>
    (list?.items ?? []).map((item) => (typeof item === 'string' ? item : item.securityGroupRuleId)),
  );

const authorizeOrRevokeRequest = z.looseObject({
  groupId: text.nullish(),
  groupName: text.nullish(),
  ipPermissions: trailPermissionsSchema,
  securityGroupRuleIds: ruleIdList,
  // The older single-rule form of AuthorizeSecurityGroupIngress (IpProtocol, FromPort, ToPort, CidrIp).
  ipProtocol: z.union([text, z.number()]).nullish(),
  fromPort: z.number().int().nullish(),
  toPort: z.number().int().nullish(),
  cidrIp: text.nullish(),
});

const responseRules = z
  .looseObject({ items: z.array(z.looseObject({ groupId: text.nullish() })).nullish() })
  .nullish()
  .transform((list) => (list?.items ?? []).flatMap((item) => (item.groupId ? [item.groupId] : [])));

const authorizeOrRevokeResponse = z
  .looseObject({ securityGroupRuleSet: responseRules, revokedSecurityGroupRuleSet: responseRules })
  .nullish();

const ruleUpdate = z.looseObject({
  SecurityGroupRuleId: text,
  SecurityGroupRule: ruleRequestSchema.nullish(),
});

const modifyRequest = z.looseObject({
  ModifySecurityGroupRulesRequest: z.looseObject({
    GroupId: text,
    SecurityGroupRule: z
      .union([ruleUpdate, z.array(ruleUpdate)])
      .nullish()
      .transform((value) => (value == null ? [] : Array.isArray(value) ? value : [value])),
  }),
});

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string, eventName: string): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new InputError(`Invalid ${eventName} event: ${describeZodError(parsed.error, where, value ?? {})}`);
  }
  return parsed.data;
}

function readAuthorizeOrRevoke(
  detail: CloudTrailDetail,
  eventName: SecurityGroupEventName,
): SecurityGroupCall {
  const request = parse(authorizeOrRevokeRequest, detail.requestParameters, 'requestParameters', eventName);
  const response = parse(authorizeOrRevokeResponse, detail.responseElements, 'responseElements', eventName);
  const direction: Direction = eventName.endsWith('Egress') ? 'egress' : 'ingress';
  const verb = eventName.startsWith('Authorize') ? 'authorized' : 'revoked';
  const rules = rulesFromTrailPermissions(direction, request.ipPermissions);
  if (rules.length === 0 && request.ipProtocol != null && request.cidrIp) {
    rules.push(
      ...rulesFromTrailPermissions(direction, [
        {
          protocol: request.ipProtocol,
          fromPort: request.fromPort,
          toPort: request.toPort,
          peers: [{ peer: { kind: 'cidr', value: request.cidrIp } }],
        },
      ]),
    );
  }
  const respondedGroup = [
    ...(response?.securityGroupRuleSet ?? []),
    ...(response?.revokedSecurityGroupRuleSet ?? []),
  ][0];
  return {
    eventName,
    target: {
      groupId: request.groupId ?? respondedGroup,
      groupName: request.groupName ?? undefined,
      ruleIds: request.securityGroupRuleIds,
    },
    changes: [
      ...rules.map((rule) => `${verb} ${describeRule(rule)}`),
      ...request.securityGroupRuleIds.map((id) => `${verb} ${direction} rule ${id}`),
    ],
  };
}

function readModify(detail: CloudTrailDetail): SecurityGroupCall {
  const eventName = 'ModifySecurityGroupRules';
  const request = parse(modifyRequest, detail.requestParameters, 'requestParameters', eventName);
  const { GroupId, SecurityGroupRule } = request.ModifySecurityGroupRulesRequest;
  return {
    eventName,
    target: { groupId: GroupId, ruleIds: SecurityGroupRule.map((update) => update.SecurityGroupRuleId) },
    changes: SecurityGroupRule.map((update) => {
      // The request does not say the direction; the rule id keeps it.
      const rule = update.SecurityGroupRule
        ? ruleFromRuleRequest('ingress', update.SecurityGroupRule)
        : undefined;
      return rule === undefined
        ? `modified rule ${update.SecurityGroupRuleId}`
        : `modified rule ${update.SecurityGroupRuleId} to ${describeTraffic(rule)} with ${describePeer(rule.peer)}`;
    }),
  };
}

/**
 * Reads one of the {@link SECURITY_GROUP_EVENT_NAMES} calls. Throws an {@link InputError} naming the field when
 * the request does not have the documented shape, or names no group at all.
 */
export function readSecurityGroupCall(detail: CloudTrailDetail): SecurityGroupCall {
  const eventName = detail.eventName;
  if (!isSecurityGroupEvent(eventName)) {
    throw new InputError(
      `Unsupported event ${eventName}: expected one of ${SECURITY_GROUP_EVENT_NAMES.join(', ')}`,
    );
  }
  const call =
    eventName === 'ModifySecurityGroupRules' ? readModify(detail) : readAuthorizeOrRevoke(detail, eventName);
  const { groupId, groupName, ruleIds } = call.target;
  if (!groupId && !groupName && ruleIds.length === 0) {
    throw new InputError(
      `Invalid ${eventName} event${detail.eventID ? ` ${detail.eventID}` : ''}: requestParameters names no security group (groupId, groupName or securityGroupRuleIds)`,
    );
  }
  return call;
}
