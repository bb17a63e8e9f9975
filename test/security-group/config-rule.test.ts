import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';
import { changeEvent } from '../fixtures/config/events.ts';
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
    const item = securityGroupItem({
      ipPermissions: [
        ...(configurationItem().configuration as { ipPermissions: unknown[] }).ipPermissions,
        configPermission('tcp', [3389, 3389], { ipv4: ['0.0.0.0/0'] }),
      ],
    });
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
});
