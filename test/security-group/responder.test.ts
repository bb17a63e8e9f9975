import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createDriftRevert } from '../../shared/aws/responders.ts';
import { InputError } from '../../shared/core/model.ts';
import {
  ACCOUNT,
  ALICE,
  apiGroup,
  apiPermission,
  ec2Error,
  FUNCTION_ARN,
  GROUP_ID,
  type Json,
  MEMBER_ACCOUNT,
  madeBy,
  RESPONDER_ROLE_ARN,
  TOPIC_ARN,
  trailEvent,
  withDetail,
  withoutResponseRuleSets,
} from '../fixtures/security-group/index.ts';

const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

const CONTEXT = { invokedFunctionArn: FUNCTION_ARN };
const NOW = '2024-05-14T10:05:30.000Z';
const LB_GROUP = 'sg-0fedcba9876543210';

/** Bound by id in the deployed configuration (a tag alone never restores rules: see "bound by a tag"). */
const WEB_BASELINE = {
  mode: 'enforce',
  match: { groupIds: [GROUP_ID] },
  ingress: [
    { protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0', description: 'HTTPS' },
    { protocol: 'tcp', fromPort: 443, cidrIpv6: '::/0', description: 'HTTPS v6' },
    { protocol: -1, groupId: LB_GROUP, description: 'load balancer' },
  ],
  egress: [{ protocol: -1, cidr: '0.0.0.0/0' }],
};

/** The web group as declared: what DescribeSecurityGroups shows when nothing drifted. */
const BASELINE_INGRESS = [
  apiPermission('tcp', [443, 443], { ipv4: ['0.0.0.0/0'] }, 'HTTPS'),
  apiPermission('tcp', [443, 443], { ipv6: ['::/0'] }, 'HTTPS v6'),
  apiPermission('-1', undefined, { groups: [LB_GROUP] }, 'load balancer'),
];
const BASELINE_EGRESS = [apiPermission('-1', undefined, { ipv4: ['0.0.0.0/0'] })];
/** The same baseline bound only by the `plumbline:baseline=web` tag: anyone allowed ec2:CreateTags can set it. */
const { match: _byId, ...TAG_BOUND_WEB } = WEB_BASELINE;
const WEB_TAGS = { Name: 'web-prod', 'plumbline:baseline': 'web' };

interface Setup {
  baselines?: Json;
  blockedPortsMode?: string;
  blockedPorts?: string;
  /** Further `rules.security-group` parameters (maxOpenPrefixIpv4…). */
  ruleParameters?: Record<string, string>;
  executionRoleName?: string;
  /** `PLUMBLINE_RULE_PREFIX`: the deployment's `<namePrefix>-`. */
  rulePrefix?: string;
  /** `responders.sg-drift-revert.selfRoleArns` in the suite config. */
  selfRoleArns?: string[];
}

function responder(setup: Setup = {}) {
  return createDriftRevert({
    sns: new SNSClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'us-east-1' }),
    environment: () =>
      responderEnvironment({
        PLUMBLINE_TOPIC_ARN: TOPIC_ARN,
        ...(setup.executionRoleName ? { PLUMBLINE_EXECUTION_ROLE_NAME: setup.executionRoleName } : {}),
        ...(setup.rulePrefix !== undefined ? { PLUMBLINE_RULE_PREFIX: setup.rulePrefix } : {}),
      }),
    selfIdentity: () => ({ roleArns: [RESPONDER_ROLE_ARN] }),
    suiteConfig: () => ({
      rules: {
        'security-group': { blockedPorts: setup.blockedPorts ?? '22,3389', ...setup.ruleParameters },
      },
      settings: {
        baselines: setup.baselines ?? { web: WEB_BASELINE },
        responders: {
          'sg-drift-revert': {
            blockedPortsMode: setup.blockedPortsMode ?? 'enforce',
            ...(setup.selfRoleArns ? { selfRoleArns: setup.selfRoleArns } : {}),
          },
        },
      },
    }),
    region: 'us-east-1',
    now: () => new Date(NOW),
  });
}

function currentGroup(options: Parameters<typeof apiGroup>[0]) {
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [apiGroup(options)] });
}

function publishedEmail(call = 0): string[] {
  const input = sns.commandCalls(PublishCommand)[call]?.args[0].input;
  return (JSON.parse(input?.Message ?? '{}') as { email?: string }).email?.split('\n') ?? [];
}

function attributes(values: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}

beforeEach(() => {
  ec2.reset();
  sns.reset();
  sts.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
  ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2.on(AuthorizeSecurityGroupEgressCommand).resolves({ Return: true });
});

describe('sg-drift-revert: AuthorizeSecurityGroupIngress on a group with an enforced baseline', () => {
  beforeEach(() => {
    currentGroup({
      ingress: [
        ...BASELINE_INGRESS,
        apiPermission('tcp', [8080, 8080], { ipv4: ['10.0.0.0/8'] }, 'temporary debug'),
        apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'], ipv6: ['::/0'] }),
      ],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
  });

  it('reads the group once and revokes the extras in one batched call', async () => {
    const result = await responder()(trailEvent('authorize-security-group-ingress'), CONTEXT);

    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [GROUP_ID] });
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: GROUP_ID,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [{ CidrIpv6: '::/0' }],
        },
      ],
    });
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 0);
    expect(result).toEqual({
      status: 'handled',
      groupId: GROUP_ID,
      baseline: 'web',
      outcome: 'applied',
      plan: [
        'revoked tcp 8080 from 10.0.0.0/8 (not in baseline web)',
        'revoked tcp 22 from 0.0.0.0/0 (not in baseline web; opens a blocked port to the world)',
        'revoked tcp 22 from ::/0 (not in baseline web; opens a blocked port to the world)',
      ],
      messageId: 'msg-1',
    });
  });

  it("names the deployment's rule (PLUMBLINE_RULE_PREFIX) in the notice's rule attribute", async () => {
    await responder({ rulePrefix: 'acme-guard-' })(trailEvent('authorize-security-group-ingress'), CONTEXT);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      MessageAttributes: attributes({
        kind: 'remediation',
        source: 'sg-drift-revert',
        rule: 'acme-guard-security-group',
        account: ACCOUNT,
        region: 'us-east-1',
        resourceType: 'AWS::EC2::SecurityGroup',
        outcome: 'applied',
      }),
    });
    expect(publishedEmail()).toContain('Rule:        acme-guard-security-group');
  });

  it('refuses a PLUMBLINE_RULE_PREFIX with a space, naming the variable and the value', () => {
    expect(() =>
      responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN, PLUMBLINE_RULE_PREFIX: 'acme guard-' }),
    ).toThrow(
      'Invalid environment variable PLUMBLINE_RULE_PREFIX="acme guard-": expected the start of a Config rule name: 1 to 128 characters, no spaces',
    );
  });

  it('notifies the group, the change, who made it, what was reverted and the outcome', async () => {
    await responder()(trailEvent('authorize-security-group-ingress'), CONTEXT);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: `Plumbline sg-drift-revert: ${GROUP_ID} (web-prod) change reverted`,
      MessageStructure: 'json',
      MessageAttributes: attributes({
        kind: 'remediation',
        source: 'sg-drift-revert',
        rule: 'plumbline-security-group',
        account: ACCOUNT,
        region: 'us-east-1',
        resourceType: 'AWS::EC2::SecurityGroup',
        outcome: 'applied',
      }),
    });
    expect(publishedEmail()).toEqual([
      `${GROUP_ID} (web-prod) change reverted`,
      '',
      'Source:      sg-drift-revert',
      'Rule:        plumbline-security-group',
      `Resource:    AWS::EC2::SecurityGroup ${GROUP_ID} (web-prod)`,
      `Account:     ${ACCOUNT}`,
      'Region:      us-east-1',
      'Finding:     tcp 22 open to 0.0.0.0/0; tcp 22 open to ::/0; extra: tcp 8080 from 10.0.0.0/8; extra: tcp 22 from 0.0.0.0/0; extra: tcp 22 from ::/0',
      `Changed by:  ${ALICE} via AuthorizeSecurityGroupIngress from 203.0.113.10`,
      'Changed at:  2024-05-14T10:05:00Z',
      'Outcome:     applied',
      `When:        ${NOW}`,
      `Console:     https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/details?resourceId=${GROUP_ID}&resourceType=AWS%3A%3AEC2%3A%3ASecurityGroup`,
      '',
      'Changes:',
      '  - event: authorized tcp 8080 from 10.0.0.0/8',
      '  - event: authorized tcp 22 from 0.0.0.0/0',
      '  - event: authorized tcp 22 from ::/0',
      '  - revoked tcp 8080 from 10.0.0.0/8 (not in baseline web)',
      '  - revoked tcp 22 from 0.0.0.0/0 (not in baseline web; opens a blocked port to the world)',
      '  - revoked tcp 22 from ::/0 (not in baseline web; opens a blocked port to the world)',
    ]);
  });

  it('a duplicate event, once the group is back to its baseline, changes and sends nothing', async () => {
    currentGroup({ ingress: BASELINE_INGRESS, egress: BASELINE_EGRESS, tags: WEB_TAGS });
    const result = await responder()(trailEvent('authorize-security-group-ingress'), CONTEXT);
    expect(result).toEqual({
      status: 'handled',
      groupId: GROUP_ID,
      baseline: 'web',
      outcome: 'no-change',
      plan: [],
    });
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('in report mode, plans and notifies without changing anything', async () => {
    const result = await responder({
      baselines: { web: { ...WEB_BASELINE, mode: 'report' } },
      blockedPortsMode: 'report',
    })(trailEvent('authorize-security-group-ingress'), CONTEXT);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
    expect(result).toMatchObject({
      outcome: 'planned',
      plan: [
        'would revoke tcp 8080 from 10.0.0.0/8 (not in baseline web; report mode)',
        'would revoke tcp 22 from 0.0.0.0/0 (not in baseline web; opens a blocked port to the world; report mode)',
        'would revoke tcp 22 from ::/0 (not in baseline web; opens a blocked port to the world; report mode)',
      ],
    });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Plumbline sg-drift-revert: ${GROUP_ID} (web-prod) change would be reverted (report mode)`,
    });
  });

  it('a report-mode baseline still lets an enforced blocked-ports policy close world-open blocked ports', async () => {
    await responder({ baselines: { web: { ...WEB_BASELINE, mode: 'report' } } })(
      trailEvent('authorize-security-group-ingress'),
      CONTEXT,
    );
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: GROUP_ID,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [{ CidrIpv6: '::/0' }],
        },
      ],
    });
    expect(publishedEmail()).toContain(
      '  - would revoke tcp 8080 from 10.0.0.0/8 (not in baseline web; report mode)',
    );
  });
});

describe('sg-drift-revert: restoring missing rules', () => {
  it('RevokeSecurityGroupIngress of a baseline rule: authorizes it again, with its description', async () => {
    currentGroup({ ingress: BASELINE_INGRESS.slice(1), egress: BASELINE_EGRESS, tags: WEB_TAGS });
    const result = await responder()(trailEvent('revoke-security-group-ingress'), CONTEXT);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: GROUP_ID,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTPS' }],
        },
      ],
    });
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
    expect(result).toMatchObject({
      outcome: 'applied',
      plan: ['restored tcp 443 from 0.0.0.0/0 (missing from baseline web)'],
    });
  });

  it('RevokeSecurityGroupEgress of the declared all-traffic rule: authorizes it again', async () => {
    currentGroup({ ingress: BASELINE_INGRESS, egress: [], tags: WEB_TAGS });
    await responder()(trailEvent('revoke-security-group-egress'), CONTEXT);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 1);
    expect(ec2.commandCalls(AuthorizeSecurityGroupEgressCommand)[0]?.args[0].input).toEqual({
      GroupId: GROUP_ID,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
  });

  it('AuthorizeSecurityGroupEgress beyond the baseline: revokes the egress rule', async () => {
    currentGroup({
      ingress: BASELINE_INGRESS,
      egress: [...BASELINE_EGRESS, apiPermission('tcp', [25, 25], { ipv4: ['198.51.100.0/24'] })],
      tags: WEB_TAGS,
    });
    await responder()(trailEvent('authorize-security-group-egress'), CONTEXT);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 1);
    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)[0]?.args[0].input).toEqual({
      GroupId: GROUP_ID,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 25, ToPort: 25, IpRanges: [{ CidrIp: '198.51.100.0/24' }] },
      ],
    });
  });

  it('ModifySecurityGroupRules (443 → 22 from the world): one revoke, then one authorize', async () => {
    currentGroup({
      ingress: [
        apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] }, 'HTTPS'),
        ...BASELINE_INGRESS.slice(1),
      ],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
    await responder()(trailEvent('modify-security-group-rules'), CONTEXT);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    const order = ec2
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
    expect(order).toEqual([
      'DescribeSecurityGroupsCommand',
      'RevokeSecurityGroupIngressCommand',
      'AuthorizeSecurityGroupIngressCommand',
    ]);
  });
});

describe('sg-drift-revert: a group bound to its baseline by a tag', () => {
  const NOT_RESTORED_BECAUSE =
    'the group follows baseline web by tag plumbline:baseline=web, which anyone allowed ec2:CreateTags can set, so rules are restored only for groups listed in baselines.web.match.groupIds';

  it('an enforce baseline with tcp 443 from 0.0.0.0/0: revokes extras, authorizes nothing, lists the missing rules', async () => {
    // Someone tagged a locked-down group plumbline:baseline=web: the baseline must not open it to the world.
    currentGroup({
      ingress: [apiPermission('tcp', [8080, 8080], { ipv4: ['10.0.0.0/8'] })],
      egress: [],
      tags: WEB_TAGS,
    });
    const result = await responder({ baselines: { web: TAG_BOUND_WEB } })(
      trailEvent('authorize-security-group-ingress'),
      CONTEXT,
    );

    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
    });
    const notRestored = [
      `not restored: tcp 443 from 0.0.0.0/0 (missing from baseline web; ${NOT_RESTORED_BECAUSE})`,
      `not restored: tcp 443 from ::/0 (missing from baseline web; ${NOT_RESTORED_BECAUSE})`,
      `not restored: all traffic from ${LB_GROUP} (missing from baseline web; ${NOT_RESTORED_BECAUSE})`,
      `not restored: all traffic to 0.0.0.0/0 (missing from baseline web; ${NOT_RESTORED_BECAUSE})`,
    ];
    expect(result).toEqual({
      status: 'handled',
      groupId: GROUP_ID,
      baseline: 'web',
      outcome: 'applied',
      plan: ['revoked tcp 8080 from 10.0.0.0/8 (not in baseline web)', ...notRestored],
      messageId: 'msg-1',
    });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Plumbline sg-drift-revert: ${GROUP_ID} (web-prod) reverted; missing rules not restored`,
    });
    expect(publishedEmail()).toEqual(expect.arrayContaining(notRestored.map((line) => `  - ${line}`)));
  });

  it('only missing rules: nothing is changed, the notice says they were not restored', async () => {
    currentGroup({ ingress: [], egress: BASELINE_EGRESS, tags: WEB_TAGS });
    const result = await responder({ baselines: { web: TAG_BOUND_WEB } })(
      trailEvent('revoke-security-group-ingress'),
      CONTEXT,
    );
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
    expect(result).toMatchObject({ status: 'handled', outcome: 'planned' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Plumbline sg-drift-revert: ${GROUP_ID} (web-prod) missing rules not restored (tag-bound)`,
    });
  });

  it('the same group listed by id in match.groupIds gets its missing rules back', async () => {
    currentGroup({ ingress: [], egress: BASELINE_EGRESS, tags: WEB_TAGS });
    await responder()(trailEvent('revoke-security-group-ingress'), CONTEXT);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
  });
});

describe('sg-drift-revert: finding the group', () => {
  it('by name in the default VPC, when the call named the group by name only', async () => {
    const event = withDetail(trailEvent('authorize-security-group-ingress-by-name'), {
      responseElements: null,
    });
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        apiGroup({
          groupId: 'sg-0aaaabbbbccccdddd',
          groupName: 'launch-wizard-1',
          ingress: [apiPermission('tcp', [3389, 3389], { ipv4: ['0.0.0.0/0'] })],
        }),
      ],
    });
    const result = await responder()(event, CONTEXT);
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupNames: ['launch-wizard-1'] });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: 'sg-0aaaabbbbccccdddd',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    });
    expect(result).toMatchObject({
      groupId: 'sg-0aaaabbbbccccdddd',
      baseline: undefined,
      outcome: 'applied',
      plan: ['revoked tcp 3389 from 0.0.0.0/0 (opens a blocked port to the world)'],
    });
  });

  it('from responseElements.revokedSecurityGroupRuleSet, when the call named only rule ids', async () => {
    currentGroup({ ingress: BASELINE_INGRESS.slice(1), egress: BASELINE_EGRESS, tags: WEB_TAGS });
    const result = await responder()(trailEvent('revoke-security-group-ingress-by-rule-id'), CONTEXT);
    // The record says which group held the revoked rule: no DescribeSecurityGroupRules call (EC2 would
    // answer InvalidSecurityGroupRuleId.NotFound for a rule that was just revoked).
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupRulesCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [GROUP_ID] });
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: GROUP_ID,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTPS' }],
        },
      ],
    });
    const order = ec2
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
    expect(order).toEqual(['DescribeSecurityGroupsCommand', 'AuthorizeSecurityGroupIngressCommand']);
    expect(result).toEqual({
      status: 'handled',
      groupId: GROUP_ID,
      baseline: 'web',
      outcome: 'applied',
      plan: ['restored tcp 443 from 0.0.0.0/0 (missing from baseline web)'],
      messageId: 'msg-1',
    });
  });

  // Fallback for a record whose responseElements lack revokedSecurityGroupRuleSet (EC2 added it to the
  // response later; older records carry only requestId and _return). The lookup only helps while EC2 still
  // knows one of the rules; otherwise the next test's error.
  it('falls back to DescribeSecurityGroupRules when the response names no group', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        { SecurityGroupRuleId: 'sgr-0f6f6f6f6f6f6f6f6', GroupId: GROUP_ID, IsEgress: false },
      ],
    });
    currentGroup({ ingress: BASELINE_INGRESS.slice(1), egress: BASELINE_EGRESS, tags: WEB_TAGS });
    await responder()(
      withoutResponseRuleSets(trailEvent('revoke-security-group-ingress-by-rule-id')),
      CONTEXT,
    );
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupRulesCommand, {
      SecurityGroupRuleIds: ['sgr-0f6f6f6f6f6f6f6f6'],
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [GROUP_ID] });
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
  });

  it('throws, naming the rules, when neither the event nor EC2 can tell the group', async () => {
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .rejects(ec2Error('InvalidSecurityGroupRuleId.NotFound', 'not found'));
    await expect(
      responder()(withoutResponseRuleSets(trailEvent('revoke-security-group-ingress-by-rule-id')), CONTEXT),
    ).rejects.toThrow(
      new InputError(
        'Cannot tell which security group was changed: the event names no group and its rules (sgr-0f6f6f6f6f6f6f6f6) no longer exist',
      ),
    );
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('skips a group that no longer exists', async () => {
    ec2
      .on(DescribeSecurityGroupsCommand)
      .rejects(ec2Error('InvalidGroup.NotFound', `The security group '${GROUP_ID}' does not exist`));
    const result = await responder()(trailEvent('authorize-security-group-ingress'), CONTEXT);
    expect(result).toEqual({ status: 'skipped', reason: `security group ${GROUP_ID} no longer exists` });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });
});

describe('sg-drift-revert: what it never reacts to', () => {
  it('a call that failed (errorCode)', async () => {
    const event = withDetail(trailEvent('authorize-security-group-ingress'), {
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: 'You are not authorized to perform this operation.',
      responseElements: null,
    });
    expect(await responder()(event, CONTEXT)).toEqual({
      status: 'skipped',
      reason: 'the call failed (Client.UnauthorizedOperation) and changed nothing',
    });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('its own calls: the session issuer is its role (with the IAM path)', async () => {
    const event = madeBy(
      trailEvent('revoke-security-group-ingress'),
      'plumbline-sg-drift-revert-role',
      'plumbline',
      ACCOUNT,
      'plumbline/sg-drift-revert/',
    );
    expect(await responder()(event, CONTEXT)).toEqual({
      status: 'skipped',
      reason: `own call (arn:aws:sts::${ACCOUNT}:assumed-role/plumbline-sg-drift-revert-role/plumbline)`,
    });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('its own calls in a member account, made through the execution role', async () => {
    const inMember = withDetail(
      { ...trailEvent('revoke-security-group-ingress'), account: MEMBER_ACCOUNT },
      { recipientAccountId: MEMBER_ACCOUNT },
    );
    const event = madeBy(
      inMember,
      'plumbline-exec-sg-drift-revert',
      'plumbline-sg-drift-revert',
      MEMBER_ACCOUNT,
    );
    const result = await responder({ executionRoleName: 'plumbline-exec-sg-drift-revert' })(event, CONTEXT);
    expect(result.status).toBe('skipped');
    expect(ec2.calls()).toHaveLength(0);
  });

  it.each([
    // The execution role's name, but a role of another account than the event's.
    ['the execution role name in another account', 'plumbline-exec-sg-drift-revert', MEMBER_ACCOUNT, ''],
    // The function role's name under another path.
    ['the function role name under another path', 'plumbline-sg-drift-revert-role', ACCOUNT, 'x/'],
  ])('a role with %s is not its own call: reverted', async (_case, roleName, roleAccount, path) => {
    currentGroup({
      ingress: [...BASELINE_INGRESS, apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] })],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
    const event = madeBy(trailEvent('authorize-security-group-ingress'), roleName, 's', roleAccount, path);
    const result = await responder({ executionRoleName: 'plumbline-exec-sg-drift-revert' })(event, CONTEXT);
    expect(result).toMatchObject({ status: 'handled', outcome: 'applied' });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
  });

  it('calls by a role named in responders.sg-drift-revert.selfRoleArns (with its IAM path)', async () => {
    currentGroup({
      ingress: [...BASELINE_INGRESS, apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] })],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
    const event = madeBy(
      trailEvent('authorize-security-group-ingress'),
      'deployer',
      'pipeline',
      ACCOUNT,
      'ci/',
    );
    const handler = responder({ selfRoleArns: [`arn:aws:iam::${ACCOUNT}:role/ci/deployer`] });
    expect(await handler(event, CONTEXT)).toEqual({
      status: 'skipped',
      reason: `own call (arn:aws:sts::${ACCOUNT}:assumed-role/deployer/pipeline)`,
    });
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('calls of other actions are skipped; a call of another service is an error naming the field', async () => {
    const event = withDetail(trailEvent('authorize-security-group-ingress'), {
      eventName: 'CreateSecurityGroup',
    });
    expect(await responder()(event, CONTEXT)).toEqual({
      status: 'skipped',
      reason: 'CreateSecurityGroup is not handled',
    });
    const s3Event = withDetail(trailEvent('authorize-security-group-ingress'), {
      eventSource: 's3.amazonaws.com',
    });
    await expect(responder()(s3Event, CONTEXT)).rejects.toThrow(
      'Invalid event: detail.eventSource is s3.amazonaws.com, expected ec2.amazonaws.com',
    );
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('anything but a CloudTrail API-call event is an error naming the field', async () => {
    await expect(responder()({ 'detail-type': 'Scheduled Event', detail: {} }, CONTEXT)).rejects.toThrow(
      'Invalid CloudTrail event: event.detail-type: Invalid input: expected "AWS API Call via CloudTrail"',
    );
  });
});

describe('sg-drift-revert: idempotent execution', () => {
  beforeEach(() => {
    currentGroup({
      ingress: [
        ...BASELINE_INGRESS,
        apiPermission('tcp', [8080, 8080], { ipv4: ['10.0.0.0/8'] }),
        apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] }),
      ],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
  });

  it('InvalidPermission.NotFound on a batch: reads the group again and revokes only what is left', async () => {
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(
        ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.'),
      )
      .resolves({ Return: true });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({
        SecurityGroups: [
          apiGroup({
            ingress: [
              ...BASELINE_INGRESS,
              apiPermission('tcp', [8080, 8080], { ipv4: ['10.0.0.0/8'] }),
              apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] }),
            ],
            egress: BASELINE_EGRESS,
            tags: WEB_TAGS,
          }),
        ],
      })
      .resolves({
        SecurityGroups: [
          apiGroup({
            ingress: [...BASELINE_INGRESS, apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] })],
            egress: BASELINE_EGRESS,
            tags: WEB_TAGS,
          }),
        ],
      });
    const result = await responder()(trailEvent('authorize-security-group-ingress'), CONTEXT);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 2);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 2);
    expect(ec2).toHaveReceivedNthCommandWith(RevokeSecurityGroupIngressCommand, 2, {
      GroupId: GROUP_ID,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(result).toMatchObject({
      outcome: 'applied',
      plan: [
        'already revoked: tcp 8080 from 10.0.0.0/8 (not in baseline web)',
        'revoked tcp 22 from 0.0.0.0/0 (not in baseline web; opens a blocked port to the world)',
      ],
    });
  });

  it('UnknownIpPermissions in the revoke answer were already gone', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({
      Return: true,
      UnknownIpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
    });
    const result = await responder()(trailEvent('authorize-security-group-ingress'), CONTEXT);
    expect(result).toMatchObject({
      outcome: 'applied',
      plan: [
        'already revoked: tcp 8080 from 10.0.0.0/8 (not in baseline web)',
        'revoked tcp 22 from 0.0.0.0/0 (not in baseline web; opens a blocked port to the world)',
      ],
    });
  });

  it('InvalidPermission.Duplicate on a single authorize means it is already there', async () => {
    currentGroup({ ingress: BASELINE_INGRESS.slice(1), egress: BASELINE_EGRESS, tags: WEB_TAGS });
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejects(ec2Error('InvalidPermission.Duplicate', 'the specified rule already exists'));
    const result = await responder()(trailEvent('revoke-security-group-ingress'), CONTEXT);
    expect(result).toMatchObject({
      outcome: 'applied',
      plan: ['already present: tcp 443 from 0.0.0.0/0 (missing from baseline web)'],
    });
  });
});

describe('sg-drift-revert: failures throw after notifying', () => {
  it('a failed revoke: notifies outcome failed, then throws so EventBridge retries', async () => {
    currentGroup({
      ingress: [...BASELINE_INGRESS, apiPermission('tcp', [8080, 8080], { ipv4: ['10.0.0.0/8'] })],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(responder()(trailEvent('authorize-security-group-ingress'), CONTEXT)).rejects.toThrow(
      `sg-drift-revert: failed on ${GROUP_ID}: failed to revoke tcp 8080 from 10.0.0.0/8 (not in baseline web): RevokeSecurityGroupIngress: UnauthorizedOperation: You are not authorized to perform this operation.`,
    );
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Plumbline sg-drift-revert: ${GROUP_ID} (web-prod) revert failed`,
      MessageAttributes: expect.objectContaining({ outcome: { DataType: 'String', StringValue: 'failed' } }),
    });
  });

  it('a revoke that works and an authorize that fails: outcome partial', async () => {
    currentGroup({
      ingress: [...BASELINE_INGRESS.slice(1), apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] })],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejects(ec2Error('RulesPerSecurityGroupLimitExceeded', 'limit'));
    await expect(responder()(trailEvent('modify-security-group-rules'), CONTEXT)).rejects.toThrow(
      `sg-drift-revert: partial on ${GROUP_ID}: failed to restore tcp 443 from 0.0.0.0/0 (missing from baseline web): AuthorizeSecurityGroupIngress: RulesPerSecurityGroupLimitExceeded: limit`,
    );
    expect(publishedEmail()).toContain('Outcome:     partial');
    expect(publishedEmail()).toContain(
      '  - revoked tcp 22 from 0.0.0.0/0 (not in baseline web; opens a blocked port to the world)',
    );
  });

  it('a group tagged with an undeclared baseline: notifies failed naming group and baseline, then throws', async () => {
    currentGroup({
      ingress: [apiPermission('tcp', [8080, 8080], { ipv4: ['10.0.0.0/8'] })],
      tags: { 'plumbline:baseline': 'api' },
    });
    const message = `security group ${GROUP_ID} is tagged plumbline:baseline=api, but no baseline api is declared`;
    await expect(
      responder({ baselines: { web: TAG_BOUND_WEB } })(
        trailEvent('authorize-security-group-ingress'),
        CONTEXT,
      ),
    ).rejects.toThrow(message);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
    expect(publishedEmail()).toContain(`Finding:     ${message}`);
    expect(publishedEmail()).toContain('Outcome:     failed');
  });

  it('a failed read of the group: notifies failed with the error, then throws', async () => {
    ec2
      .on(DescribeSecurityGroupsCommand)
      .rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(responder()(trailEvent('authorize-security-group-ingress'), CONTEXT)).rejects.toThrow(
      `DescribeSecurityGroups for ${GROUP_ID} failed: RequestLimitExceeded: Request limit exceeded.`,
    );
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Plumbline sg-drift-revert: ${GROUP_ID} revert failed`,
    });
  });

  it('a failed publish after a successful revert throws, so the failure is visible', async () => {
    currentGroup({
      ingress: [...BASELINE_INGRESS, apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] })],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
    sns.on(PublishCommand).rejects(Object.assign(new Error('topic gone'), { name: 'NotFoundException' }));
    await expect(responder()(trailEvent('authorize-security-group-ingress'), CONTEXT)).rejects.toThrow(
      `SNS Publish to ${TOPIC_ARN} failed: NotFoundException: topic gone`,
    );
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
  });
});

describe('sg-drift-revert: organisation mode', () => {
  const memberEvent = () => {
    const event = trailEvent('authorize-security-group-ingress');
    return withDetail({ ...event, account: MEMBER_ACCOUNT }, { recipientAccountId: MEMBER_ACCOUNT });
  };

  it("assumes the execution role in the event's account and acts there", async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    currentGroup({ ingress: [apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] })] });
    const result = await responder({ executionRoleName: 'plumbline-exec-sg-drift-revert', baselines: {} })(
      memberEvent(),
      CONTEXT,
    );
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/plumbline-exec-sg-drift-revert`,
      RoleSessionName: 'plumbline-sg-drift-revert',
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(result).toMatchObject({ outcome: 'applied' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({
        account: { DataType: 'String', StringValue: MEMBER_ACCOUNT },
      }),
    });
  });

  it('without an execution role, an event from another account is an error naming both accounts', async () => {
    await expect(responder({ baselines: {} })(memberEvent(), CONTEXT)).rejects.toThrow(
      `The event is from account ${MEMBER_ACCOUNT}, not the function's account ${ACCOUNT}: set PLUMBLINE_EXECUTION_ROLE_NAME to act there`,
    );
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('sg-drift-revert: settings', () => {
  it('a missing topic is an error naming the variable', async () => {
    const handler = createDriftRevert({
      sns: new SNSClient({ region: 'us-east-1' }),
      environment: () => responderEnvironment({}),
    });
    await expect(handler(trailEvent('authorize-security-group-ingress'), CONTEXT)).rejects.toThrow(
      'Missing environment variable PLUMBLINE_TOPIC_ARN: the SNS topic ARN to publish to',
    );
  });

  it('a bad responder setting is an error naming it', async () => {
    await expect(
      responder({ blockedPortsMode: 'always' })(trailEvent('authorize-security-group-ingress'), CONTEXT),
    ).rejects.toThrow(
      'Invalid rule parameter responders.sg-drift-revert.blockedPortsMode="always": expected enforce, report or off',
    );
  });
});

describe('sg-drift-revert: organisation mode failures', () => {
  it('a role that cannot be assumed: notifies failed naming the role, then throws', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }),
      );
    const event = withDetail(
      { ...trailEvent('authorize-security-group-ingress'), account: MEMBER_ACCOUNT },
      { recipientAccountId: MEMBER_ACCOUNT },
    );
    const role = `arn:aws:iam::${MEMBER_ACCOUNT}:role/plumbline-exec-sg-drift-revert`;
    await expect(
      responder({ executionRoleName: 'plumbline-exec-sg-drift-revert' })(event, CONTEXT),
    ).rejects.toThrow(`Cannot assume role ${role}: AccessDenied: not authorized to perform sts:AssumeRole`);
    expect(ec2.calls()).toHaveLength(0);
    expect(publishedEmail()).toContain(
      `Finding:     Cannot assume role ${role}: AccessDenied: not authorized to perform sts:AssumeRole`,
    );
  });
});

describe('sg-drift-revert: blocked ports open to the world by a union of ranges', () => {
  it('revokes both halves of 0.0.0.0/1 + 128.0.0.0/1 on tcp 22, and leaves the narrower range inside them', async () => {
    currentGroup({
      ingress: [
        apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/1', '10.0.0.0/8'] }),
        apiPermission('tcp', [0, 1024], { ipv4: ['128.0.0.0/1'] }),
      ],
    });
    const result = await responder({ baselines: {} })(
      trailEvent('authorize-security-group-ingress'),
      CONTEXT,
    );
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/1' }] },
        { IpProtocol: 'tcp', FromPort: 0, ToPort: 1024, IpRanges: [{ CidrIp: '128.0.0.0/1' }] },
      ],
    });
    expect(result).toMatchObject({
      outcome: 'applied',
      plan: [
        'revoked tcp 22 from 0.0.0.0/1 (opens a blocked port to the world)',
        'revoked tcp 0-1024 from 128.0.0.0/1 (opens a blocked port to the world)',
      ],
    });
    expect(publishedEmail()).toContain(
      'Finding:     tcp 22 open to the world by 0.0.0.0/1 + 128.0.0.0/1 via tcp 0-1024',
    );
  });

  it('revokes ::/1 + 8000::/1', async () => {
    currentGroup({ ingress: [apiPermission('tcp', [3389, 3389], { ipv6: ['::/1', '8000::/1'] })] });
    await responder({ baselines: {} })(trailEvent('authorize-security-group-ingress'), CONTEXT);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 3389,
          ToPort: 3389,
          Ipv6Ranges: [{ CidrIpv6: '::/1' }, { CidrIpv6: '8000::/1' }],
        },
      ],
    });
  });

  it('with maxOpenPrefixIpv4, revokes a blocked port open to a range broader than it', async () => {
    currentGroup({
      ingress: [
        apiPermission('tcp', [22, 22], { ipv4: ['10.0.0.0/7', '192.168.0.0/16'] }),
        apiPermission('tcp', [443, 443], { ipv4: ['10.0.0.0/7'] }),
      ],
    });
    const result = await responder({ baselines: {}, ruleParameters: { maxOpenPrefixIpv4: '8' } })(
      trailEvent('authorize-security-group-ingress'),
      CONTEXT,
    );
    expect(result).toMatchObject({
      outcome: 'applied',
      plan: [
        'revoked tcp 22 from 10.0.0.0/7 (opens a blocked port to a range broader than maxOpenPrefixIpv4/Ipv6)',
      ],
    });
    expect(publishedEmail()).toContain(
      'Finding:     tcp 22 open to 10.0.0.0/7, broader than /8 (maxOpenPrefixIpv4)',
    );
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/7' }] }],
    });
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
  });

  it('without maxOpenPrefixIpv4 a broad range that is not the world is left alone', async () => {
    currentGroup({ ingress: [apiPermission('tcp', [22, 22], { ipv4: ['10.0.0.0/7'] })] });
    const result = await responder({ baselines: {} })(
      trailEvent('authorize-security-group-ingress'),
      CONTEXT,
    );
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
    expect(result).toMatchObject({ outcome: 'no-change' });
  });
});

describe('sg-drift-revert: a group with a rule it cannot read', () => {
  it('changes nothing, notifies failed naming the rule, then throws', async () => {
    currentGroup({
      ingress: [
        apiPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] }),
        { ...apiPermission('tcp', [3389, 3389], { ipv4: ['0.0.0.0/0'] }), IpProtocol: '6.0' },
      ],
      egress: BASELINE_EGRESS,
      tags: WEB_TAGS,
    });
    const message = `${GROUP_ID}: not changed, rules that cannot be read: ingress rule IpPermissions[1].IpProtocol "6.0" is not tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255`;
    await expect(responder()(trailEvent('authorize-security-group-ingress'), CONTEXT)).rejects.toThrow(
      message,
    );
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 0);
    expect(publishedEmail()).toContain(`Finding:     ${message}`);
    expect(publishedEmail()).toContain('Outcome:     failed');
  });
});
