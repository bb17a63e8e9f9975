import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../shared/core/cidr.ts';
import { ParameterError } from '../../shared/core/model.ts';
import { parseSecurityGroupParameters } from '../../shared/rules/security-group/index.ts';
import {
  formatRanges,
  intersectRange,
  mergeRanges,
  subtractRanges,
} from '../../shared/rules/security-group/ports.ts';
import { parseDriftRevertSettings } from '../../shared/rules/security-group/responder.ts';

const HTTPS = { protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0' };

function parse(raw: Record<string, unknown>, suite: Record<string, unknown> = {}) {
  return parseSecurityGroupParameters(raw, suite);
}

function error(parameter: string, value: unknown, problem: string) {
  return new ParameterError(parameter, value, problem);
}

describe('port lists', () => {
  it('defaults blockedPorts to tcp 22 and 3389, and no authorized list', () => {
    expect(parse({})).toEqual({
      blocked: {
        tcp: [
          { from: 22, to: 22 },
          { from: 3389, to: 3389 },
        ],
        udp: [],
      },
      authorized: undefined,
      baselines: [],
    });
  });

  it('reads ranges, udp: and tcp: prefixes, spaces, and merges overlaps', () => {
    expect(parse({ blockedPorts: ' 22, 20-21 ,udp:161-162, tcp:23, UDP:53' }).blocked).toEqual({
      tcp: [{ from: 20, to: 23 }],
      udp: [
        { from: 53, to: 53 },
        { from: 161, to: 162 },
      ],
    });
  });

  it('adds blockedPort1..5 to blockedPorts; alone, they replace the default', () => {
    expect(parse({ blockedPort1: '3306', blockedPort3: 4333 }).blocked).toEqual({
      tcp: [
        { from: 3306, to: 3306 },
        { from: 4333, to: 4333 },
      ],
      udp: [],
    });
    expect(parse({ blockedPorts: '22', blockedPort1: '21' }).blocked.tcp).toEqual([{ from: 21, to: 22 }]);
  });

  it('reads the authorized lists as vpc-sg-open-only-to-authorized-ports writes them', () => {
    expect(parse({ authorizedTcpPorts: '443,1020-1025' }).authorized).toEqual({
      tcp: [
        { from: 443, to: 443 },
        { from: 1020, to: 1025 },
      ],
      udp: [],
    });
    expect(parse({ authorizedUdpPorts: '500' }).authorized).toEqual({
      tcp: [],
      udp: [{ from: 500, to: 500 }],
    });
  });

  it.each([
    [
      { blockedPorts: '22,ssh' },
      error(
        'blockedPorts',
        '22,ssh',
        '"ssh" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)',
      ),
    ],
    [{ blockedPorts: '70000' }, error('blockedPorts', '70000', 'port 70000 in "70000" is above 65535')],
    [
      { blockedPorts: '3389-22' },
      error('blockedPorts', '3389-22', 'range "3389-22" runs backwards; write it as 22-3389'),
    ],
    [
      { blockedPorts: 'icmp:8' },
      error(
        'blockedPorts',
        'icmp:8',
        '"icmp:8" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)',
      ),
    ],
    [
      { authorizedTcpPorts: '443,https' },
      error(
        'authorizedTcpPorts',
        '443,https',
        '"https" is not a port or a range (ports 0-65535, e.g. 443 or 1020-1025)',
      ),
    ],
    [
      { authorizedUdpPorts: 'udp:500' },
      error(
        'authorizedUdpPorts',
        'udp:500',
        '"udp:500" is not a port or a range (ports 0-65535, e.g. 443 or 1020-1025)',
      ),
    ],
    [
      { blockedPort2: '22-23' },
      error('blockedPort2', '22-23', 'expected one TCP port number from 0 to 65535'),
    ],
    [
      { blockedPort6: '22' },
      error(
        'blockedPort6',
        '22',
        'unknown parameter for security-group (known: blockedPorts, blockedPort1, blockedPort2, blockedPort3, blockedPort4, blockedPort5, authorizedTcpPorts, authorizedUdpPorts, maxOpenPrefixIpv4, maxOpenPrefixIpv6)',
      ),
    ],
    [
      { maxOpenPrefixIpv4: '33' },
      error(
        'maxOpenPrefixIpv4',
        '33',
        'expected a prefix length from 1 to 32: blocked ports may not be open to ranges broader than it',
      ),
    ],
    [
      { maxOpenPrefixIpv6: '/32' },
      error(
        'maxOpenPrefixIpv6',
        '/32',
        'expected a prefix length from 1 to 128: blocked ports may not be open to ranges broader than it',
      ),
    ],
    [
      { maxOpenPrefixIpv4: '0' },
      error(
        'maxOpenPrefixIpv4',
        '0',
        'expected a prefix length from 1 to 32: blocked ports may not be open to ranges broader than it',
      ),
    ],
    [
      // The blocked ports are read (lists included) before the prefix lengths and authorized ports.
      { blockedPorts: '22,ssh', maxOpenPrefixIpv4: '99', authorizedTcpPorts: 443 },
      error(
        'blockedPorts',
        '22,ssh',
        '"ssh" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)',
      ),
    ],
    [
      { blockedPort6: '22', blockedPorts: 'ssh' },
      error(
        'blockedPort6',
        '22',
        'unknown parameter for security-group (known: blockedPorts, blockedPort1, blockedPort2, blockedPort3, blockedPort4, blockedPort5, authorizedTcpPorts, authorizedUdpPorts, maxOpenPrefixIpv4, maxOpenPrefixIpv6)',
      ),
    ],
  ])('rejects %j naming the parameter and value', (raw, expected) => {
    expect(() => parse(raw)).toThrow(expected);
  });

  it('merges, intersects and subtracts ranges', () => {
    expect(
      mergeRanges([
        { from: 5, to: 9 },
        { from: 1, to: 3 },
        { from: 4, to: 4 },
      ]),
    ).toEqual([{ from: 1, to: 9 }]);
    expect(
      intersectRange({ from: 0, to: 100 }, [
        { from: 22, to: 22 },
        { from: 90, to: 200 },
      ]),
    ).toEqual([
      { from: 22, to: 22 },
      { from: 90, to: 100 },
    ]);
    expect(
      formatRanges(
        subtractRanges({ from: 0, to: 65535 }, [
          { from: 22, to: 22 },
          { from: 0, to: 10 },
          { from: 65535, to: 65535 },
        ]),
      ),
    ).toBe('11-21,23-65534');
  });
});

describe('CIDR blocks', () => {
  it.each([
    ['0.0.0.0/0', { family: 4, prefix: 0, canonical: '0.0.0.0/0', hostBitsSet: false }],
    ['10.1.2.3/8', { family: 4, prefix: 8, canonical: '10.0.0.0/8', hostBitsSet: true }],
    ['::/0', { family: 6, prefix: 0, canonical: '::/0', hostBitsSet: false }],
    ['2001:DB8:0:0::/32', { family: 6, prefix: 32, canonical: '2001:db8::/32', hostBitsSet: false }],
    [
      '2001:db8:0:0:1:0:0:1/128',
      { family: 6, prefix: 128, canonical: '2001:db8::1:0:0:1/128', hostBitsSet: false },
    ],
    [
      '::ffff:192.0.2.1/128',
      { family: 6, prefix: 128, canonical: '::ffff:c000:201/128', hostBitsSet: false },
    ],
  ])('parses %s', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it.each([
    '10.0.0.0',
    '256.0.0.0/8',
    '10.0.0.0/33',
    '2001:db8::/129',
    '1:2:3:4:5:6:7:8:9/64',
    'fe80::1::2/64',
    'abc/8',
    '999.1.1.1/8',
    '010.0.0.0/8',
    '10.0.0.0/08',
    'fe80::1%eth0/64',
    '10.0.0.0/8/8',
  ])('rejects %s', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('baselines', () => {
  const baselines = (value: unknown) => parse({}, { baselines: value }).baselines;

  it('reads a baseline: default mode report, implicit tag, rules one peer each', () => {
    const [web] = baselines({
      web: {
        match: { groupIds: ['sg-0123456789abcdef0'], tag: { key: 'team', value: 'web' } },
        ingress: [
          HTTPS,
          { protocol: 'icmp', fromPort: 8, cidr: '10.0.0.0/8' },
          { protocol: 'all', groupId: 'sg-0fedcba9876543210', groupOwnerId: '123456789012' },
        ],
        egress: [{ protocol: -1, cidrIpv6: '::/0' }],
      },
    });
    expect(web).toEqual({
      name: 'web',
      mode: 'report',
      groupIds: ['sg-0123456789abcdef0'],
      tags: [
        { key: 'plumbline:baseline', value: 'web' },
        { key: 'team', value: 'web' },
      ],
      ingress: [
        {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          peer: { kind: 'cidr', value: '0.0.0.0/0' },
        },
        {
          direction: 'ingress',
          protocol: 'icmp',
          fromPort: 8,
          toPort: -1,
          peer: { kind: 'cidr', value: '10.0.0.0/8' },
        },
        {
          direction: 'ingress',
          protocol: '-1',
          fromPort: undefined,
          toPort: undefined,
          peer: { kind: 'group', value: 'sg-0fedcba9876543210', userId: '123456789012' },
        },
      ],
      egress: [
        {
          direction: 'egress',
          protocol: '-1',
          fromPort: undefined,
          toPort: undefined,
          peer: { kind: 'cidrIpv6', value: '::/0' },
        },
      ],
    });
  });

  it.each([
    ['not a map', ['web'], error('baselines', ['web'], 'expected a map of baseline name → baseline')],
    [
      'an empty baseline',
      { web: { mode: 'enforce', ingress: [], egress: [] } },
      error(
        'baselines.web',
        { mode: 'enforce', ingress: [], egress: [] },
        'declares no rules: an empty baseline would revoke every rule of its groups; list the ingress and egress rules to keep',
      ),
    ],
    [
      'a bad mode',
      { web: { mode: 'revert', ingress: [HTTPS] } },
      error('baselines.web.mode', 'revert', 'expected enforce or report'),
    ],
    [
      'an unknown field',
      { web: { ingres: [HTTPS] } },
      error(
        'baselines.web.ingres',
        [HTTPS],
        'unknown field (expected one of: mode, match, ingress, egress, description)',
      ),
    ],
    [
      'a bad CIDR',
      { web: { ingress: [{ ...HTTPS, cidr: '10.0.0/8' }] } },
      error('baselines.web.ingress[0].cidr', '10.0.0/8', 'not an IPv4 CIDR block'),
    ],
    [
      'an IPv6 block under cidr',
      { web: { ingress: [{ ...HTTPS, cidr: '::/0' }] } },
      error(
        'baselines.web.ingress[0].cidr',
        '::/0',
        'not an IPv4 CIDR block; it is an IPv6 block, so use cidrIpv6',
      ),
    ],
    [
      'host bits',
      { web: { egress: [{ protocol: 'tcp', fromPort: 443, cidr: '10.1.0.0/8' }] } },
      error('baselines.web.egress[0].cidr', '10.1.0.0/8', 'has bits set beyond the prefix; write 10.0.0.0/8'),
    ],
    [
      'two peers',
      { web: { ingress: [{ ...HTTPS, prefixListId: 'pl-0123456789abcdef0' }] } },
      error(
        'baselines.web.ingress[0]',
        { ...HTTPS, prefixListId: 'pl-0123456789abcdef0' },
        'one peer per rule, found cidr and prefixListId: write one rule for each',
      ),
    ],
    [
      'no peer',
      { web: { ingress: [{ protocol: 'tcp', fromPort: 443 }] } },
      error(
        'baselines.web.ingress[0]',
        { protocol: 'tcp', fromPort: 443 },
        'give the peer: one of cidr, cidrIpv6, prefixListId or groupId',
      ),
    ],
    [
      'a missing port',
      { web: { ingress: [{ protocol: 'udp', cidr: '10.0.0.0/8' }] } },
      error('baselines.web.ingress[0].fromPort', undefined, 'required for udp (the first port of the range)'),
    ],
    [
      'a backwards range',
      { web: { ingress: [{ ...HTTPS, toPort: 80 }] } },
      error('baselines.web.ingress[0].toPort', 80, 'must not be below fromPort (443)'),
    ],
    [
      'ports on -1',
      { web: { egress: [{ protocol: -1, fromPort: 0, cidr: '0.0.0.0/0' }] } },
      error('baselines.web.egress[0].fromPort', 0, 'protocol -1 has no ports; leave fromPort out'),
    ],
    [
      'a bad protocol',
      { web: { ingress: [{ ...HTTPS, protocol: 'http' }] } },
      error(
        'baselines.web.ingress[0].protocol',
        'http',
        'expected tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255',
      ),
    ],
    [
      'a null peer',
      { web: { ingress: [{ protocol: 'tcp', fromPort: 443, cidr: null }] } },
      error('baselines.web.ingress[0].cidr', null, 'expected a non-empty string'),
    ],
    [
      'a null prefix list id',
      { web: { ingress: [{ protocol: 'tcp', fromPort: 443, prefixListId: null }] } },
      error('baselines.web.ingress[0].prefixListId', null, 'expected a non-empty string'),
    ],
    [
      'an owner given with a prefix list, before the list id is checked',
      {
        web: { ingress: [{ ...HTTPS, cidr: undefined, prefixListId: 'pl-x', groupOwnerId: '123456789012' }] },
      },
      error('baselines.web.ingress[0].groupOwnerId', '123456789012', 'only applies with groupId'),
    ],
    [
      'an owner given with an IPv4 block (it would be ignored)',
      { web: { ingress: [{ ...HTTPS, groupOwnerId: '123456789012' }] } },
      error('baselines.web.ingress[0].groupOwnerId', '123456789012', 'only applies with groupId'),
    ],
    [
      'an owner given with an IPv6 block (it would be ignored)',
      {
        web: {
          ingress: [{ ...HTTPS, cidr: undefined, cidrIpv6: '2001:db8::/32', groupOwnerId: '123456789012' }],
        },
      },
      error('baselines.web.ingress[0].groupOwnerId', '123456789012', 'only applies with groupId'),
    ],
    [
      'an unknown field before the port it leaves out',
      { web: { ingress: [{ protocol: 'tcp', port: 443, cidr: '0.0.0.0/0' }] } },
      error(
        'baselines.web.ingress[0].port',
        443,
        'unknown field (expected one of: protocol, fromPort, toPort, cidr, cidrIpv6, prefixListId, groupId, groupOwnerId, description)',
      ),
    ],
    [
      'a __proto__ field (JSON.parse makes it an own field, which zod records would drop)',
      JSON.parse(
        '{"web":{"ingress":[{"protocol":"tcp","fromPort":443,"cidr":"0.0.0.0/0","__proto__":{"x":1}}]}}',
      ),
      error(
        'baselines.web.ingress[0].__proto__',
        { x: 1 },
        'unknown field (expected one of: protocol, fromPort, toPort, cidr, cidrIpv6, prefixListId, groupId, groupOwnerId, description)',
      ),
    ],
    [
      'rules with no rule among them before a bad mode',
      { web: { mode: 'revert', ingress: [] } },
      error(
        'baselines.web',
        { mode: 'revert', ingress: [] },
        'declares no rules: an empty baseline would revoke every rule of its groups; list the ingress and egress rules to keep',
      ),
    ],
    [
      'a bad group id',
      { web: { match: { groupIds: ['sg-web'] }, ingress: [HTTPS] } },
      error('baselines.web.match.groupIds[0]', 'sg-web', 'expected a security group id (sg-...)'),
    ],
    [
      'an empty match',
      { web: { match: {}, ingress: [HTTPS] } },
      error(
        'baselines.web.match',
        {},
        'give groupIds, tag or both (or leave match out to match the plumbline:baseline tag)',
      ),
    ],
    [
      'a world-open blocked port',
      { web: { ingress: [{ protocol: 'tcp', fromPort: 0, toPort: 1024, cidrIpv6: '::/0' }] } },
      error(
        'baselines.web.ingress[0]',
        'tcp 0-1024 from ::/0',
        'opens blocked ports (tcp 22) to the world; remove the rule or the ports from blockedPorts',
      ),
    ],
    [
      'a blocked port open to the world by the union of its ranges',
      {
        web: {
          ingress: [
            { protocol: 'tcp', fromPort: 0, toPort: 100, cidr: '0.0.0.0/1' },
            HTTPS,
            { protocol: 'tcp', fromPort: 22, cidr: '128.0.0.0/1' },
          ],
        },
      },
      error(
        'baselines.web.ingress[0] + ingress[2]',
        'tcp 0-100 from 0.0.0.0/1 + tcp 22 from 128.0.0.0/1',
        'opens blocked ports (tcp 22) to the world; remove the rule or the ports from blockedPorts',
      ),
    ],
  ])('rejects %s, naming the baseline and field', (_name, value, expected) => {
    expect(() => baselines(value)).toThrow(expected);
  });

  it('rejects a group listed by two baselines, naming both', () => {
    const value = {
      web: { match: { groupIds: ['sg-0123456789abcdef0'] }, ingress: [HTTPS] },
      api: { match: { groupIds: ['sg-0123456789abcdef0'] }, ingress: [HTTPS] },
    };
    expect(() => baselines(value)).toThrow(
      error(
        'baselines.api.match.groupIds',
        'sg-0123456789abcdef0',
        'also listed by baseline web; a group follows one baseline',
      ),
    );
  });

  it('rejects a tag that attaches two baselines, naming both', () => {
    const value = { web: { ingress: [HTTPS] }, api: { match: { tag: 'web' }, ingress: [HTTPS] } };
    expect(() => baselines(value)).toThrow(
      error(
        'baselines.api.match.tag',
        'plumbline:baseline=web',
        'also attaches baseline web; a group follows one baseline',
      ),
    );
  });
});

describe('responder settings', () => {
  it('defaults the blocked-ports policy to report', () => {
    expect(parseDriftRevertSettings({})).toEqual({
      blockedPortsMode: 'report',
      selfRoleArns: [],
    });
  });

  it('reads the mode and extra exact role ARNs (path included)', () => {
    const deployer = 'arn:aws:iam::123456789012:role/ci/deployer';
    const settings = parseDriftRevertSettings({
      responders: { 'sg-drift-revert': { blockedPortsMode: 'enforce', selfRoleArns: [deployer] } },
    });
    expect(settings).toEqual({ blockedPortsMode: 'enforce', selfRoleArns: [deployer] });
  });

  it.each([
    [{ responders: 'all' }, error('responders', 'all', 'expected a map of responder name → settings')],
    [
      { responders: { 'sg-drift-revert': { blockedPortsMode: 'on' } } },
      error('responders.sg-drift-revert.blockedPortsMode', 'on', 'expected enforce, report or off'),
    ],
    [
      { responders: { 'sg-drift-revert': { mode: 'enforce' } } },
      error(
        'responders.sg-drift-revert.mode',
        'enforce',
        'unknown setting (known: blockedPortsMode, selfRoleArns)',
      ),
    ],
    [
      { responders: { 'sg-drift-revert': { selfRoleArns: ['role/x'] } } },
      error('responders.sg-drift-revert.selfRoleArns[0]', 'role/x', 'expected role ARN'),
    ],
    [
      // An assumed-role session ARN is never a session issuer: only the role's own ARN can match.
      {
        responders: {
          'sg-drift-revert': { selfRoleArns: ['arn:aws:sts::123456789012:assumed-role/deployer/ci'] },
        },
      },
      error(
        'responders.sg-drift-revert.selfRoleArns[0]',
        'arn:aws:sts::123456789012:assumed-role/deployer/ci',
        'expected role ARN',
      ),
    ],
    [
      { responders: { 'sg-drift-revert': { selfRoleNames: ['deployer'] } } },
      error(
        'responders.sg-drift-revert.selfRoleNames',
        ['deployer'],
        'no longer supported: a role name can be taken by an IAM user or by a role in another account; list the exact role ARNs in selfRoleArns instead',
      ),
    ],
  ])('rejects %j', (suite, expected) => {
    expect(() => parseDriftRevertSettings(suite)).toThrow(expected);
  });
});
