import { describe, expect, it } from 'vitest';
import { evaluateItem } from '../../shared/core/evaluate.ts';
import { InputError } from '../../shared/core/model.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';
import {
  configPermission,
  configurationItem,
  type Json,
  securityGroupItem,
} from '../fixtures/security-group/index.ts';

const CONTEXT = { accountId: '123456789012', region: 'us-east-1', account: {} };

/** The fixture group's declared state: HTTPS from the world, everything from the load balancer's group. */
const WEB_BASELINE = {
  mode: 'enforce',
  ingress: [
    { protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0', description: 'HTTPS' },
    { protocol: 'tcp', fromPort: 443, cidrIpv6: '::/0' },
    { protocol: -1, groupId: 'sg-0fedcba9876543210' },
    { protocol: 'tcp', fromPort: 5432, prefixListId: 'pl-0123456789abcdef0' },
  ],
  egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
};

function evaluate(item: Json, raw: Record<string, unknown> = {}, suite: Record<string, unknown> = {}) {
  const params = securityGroupRule.parseParameters(raw, suite);
  const evaluation = evaluateItem(securityGroupRule, params, normaliseConfigurationItem(item), CONTEXT);
  return {
    compliance: evaluation.compliance,
    annotation: evaluation.annotation,
    reasons: evaluation.reasons,
  };
}

const ingress = (...permissions: Json[]) => securityGroupItem({ ipPermissions: permissions }, {});

describe('security-group: world-open blocked ports (default 22,3389)', () => {
  it('names a blocked port open to 0.0.0.0/0', () => {
    const result = evaluate(ingress(configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] })));
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toBe('tcp 22 open to 0.0.0.0/0');
    expect(result.reasons[0]).toEqual({
      code: 'world-open-blocked-port',
      message: 'tcp 22 open to 0.0.0.0/0',
      details: { cidr: '0.0.0.0/0', protocol: 'tcp', rule: 'tcp 22', ports: '22' },
    });
  });

  it('names the blocked ports a range covers, and the rule that opens them', () => {
    const result = evaluate(ingress(configPermission('tcp', [0, 65535], { ipv6: ['::/0'] })));
    expect(result.annotation).toBe('tcp 22,3389 open to ::/0 via tcp 0-65535');
  });

  it('treats protocol -1 (ports null in the item) as every port', () => {
    const item = ingress({
      ipProtocol: '-1',
      fromPort: null,
      toPort: null,
      ipRanges: ['0.0.0.0/0'],
      ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
    });
    expect(evaluate(item).annotation).toBe('tcp 22,3389 open to 0.0.0.0/0 via all traffic');
  });

  it('reads IPv4 ranges given only as ipRanges strings, or only as ipv4Ranges objects', () => {
    const strings = ingress({ ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, ipRanges: ['0.0.0.0/0'] });
    const objects = ingress({
      ipProtocol: 'tcp',
      fromPort: 3389,
      toPort: 3389,
      ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
    });
    expect(evaluate(strings).annotation).toBe('tcp 3389 open to 0.0.0.0/0');
    expect(evaluate(objects).annotation).toBe('tcp 3389 open to 0.0.0.0/0');
  });

  it('reports each world CIDR once, though ipRanges and ipv4Ranges repeat it', () => {
    const result = evaluate(
      ingress(configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'], ipv6: ['::/0'] })),
    );
    expect(result.annotation).toBe('tcp 22 open to 0.0.0.0/0; tcp 22 open to ::/0');
  });

  it('does not count group references, prefix lists or narrower CIDRs as the world', () => {
    const result = evaluate(
      ingress(
        configPermission('tcp', [22, 22], {
          groups: ['sg-0fedcba9876543210'],
          prefixLists: ['pl-0123456789abcdef0'],
        }),
        configPermission('tcp', [22, 22], { ipv4: ['10.0.0.0/8', '0.0.0.0/1'], ipv6: ['2001:db8::/32'] }),
      ),
    );
    expect(result).toEqual({
      compliance: 'COMPLIANT',
      annotation: 'no blocked port open to the world',
      reasons: [{ code: 'security-group-ok', message: 'no blocked port open to the world' }],
    });
  });

  it('leaves UDP alone unless the parameter names it, then checks udp and -1', () => {
    const dns = configPermission('udp', [53, 53], { ipv4: ['0.0.0.0/0'] });
    expect(evaluate(ingress(dns)).compliance).toBe('COMPLIANT');
    expect(evaluate(ingress(dns), { blockedPorts: '22,udp:53' }).annotation).toBe('udp 53 open to 0.0.0.0/0');
    const all = configPermission('-1', undefined, { ipv4: ['0.0.0.0/0'] });
    expect(evaluate(ingress(all), { blockedPorts: 'udp:161' }).annotation).toBe(
      'udp 161 open to 0.0.0.0/0 via all traffic',
    );
  });

  it('never checks egress against blocked ports', () => {
    const item = securityGroupItem(
      {
        ipPermissions: [],
        ipPermissionsEgress: [configPermission('-1', undefined, { ipv4: ['0.0.0.0/0'] })],
      },
      {},
    );
    expect(evaluate(item).compliance).toBe('COMPLIANT');
  });

  it('accepts restricted-common-ports blockedPort1..5 as they are', () => {
    const mysql = ingress(configPermission('tcp', [3306, 3306], { ipv4: ['0.0.0.0/0'] }));
    expect(evaluate(mysql).compliance).toBe('COMPLIANT');
    expect(evaluate(mysql, { blockedPort1: '20', blockedPort2: '3306' }).annotation).toBe(
      'tcp 3306 open to 0.0.0.0/0',
    );
  });

  it('an empty blockedPorts checks no port', () => {
    const ssh = ingress(configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] }));
    expect(evaluate(ssh, { blockedPorts: '' }).compliance).toBe('COMPLIANT');
  });
});

describe('security-group: authorized ports (vpc-sg-open-only-to-authorized-ports)', () => {
  it('names the world-open ports outside the authorized list', () => {
    const item = ingress(
      configPermission('tcp', [443, 443], { ipv4: ['0.0.0.0/0'] }),
      configPermission('tcp', [8080, 8081], { ipv4: ['0.0.0.0/0'] }),
    );
    const result = evaluate(item, { authorizedTcpPorts: '443,1020-1025' });
    expect(result.annotation).toBe('tcp 8080-8081 open to 0.0.0.0/0, not authorized');
    expect(result.reasons.map((reason) => reason.code)).toEqual(['world-open-unauthorized-port']);
  });

  it('a range is authorized only where the list covers it, and a blocked port is reported once', () => {
    const item = ingress(configPermission('tcp', [1000, 1030], { ipv6: ['::/0'] }));
    expect(evaluate(item, { authorizedTcpPorts: '1020-1025', blockedPorts: '1010' }).annotation).toBe(
      'tcp 1010 open to ::/0 via tcp 1000-1030; tcp 1000-1009,1011-1019,1026-1030 open to ::/0 via tcp 1000-1030, not authorized',
    );
  });

  it('once either list is set, UDP without a list authorizes no UDP port', () => {
    const item = ingress(configPermission('udp', [500, 500], { ipv4: ['0.0.0.0/0'] }));
    expect(evaluate(item, { authorizedTcpPorts: '443' }).annotation).toBe(
      'udp 500 open to 0.0.0.0/0, not authorized',
    );
    expect(evaluate(item, { authorizedUdpPorts: '500,1020-1025' }).compliance).toBe('COMPLIANT');
  });

  it('ICMP open to the world is no port and is not judged by the port lists', () => {
    const item = ingress(configPermission('icmp', [-1, -1], { ipv4: ['0.0.0.0/0'] }));
    expect(evaluate(item, { authorizedTcpPorts: '443' }).compliance).toBe('COMPLIANT');
  });
});

describe('security-group: baselines', () => {
  const suite = { baselines: { web: WEB_BASELINE } };

  it('is COMPLIANT when the group equals its baseline, whatever the grouping, order and descriptions', () => {
    const result = evaluate(configurationItem(), {}, suite);
    expect(result).toEqual({
      compliance: 'COMPLIANT',
      annotation: 'no blocked port open to the world; matches baseline web',
      reasons: [
        { code: 'security-group-ok', message: 'no blocked port open to the world; matches baseline web' },
      ],
    });
  });

  it('names extra and missing rules, one CIDR each', () => {
    const item = securityGroupItem({
      ipPermissions: [
        configPermission('tcp', [8080, 8080], { ipv4: ['10.0.0.0/8'] }),
        configPermission('tcp', [443, 443], { ipv6: ['::/0'] }),
        configPermission('-1', undefined, { groups: ['sg-0fedcba9876543210'] }),
        configPermission('tcp', [5432, 5432], { prefixLists: ['pl-0123456789abcdef0'] }),
      ],
    });
    const result = evaluate(item, {}, suite);
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toBe('extra: tcp 8080 from 10.0.0.0/8; missing: tcp 443 from 0.0.0.0/0');
    expect(result.reasons).toEqual([
      {
        code: 'baseline-extra',
        message: 'extra: tcp 8080 from 10.0.0.0/8',
        details: { baseline: 'web', direction: 'ingress' },
      },
      {
        code: 'baseline-missing',
        message: 'missing: tcp 443 from 0.0.0.0/0',
        details: { baseline: 'web', direction: 'ingress' },
      },
    ]);
  });

  it('compares egress too, and says which direction with "to"', () => {
    const item = securityGroupItem({
      ipPermissionsEgress: [configPermission('tcp', [443, 443], { ipv4: ['0.0.0.0/0'] })],
    });
    expect(evaluate(item, {}, suite).annotation).toBe(
      'extra: tcp 443 to 0.0.0.0/0; missing: all traffic to 0.0.0.0/0',
    );
  });

  it('leaves a direction the baseline does not declare unmanaged', () => {
    const ingressOnly = { web: { ingress: WEB_BASELINE.ingress } };
    const item = securityGroupItem({
      ipPermissionsEgress: [configPermission('tcp', [25, 25], { ipv4: ['198.51.100.0/24'] })],
    });
    expect(evaluate(item, {}, { baselines: ingressOnly }).compliance).toBe('COMPLIANT');
  });

  it('matches by group id as well as by the plumbline:baseline tag', () => {
    const byId = {
      api: {
        match: { groupIds: ['sg-0123456789abcdef0'] },
        ingress: [{ protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0' }],
      },
    };
    const item = securityGroupItem({}, {});
    expect(evaluate(item, {}, { baselines: byId }).annotation).toBe(
      'extra: tcp 443 from ::/0; extra: all traffic from sg-0fedcba9876543210; extra: tcp 5432 from pl-0123456789abcdef0',
    );
  });

  it('a group without a baseline is judged on its world-open ports only', () => {
    expect(evaluate(securityGroupItem({}, {}), {}, suite).compliance).toBe('COMPLIANT');
  });

  it('a group tagged with an undeclared baseline is NON_COMPLIANT, naming the group and the baseline', () => {
    const item = securityGroupItem({}, { 'plumbline:baseline': 'api' });
    const result = evaluate(item, {}, suite);
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toBe(
      'security group sg-0123456789abcdef0 is tagged plumbline:baseline=api, but no baseline api is declared',
    );
    expect(result.reasons[0]?.code).toBe('baseline-unknown');
  });

  it('a group matching two baselines is NON_COMPLIANT, naming both', () => {
    const two = {
      web: WEB_BASELINE,
      team: {
        match: { tag: { key: 'team', value: 'payments' } },
        ingress: [{ protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0' }],
      },
    };
    const item = securityGroupItem({}, { 'plumbline:baseline': 'web', team: 'payments' });
    const result = evaluate(item, {}, { baselines: two });
    expect(result.annotation).toBe(
      'security group sg-0123456789abcdef0 matches baselines web and team; a group must match one baseline',
    );
    expect(result.reasons[0]?.code).toBe('baseline-conflict');
  });

  it('reports world-open blocked ports and drift together', () => {
    const item = securityGroupItem({
      ipPermissions: [
        ...(configurationItem().configuration as { ipPermissions: Json[] }).ipPermissions,
        configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0'] }),
      ],
    });
    expect(evaluate(item, {}, suite).annotation).toBe(
      'tcp 22 open to 0.0.0.0/0; extra: tcp 22 from 0.0.0.0/0',
    );
  });
});

describe('security-group: items and annotations', () => {
  it('keeps the annotation within 256 characters at a reason boundary', () => {
    const many = Array.from({ length: 20 }, (_, index) =>
      configPermission('tcp', [8000 + index, 8000 + index], { ipv4: ['10.0.0.0/8'] }),
    );
    const result = evaluate(
      securityGroupItem({ ipPermissions: many }),
      {},
      { baselines: { web: WEB_BASELINE } },
    );
    expect(result.annotation.length).toBeLessThanOrEqual(256);
    expect(
      result.annotation.startsWith('extra: tcp 8000 from 10.0.0.0/8; extra: tcp 8001 from 10.0.0.0/8;'),
    ).toBe(true);
    expect(result.annotation.endsWith(' …(truncated)')).toBe(true);
    expect(result.reasons).toHaveLength(24);
  });

  it('is NOT_APPLICABLE for a deleted group', () => {
    const item = { ...configurationItem(), configurationItemStatus: 'ResourceDeleted', configuration: null };
    expect(evaluate(item).compliance).toBe('NOT_APPLICABLE');
  });

  it('throws an InputError naming the item and field when the configuration is not a security group', () => {
    const item = securityGroupItem({ ipPermissions: [{ ipProtocol: 'tcp', fromPort: 'twenty-two' }] });
    expect(() => evaluate(item)).toThrow(
      new InputError(
        'Invalid security group configuration: sg-0123456789abcdef0.configuration.ipPermissions.0.fromPort: Invalid input: expected number, received string',
      ),
    );
  });

  it('evaluates the same item read from a BatchGetResourceConfig answer (configuration as a JSON string)', () => {
    const item = configurationItem();
    const api = {
      ...item,
      configuration: JSON.stringify(item.configuration),
      accountId: item.awsAccountId,
      arn: item.ARN,
    };
    expect(evaluate(api, {}, { baselines: { web: WEB_BASELINE } }).compliance).toBe('COMPLIANT');
  });
});
