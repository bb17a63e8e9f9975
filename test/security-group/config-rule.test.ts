import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';
import { changeEvent, PERIODIC_TIME, periodicEvent } from '../fixtures/config/events.ts';
import {
  configPermission,
  configurationItem,
  GROUP_ID,
  securityGroupItem,
} from '../fixtures/security-group/index.ts';

const config = mockClient(ConfigServiceClient);

const SUITE = {
  rules: { 'security-group': { blockedPorts: '22,3389' } },
  settings: {
    baselines: {
      web: {
        ingress: [
          { protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0' },
          { protocol: 'tcp', fromPort: 443, cidrIpv6: '::/0' },
          { protocol: -1, groupId: 'sg-0fedcba9876543210' },
          { protocol: 'tcp', fromPort: 5432, prefixListId: 'pl-0123456789abcdef0' },
        ],
      },
    },
  },
};

/** The fixture group with one more ingress permission. */
function withIngress(permission: unknown) {
  const declared = (configurationItem().configuration as { ipPermissions: unknown[] }).ipPermissions;
  return securityGroupItem({ ipPermissions: [...declared, permission] });
}

const handler = () =>
  createConfigRuleHandler(securityGroupRule, { suiteConfig: () => SUITE, writer: { sleep: async () => {} } });

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

describe('security-group as a Config rule (through the shared runtime)', () => {
  it('writes COMPLIANT for the documented item shape that matches its baseline', async () => {
    await handler()(changeEvent(configurationItem(), { ruleParameters: { blockedPorts: '22,3389' } }));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::SecurityGroup',
          ComplianceResourceId: GROUP_ID,
          ComplianceType: 'COMPLIANT',
          Annotation: 'no blocked port open to the world; matches baseline web',
          OrderingTimestamp: new Date('2024-05-14T10:05:12.345Z'),
        },
      ],
    });
  });

  it('writes NON_COMPLIANT naming the open port and the drift', async () => {
    const item = withIngress(configPermission('tcp', [3389, 3389], { ipv4: ['0.0.0.0/0'] }));
    await handler()(changeEvent(item, { ruleParameters: { blockedPorts: '22,3389' } }));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceType: 'NON_COMPLIANT',
          Annotation: 'tcp 3389 open to 0.0.0.0/0; extra: tcp 3389 from 0.0.0.0/0',
        }),
      ],
    });
  });

  it('fails the invocation on a bad parameter, naming it and its value', async () => {
    await expect(
      handler()(changeEvent(configurationItem(), { ruleParameters: { blockedPorts: '22;3389' } })),
    ).rejects.toThrow(
      'Invalid rule parameter blockedPorts="22;3389": "22;3389" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });

  it('writes NON_COMPLIANT for a blocked port open to the world by two half ranges', async () => {
    const item = withIngress(configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/1', '128.0.0.0/1'] }));
    await handler()(changeEvent(item, { ruleParameters: { blockedPorts: '22,3389' } }));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::SecurityGroup',
          ComplianceResourceId: GROUP_ID,
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'tcp 22 open to the world by 0.0.0.0/1 + 128.0.0.0/1; extra: tcp 22 from 0.0.0.0/1; extra: tcp 22 from 128.0.0.0/1',
          OrderingTimestamp: new Date('2024-05-14T10:05:12.345Z'),
        },
      ],
    });
  });

  it('writes NON_COMPLIANT naming a rule it cannot read (protocol "6.0"), never COMPLIANT', async () => {
    const item = withIngress({ ipProtocol: '6.0', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] });
    await handler()(changeEvent(item, { ruleParameters: { blockedPorts: '22,3389' } }));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::SecurityGroup',
          ComplianceResourceId: GROUP_ID,
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'cannot judge ingress rule ipPermissions[3].ipProtocol "6.0" is not tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255',
          OrderingTimestamp: new Date('2024-05-14T10:05:12.345Z'),
        },
      ],
    });
  });

  it('writes NON_COMPLIANT for a range broader than maxOpenPrefixIpv4 on a blocked port', async () => {
    const item = withIngress(configPermission('tcp', [3389, 3389], { ipv4: ['10.0.0.0/7'] }));
    await handler()(
      changeEvent(item, { ruleParameters: { blockedPorts: '22,3389', maxOpenPrefixIpv4: '8' } }),
    );
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'tcp 3389 open to 10.0.0.0/7, broader than /8 (maxOpenPrefixIpv4); extra: tcp 3389 from 10.0.0.0/7',
        }),
      ],
    });
  });
});

/** A `SelectResourceConfig` row (JSON string, tags as a list) of the fixture group with these permissions. */
function selectRow(groupId: string, ipPermissions: unknown[]): string {
  const item = configurationItem() as Record<string, unknown>;
  return JSON.stringify({
    resourceId: groupId,
    resourceType: 'AWS::EC2::SecurityGroup',
    arn: `arn:aws:ec2:us-east-1:123456789012:security-group/${groupId}`,
    accountId: item.awsAccountId,
    awsRegion: item.awsRegion,
    configurationItemCaptureTime: item.configurationItemCaptureTime,
    configurationItemStatus: 'OK',
    configuration: { ...(item.configuration as Record<string, unknown>), groupId, ipPermissions },
    supplementaryConfiguration: {},
    tags: [],
  });
}

describe('security-group periodic run: unions and unreadable rules', () => {
  it('writes NON_COMPLIANT for the union-open and the unreadable group, COMPLIANT for the other', async () => {
    const union = 'sg-0aaaaaaaaaaaaaaa1';
    const unreadable = 'sg-0aaaaaaaaaaaaaaa2';
    const closed = 'sg-0aaaaaaaaaaaaaaa3';
    config.on(SelectResourceConfigCommand).resolves({
      Results: [
        selectRow(union, [configPermission('tcp', [0, 1024], { ipv6: ['::/1', '8000::/1'] })]),
        selectRow(unreadable, [{ ipProtocol: '+6', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }]),
        selectRow(closed, [configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/1', '128.0.0.0/2'] })]),
      ],
    });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    const periodic = createConfigRuleHandler(securityGroupRule, {
      suiteConfig: () => ({ rules: {}, settings: {} }),
      writer: { sleep: async () => {} },
    });
    await periodic(periodicEvent());
    const evaluation = (id: string, type: 'COMPLIANT' | 'NON_COMPLIANT', annotation: string) => ({
      ComplianceResourceType: 'AWS::EC2::SecurityGroup',
      ComplianceResourceId: id,
      ComplianceType: type,
      Annotation: annotation,
      OrderingTimestamp: new Date(PERIODIC_TIME),
    });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        evaluation(
          union,
          'NON_COMPLIANT',
          'tcp 22 open to the world by ::/1 via tcp 0-1024 + 8000::/1 via tcp 0-1024',
        ),
        evaluation(
          unreadable,
          'NON_COMPLIANT',
          'cannot judge ingress rule ipPermissions[0].ipProtocol "+6" is not tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255',
        ),
        evaluation(closed, 'COMPLIANT', 'no blocked port open to the world'),
      ],
    });
  });
});
