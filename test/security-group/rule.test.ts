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
    const item = securityGroupItem({ groupId: 42 });
    expect(() => evaluate(item)).toThrow(
      new InputError(
        'Invalid security group configuration: sg-0123456789abcdef0.configuration.groupId: Invalid input: expected string, received number',
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

describe('security-group: open to the world by the union of ranges', () => {
  it('0.0.0.0/1 + 128.0.0.0/1 on tcp 22 is every IPv4 address, named range by range', () => {
    const result = evaluate(
      ingress(configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/1', '128.0.0.0/1'] })),
    );
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.reasons).toEqual([
      {
        code: 'world-open-blocked-port',
        message: 'tcp 22 open to the world by 0.0.0.0/1 + 128.0.0.0/1',
        details: { cidr: '0.0.0.0/1 + 128.0.0.0/1', protocol: 'tcp', rule: 'tcp 22 + tcp 22', ports: '22' },
      },
    ]);
  });

  it('::/1 + 8000::/1 is every IPv6 address', () => {
    const result = evaluate(ingress(configPermission('tcp', [3389, 3389], { ipv6: ['::/1', '8000::/1'] })));
    expect(result.annotation).toBe('tcp 3389 open to the world by ::/1 + 8000::/1');
  });

  it('joins ranges of rules with different port ranges on the ports they share', () => {
    const result = evaluate(
      ingress(
        configPermission('tcp', [0, 100], { ipv4: ['0.0.0.0/1'] }),
        configPermission('tcp', [20, 30], { ipv4: ['128.0.0.0/1'] }),
      ),
      { blockedPorts: '10,25,3389' },
    );
    expect(result.annotation).toBe(
      'tcp 25 open to the world by 0.0.0.0/1 via tcp 0-100 + 128.0.0.0/1 via tcp 20-30',
    );
  });

  it('names the broadest ranges that reach every address, not the narrower ones inside them', () => {
    const result = evaluate(
      ingress(
        configPermission('tcp', [22, 22], { ipv4: ['10.0.0.0/8', '0.0.0.0/1', '192.168.0.0/16'] }),
        configPermission('-1', undefined, { ipv4: ['128.0.0.0/1'] }),
      ),
    );
    expect(result.annotation).toBe('tcp 22 open to the world by 0.0.0.0/1 + 128.0.0.0/1 via all traffic');
  });

  it('reports a world range on its own, and the union left beside it', () => {
    const result = evaluate(
      ingress(configPermission('tcp', [22, 22], { ipv4: ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1'] })),
    );
    expect(result.annotation).toBe(
      'tcp 22 open to 0.0.0.0/0; tcp 22 open to the world by 0.0.0.0/1 + 128.0.0.0/1',
    );
  });

  it('ranges that leave one address out are not the world', () => {
    const result = evaluate(
      ingress(
        configPermission('tcp', [22, 22], {
          ipv4: ['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3', '224.0.0.0/4'],
        }),
        configPermission('tcp', [23, 65535], { ipv4: ['240.0.0.0/4'] }),
      ),
    );
    expect(result.compliance).toBe('COMPLIANT');
  });

  it('judges unauthorized ports on the union too', () => {
    const result = evaluate(
      ingress(configPermission('tcp', [8080, 8080], { ipv4: ['0.0.0.0/1', '128.0.0.0/1'] })),
      { authorizedTcpPorts: '443' },
    );
    expect(result.annotation).toBe('tcp 8080 open to the world by 0.0.0.0/1 + 128.0.0.0/1, not authorized');
  });
});

describe('security-group: maxOpenPrefixIpv4 / maxOpenPrefixIpv6', () => {
  const broad = ingress(
    configPermission('tcp', [22, 22], { ipv4: ['10.0.0.0/7', '172.16.0.0/12'], ipv6: ['2001:db8::/31'] }),
    configPermission('tcp', [3389, 3389], { ipv4: ['10.0.0.0/8'], ipv6: ['2001:db8::/32'] }),
  );

  it('are off by default, so the managed rules keep their meaning', () => {
    expect(evaluate(broad).compliance).toBe('COMPLIANT');
  });

  it('flag a blocked port open to a range broader than the prefix (S3: /8 and /32)', () => {
    const result = evaluate(broad, { maxOpenPrefixIpv4: '8', maxOpenPrefixIpv6: 32 });
    expect(result.reasons).toEqual([
      {
        code: 'broad-open-blocked-port',
        message: 'tcp 22 open to 10.0.0.0/7, broader than /8 (maxOpenPrefixIpv4)',
        details: { cidr: '10.0.0.0/7', protocol: 'tcp', rule: 'tcp 22', ports: '22' },
      },
      {
        code: 'broad-open-blocked-port',
        message: 'tcp 22 open to 2001:db8::/31, broader than /32 (maxOpenPrefixIpv6)',
        details: { cidr: '2001:db8::/31', protocol: 'tcp', rule: 'tcp 22', ports: '22' },
      },
    ]);
  });

  it('apply to blocked ports only, and one family at a time', () => {
    const web = ingress(configPermission('tcp', [443, 443], { ipv4: ['10.0.0.0/7'] }));
    expect(evaluate(web, { maxOpenPrefixIpv4: '8' }).compliance).toBe('COMPLIANT');
    expect(evaluate(broad, { maxOpenPrefixIpv6: '32' }).annotation).toBe(
      'tcp 22 open to 2001:db8::/31, broader than /32 (maxOpenPrefixIpv6)',
    );
  });
});

describe('security-group: rules it cannot read are never COMPLIANT (fail closed)', () => {
  const PROTOCOLS = 'tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255';
  it.each([
    [{ ipProtocol: 'tcp', fromPort: 3389, toPort: 22 }, 'ipPermissions[0].fromPort 3389 is above toPort 22'],
    [
      { ipProtocol: 'tcp', fromPort: -1, toPort: -1 },
      'ipPermissions[0].fromPort -1 is not a tcp port (0 to 65535)',
    ],
    [
      { ipProtocol: 'udp', fromPort: 53, toPort: 70000 },
      'ipPermissions[0].toPort 70000 is not a udp port (0 to 65535)',
    ],
    [
      { ipProtocol: 'tcp', fromPort: 'twenty-two', toPort: 22 },
      'ipPermissions[0].fromPort "twenty-two" is not a tcp port (0 to 65535)',
    ],
    [
      { ipProtocol: '6.0', fromPort: 22, toPort: 22 },
      `ipPermissions[0].ipProtocol "6.0" is not ${PROTOCOLS}`,
    ],
    [{ ipProtocol: '+6', fromPort: 22, toPort: 22 }, `ipPermissions[0].ipProtocol "+6" is not ${PROTOCOLS}`],
    [
      { ipProtocol: '-01', fromPort: 22, toPort: 22 },
      `ipPermissions[0].ipProtocol "-01" is not ${PROTOCOLS}`,
    ],
    [
      { ipProtocol: 'tcp\u0000', fromPort: 22, toPort: 22 },
      `ipPermissions[0].ipProtocol "tcp\\u0000" is not ${PROTOCOLS}`,
    ],
    [{ ipProtocol: 256 }, `ipPermissions[0].ipProtocol 256 is not ${PROTOCOLS}`],
    [{ fromPort: 22, toPort: 22 }, `ipPermissions[0].ipProtocol missing is not ${PROTOCOLS}`],
  ])('%j from 0.0.0.0/0 is NON_COMPLIANT, naming the field and the value', (traffic, problem) => {
    const item = ingress({ ...traffic, ipRanges: ['0.0.0.0/0'], ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }] });
    expect(evaluate(item)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `cannot judge ingress rule ${problem}`,
      reasons: [
        {
          code: 'unreadable-rule',
          message: `cannot judge ingress rule ${problem}`,
          details: expect.objectContaining({ direction: 'ingress' }),
        },
      ],
    });
  });

  it('a peer that is no CIDR block is named, and the readable rules are still judged', () => {
    const item = ingress(
      { ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipv4Ranges: [{ cidrIp: '10.0.0.256/24' }] },
      configPermission('tcp', [22, 22], { ipv6: ['::/0'] }),
    );
    expect(evaluate(item).annotation).toBe(
      'cannot judge ingress rule ipPermissions[0].ipv4Ranges[0].cidrIp "10.0.0.256/24" is not a CIDR block; tcp 22 open to ::/0',
    );
  });

  it('an unreadable egress rule is named too', () => {
    const item = securityGroupItem(
      { ipPermissions: [], ipPermissionsEgress: [{ ipProtocol: 'TCP ', ipRanges: ['0.0.0.0/0'] }] },
      {},
    );
    expect(evaluate(item).annotation).toBe(
      `cannot judge egress rule ipPermissionsEgress[0].ipProtocol "TCP " is not ${PROTOCOLS}`,
    );
  });

  it.each([
    [6, 'tcp 22 open to 0.0.0.0/0'],
    ['6', 'tcp 22 open to 0.0.0.0/0'],
    ['TCP', 'tcp 22 open to 0.0.0.0/0'],
    [-1, 'tcp 22,3389 open to 0.0.0.0/0 via all traffic'],
  ])('reads the protocol forms EC2 and Config write: %j', (protocol, annotation) => {
    const item = ingress({ ipProtocol: protocol, fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] });
    expect(evaluate(item).annotation).toBe(annotation);
  });

  it('reads "17" as udp and a tcp rule with toPort null as reaching every port from fromPort', () => {
    const udp = ingress({ ipProtocol: '17', fromPort: 161, toPort: 161, ipRanges: ['0.0.0.0/0'] });
    expect(evaluate(udp, { blockedPorts: 'udp:161' }).annotation).toBe('udp 161 open to 0.0.0.0/0');
    const open = ingress({ ipProtocol: 'tcp', fromPort: 20, toPort: null, ipRanges: ['0.0.0.0/0'] });
    expect(evaluate(open).annotation).toBe('tcp 22,3389 open to 0.0.0.0/0 via tcp 20-65535');
  });
});
