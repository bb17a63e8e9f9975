import { describe, expect, it } from 'vitest';
import { parseCloudTrailEvent } from '../../shared/core/cloudtrail.ts';
import { InputError } from '../../shared/core/model.ts';
import { readSecurityGroupCall } from '../../shared/rules/security-group/events.ts';
import {
  type EventFixture,
  GROUP_ID,
  trailEvent,
  withDetail,
  withoutResponseRuleSets,
} from '../fixtures/security-group/index.ts';

const read = (event: Record<string, unknown>) => readSecurityGroupCall(parseCloudTrailEvent(event).detail);

describe('readSecurityGroupCall: each documented event shape', () => {
  it.each<[EventFixture, ReturnType<typeof readSecurityGroupCall>]>([
    [
      'authorize-security-group-ingress',
      {
        eventName: 'AuthorizeSecurityGroupIngress',
        target: { groupId: GROUP_ID, groupName: undefined, ruleIds: [] },
        changes: [
          'authorized tcp 8080 from 10.0.0.0/8',
          'authorized tcp 22 from 0.0.0.0/0',
          'authorized tcp 22 from ::/0',
        ],
      },
    ],
    [
      'authorize-security-group-ingress-by-name',
      {
        eventName: 'AuthorizeSecurityGroupIngress',
        target: { groupId: 'sg-0aaaabbbbccccdddd', groupName: 'launch-wizard-1', ruleIds: [] },
        changes: ['authorized tcp 3389 from 0.0.0.0/0'],
      },
    ],
    [
      'authorize-security-group-egress',
      {
        eventName: 'AuthorizeSecurityGroupEgress',
        target: { groupId: GROUP_ID, groupName: undefined, ruleIds: [] },
        changes: ['authorized tcp 25 to 198.51.100.0/24'],
      },
    ],
    [
      'revoke-security-group-ingress',
      {
        eventName: 'RevokeSecurityGroupIngress',
        target: { groupId: GROUP_ID, groupName: undefined, ruleIds: [] },
        changes: ['revoked tcp 443 from 0.0.0.0/0'],
      },
    ],
    [
      'revoke-security-group-ingress-by-rule-id',
      {
        eventName: 'RevokeSecurityGroupIngress',
        // The request names no group; the response's revokedSecurityGroupRuleSet does.
        target: { groupId: GROUP_ID, groupName: undefined, ruleIds: ['sgr-0f6f6f6f6f6f6f6f6'] },
        changes: ['revoked ingress rule sgr-0f6f6f6f6f6f6f6f6'],
      },
    ],
    [
      'revoke-security-group-egress',
      {
        eventName: 'RevokeSecurityGroupEgress',
        target: { groupId: GROUP_ID, groupName: undefined, ruleIds: [] },
        changes: ['revoked all traffic to 0.0.0.0/0'],
      },
    ],
    [
      'modify-security-group-rules',
      {
        eventName: 'ModifySecurityGroupRules',
        target: { groupId: GROUP_ID, ruleIds: ['sgr-0f6f6f6f6f6f6f6f6'] },
        changes: ['modified rule sgr-0f6f6f6f6f6f6f6f6 to tcp 22 with 0.0.0.0/0'],
      },
    ],
  ])('%s', (fixture, expected) => {
    expect(read(trailEvent(fixture))).toEqual(expected);
  });

  it('reads several rule updates of one ModifySecurityGroupRules call (a list)', () => {
    const event = withDetail(trailEvent('modify-security-group-rules'), {
      requestParameters: {
        ModifySecurityGroupRulesRequest: {
          GroupId: GROUP_ID,
          SecurityGroupRule: [
            {
              SecurityGroupRuleId: 'sgr-0a1a1a1a1a1a1a1a1',
              tag: 1,
              SecurityGroupRule: { IpProtocol: '-1', CidrIpv6: '::/0' },
            },
            {
              SecurityGroupRuleId: 'sgr-0b2b2b2b2b2b2b2b2',
              tag: 2,
              SecurityGroupRule: {
                IpProtocol: 'udp',
                FromPort: 53,
                ToPort: 53,
                ReferencedGroupId: 'sg-0fedcba9876543210',
              },
            },
          ],
        },
      },
    });
    expect(read(event).changes).toEqual([
      'modified rule sgr-0a1a1a1a1a1a1a1a1 to all traffic with ::/0',
      'modified rule sgr-0b2b2b2b2b2b2b2b2 to udp 53 with sg-0fedcba9876543210',
    ]);
  });

  it('a revoke by rule id whose response has no revokedSecurityGroupRuleSet names only the rule ids', () => {
    const event = withoutResponseRuleSets(trailEvent('revoke-security-group-ingress-by-rule-id'));
    expect(read(event).target).toEqual({
      groupId: undefined,
      groupName: undefined,
      ruleIds: ['sgr-0f6f6f6f6f6f6f6f6'],
    });
  });

  it('rejects a request that names no group, naming the fields it looked for', () => {
    const event = withDetail(trailEvent('revoke-security-group-ingress'), {
      requestParameters: { ipPermissions: {} },
      responseElements: { _return: true },
    });
    expect(() => read(event)).toThrow(
      new InputError(
        'Invalid RevokeSecurityGroupIngress event 4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b04: requestParameters names no security group (groupId, groupName or securityGroupRuleIds)',
      ),
    );
  });

  it('rejects a malformed request, naming the field', () => {
    const event = withDetail(trailEvent('modify-security-group-rules'), {
      requestParameters: { ModifySecurityGroupRulesRequest: { SecurityGroupRule: {} } },
    });
    expect(() => read(event)).toThrow(
      'Invalid ModifySecurityGroupRules event: requestParameters.ModifySecurityGroupRulesRequest.GroupId: Invalid input: expected string, received undefined',
    );
  });
});
