/**
 * Cases that mutation testing showed unguarded: each flips the verdict a user sees when the code is changed
 * the way a mutant changes it (issue 14, "Tests that catch what matters").
 */
import { describe, expect, it } from 'vitest';
import { evaluateItem } from '../../shared/core/evaluate.ts';
import { ParameterError } from '../../shared/core/model.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';
import { configPermission, type Json, securityGroupItem } from '../fixtures/security-group/index.ts';

const CONTEXT = { accountId: '123456789012', region: 'us-east-1', account: {} };

function evaluate(permission: Json, raw: Record<string, unknown> = {}) {
  const params = securityGroupRule.parseParameters(raw, {});
  const item = normaliseConfigurationItem(securityGroupItem({ ipPermissions: [permission] }, {}));
  const { compliance, annotation } = evaluateItem(securityGroupRule, params, item, CONTEXT);
  return { compliance, annotation };
}

/** A Config permission open to 0.0.0.0/0 with the protocol and ports written exactly as given. */
const worldOpen = (ipProtocol: unknown, fromPort: unknown, toPort: unknown): Json => ({
  ipProtocol,
  fromPort,
  toPort,
  ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
  ipRanges: ['0.0.0.0/0'],
  ipv6Ranges: [],
  prefixListIds: [],
  userIdGroupPairs: [],
});

describe('security-group: protocol numbers (EC2 accepts the IANA number for tcp, udp, icmp)', () => {
  it('protocol "17" is udp: a blocked UDP port open to the world is NON_COMPLIANT, named as udp', () => {
    expect(evaluate(worldOpen('17', 161, 161), { blockedPorts: 'udp:161' })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'udp 161 open to 0.0.0.0/0',
    });
  });

  it('protocol 6 written as a number is tcp', () => {
    expect(evaluate(worldOpen(6, 22, 22))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'tcp 22 open to 0.0.0.0/0',
    });
  });

  it('protocol "6" is not udp: a blocked UDP port is not reported for a TCP rule', () => {
    expect(evaluate(worldOpen('6', 161, 161), { blockedPorts: 'udp:161' }).compliance).toBe('COMPLIANT');
  });
});

describe('security-group: port bounds', () => {
  it('blockedPorts=65535 is accepted, and a group opening tcp 65535 to the world is NON_COMPLIANT', () => {
    expect(securityGroupRule.parseParameters({ blockedPorts: '65535' }, {}).blocked).toEqual({
      tcp: [{ from: 65535, to: 65535 }],
      udp: [],
    });
    expect(
      evaluate(configPermission('tcp', [65535, 65535], { ipv4: ['0.0.0.0/0'] }), { blockedPorts: '65535' }),
    ).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'tcp 65535 open to 0.0.0.0/0',
    });
  });

  it('blockedPort1=65535 is accepted; 65536 is refused, naming the parameter and the value', () => {
    expect(securityGroupRule.parseParameters({ blockedPort1: '65535' }, {}).blocked.tcp).toEqual([
      { from: 65535, to: 65535 },
    ]);
    expect(() => securityGroupRule.parseParameters({ blockedPort1: '65536' }, {})).toThrow(
      new ParameterError('blockedPort1', '65536', 'expected one TCP port number from 0 to 65535'),
    );
    expect(() => securityGroupRule.parseParameters({ blockedPorts: '22,65536' }, {})).toThrow(
      new ParameterError('blockedPorts', '22,65536', 'port 65536 in "65536" is above 65535'),
    );
  });

  it('a range ending at 65535 covers a port blocked at 65535, one ending at 65534 does not', () => {
    const params = { blockedPorts: '65535' };
    expect(
      evaluate(configPermission('tcp', [60000, 65535], { ipv4: ['0.0.0.0/0'] }), params).compliance,
    ).toBe('NON_COMPLIANT');
    expect(
      evaluate(configPermission('tcp', [60000, 65534], { ipv4: ['0.0.0.0/0'] }), params).compliance,
    ).toBe('COMPLIANT');
  });

  it('a tcp rule with toPort null opens every port from fromPort on, so it covers 22 and 3389', () => {
    const result = evaluate(worldOpen('tcp', 0, null));
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toContain('tcp 22,3389 open to 0.0.0.0/0');
  });

  it('a tcp rule with both ports null covers 22 and 3389', () => {
    const result = evaluate(worldOpen('tcp', null, null));
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toContain('tcp 22,3389 open to 0.0.0.0/0');
  });
});
