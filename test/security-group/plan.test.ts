import { mergeCidr } from 'cidr-tools';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIpPermissions } from '../../shared/aws/ec2.ts';
import {
  type Baseline,
  BaselineError,
  type BaselineResolution,
  resolveBaseline,
} from '../../shared/rules/security-group/baselines.ts';
import {
  type GroupState,
  type Peer,
  ruleKey,
  type SgRule,
} from '../../shared/rules/security-group/permissions.ts';
import { applyPlan, type BlockedPortsMode, planRemediation } from '../../shared/rules/security-group/plan.ts';
import { parseProtocolPortList } from '../../shared/rules/security-group/ports.ts';
import { judgeSecurityGroup } from '../../shared/rules/security-group/rule.ts';
import { exposedPorts } from '../../shared/rules/security-group/world-open.ts';

const GROUP_ID = 'sg-0123456789abcdef0';

/** The rules the world-open judgement flags on blocked ports (those an enforced policy revokes). */
const flagged = (ingress: readonly SgRule[]) =>
  new Set(exposedPorts(ingress, { blocked: BLOCKED }).flatMap((exposed) => exposed.rules.map(ruleKey)));
const BLOCKED = parseProtocolPortList('22,3389,udp:161', 'blockedPorts');

const tcp = (port: number, cidr: string, direction: SgRule['direction'] = 'ingress'): SgRule => ({
  direction,
  protocol: 'tcp',
  fromPort: port,
  toPort: port,
  peer: { kind: cidr.includes(':') ? 'cidrIpv6' : 'cidr', value: cidr },
});
const allTraffic = (cidr: string, direction: SgRule['direction']): SgRule => ({
  direction,
  protocol: '-1',
  peer: { kind: 'cidr', value: cidr },
});

function group(ingress: SgRule[], egress: SgRule[] = [], tags: Record<string, string> = {}): GroupState {
  return { groupId: GROUP_ID, groupName: 'web-prod', tags, ingress, egress };
}

function baseline(partial: Partial<Baseline> = {}): Baseline {
  return {
    name: 'web',
    mode: 'enforce',
    groupIds: [GROUP_ID],
    tags: [{ key: 'plumbline:baseline', value: 'web' }],
    ingress: [tcp(443, '0.0.0.0/0')],
    egress: [allTraffic('0.0.0.0/0', 'egress')],
    ...partial,
  };
}

const matched = (value: Baseline): BaselineResolution => ({
  kind: 'matched',
  baseline: value,
  via: `group id ${GROUP_ID}`,
  binding: 'group-id',
});

describe('planRemediation', () => {
  it('revokes extras and restores missing rules of a baseline in enforce mode', () => {
    const state = group([tcp(8080, '10.0.0.0/8')], [allTraffic('0.0.0.0/0', 'egress')]);
    const plan = planRemediation(state, matched(baseline()), { blocked: BLOCKED, mode: 'off' });
    expect(plan.changes).toEqual([
      { action: 'revoke', rule: tcp(8080, '10.0.0.0/8'), causes: ['extra'], enforce: true },
      { action: 'authorize', rule: tcp(443, '0.0.0.0/0'), causes: ['missing'], enforce: true },
    ]);
    expect(plan.baseline).toEqual({
      name: 'web',
      mode: 'enforce',
      via: `group id ${GROUP_ID}`,
      binding: 'group-id',
    });
    expect(plan.reasons.map((reason) => reason.message)).toEqual([
      'extra: tcp 8080 from 10.0.0.0/8',
      'missing: tcp 443 from 0.0.0.0/0',
    ]);
  });

  it('plans but does not enforce in report mode', () => {
    const state = group(
      [tcp(8080, '10.0.0.0/8'), tcp(443, '0.0.0.0/0')],
      [allTraffic('0.0.0.0/0', 'egress')],
    );
    const plan = planRemediation(state, matched(baseline({ mode: 'report' })), {
      blocked: BLOCKED,
      mode: 'off',
    });
    expect(plan.changes).toEqual([
      { action: 'revoke', rule: tcp(8080, '10.0.0.0/8'), causes: ['extra'], enforce: false },
    ]);
    expect(applyPlan(state, plan)).toEqual(state);
  });

  it('on a group without a baseline, revokes only world-open rules on blocked ports', () => {
    const state = group(
      [
        tcp(22, '0.0.0.0/0'),
        tcp(22, '10.0.0.0/8'),
        tcp(443, '0.0.0.0/0'),
        allTraffic('0.0.0.0/0', 'ingress'),
      ],
      [allTraffic('0.0.0.0/0', 'egress')],
    );
    const plan = planRemediation(state, { kind: 'none' }, { blocked: BLOCKED, mode: 'enforce' });
    expect(plan.changes).toEqual([
      { action: 'revoke', rule: tcp(22, '0.0.0.0/0'), causes: ['blocked-port'], enforce: true },
      { action: 'revoke', rule: allTraffic('0.0.0.0/0', 'ingress'), causes: ['blocked-port'], enforce: true },
    ]);
    expect(plan.reasons.map((reason) => reason.message)).toEqual([
      'tcp 22 open to 0.0.0.0/0',
      'tcp 22,3389 open to 0.0.0.0/0 via all traffic',
      'udp 161 open to 0.0.0.0/0 via all traffic',
    ]);
  });

  it('a rule both extra and on a blocked port is one revoke with both causes, enforced if either is', () => {
    const state = group([tcp(443, '0.0.0.0/0'), tcp(3389, '::/0')], [allTraffic('0.0.0.0/0', 'egress')]);
    const plan = planRemediation(state, matched(baseline({ mode: 'report' })), {
      blocked: BLOCKED,
      mode: 'enforce',
    });
    expect(plan.changes).toEqual([
      { action: 'revoke', rule: tcp(3389, '::/0'), causes: ['extra', 'blocked-port'], enforce: true },
    ]);
  });

  it('with the blocked-ports policy off and no baseline, plans nothing', () => {
    const plan = planRemediation(
      group([tcp(22, '0.0.0.0/0')]),
      { kind: 'none' },
      { blocked: BLOCKED, mode: 'off' },
    );
    expect(plan.changes).toEqual([]);
  });

  it('refuses an undeclared, conflicting or empty baseline, naming the group and the baseline', () => {
    const state = group([tcp(22, '10.0.0.0/8')]);
    const policy = { blocked: BLOCKED, mode: 'enforce' as const };
    expect(() => planRemediation(state, { kind: 'unknown', name: 'api' }, policy)).toThrow(
      new BaselineError(
        GROUP_ID,
        'api',
        `security group ${GROUP_ID} is tagged plumbline:baseline=api, but no baseline api is declared`,
      ),
    );
    expect(() => planRemediation(state, { kind: 'conflict', names: ['web', 'api'] }, policy)).toThrow(
      `security group ${GROUP_ID} matches baselines web and api; a group must match one baseline`,
    );
    expect(() =>
      planRemediation(state, matched(baseline({ ingress: [], egress: undefined })), policy),
    ).toThrow(`baseline web for security group ${GROUP_ID} declares no rules; refusing to revoke every rule`);
  });
});

describe('toIpPermissions', () => {
  it('batches rules by protocol and ports, one list per peer kind; descriptions only when asked', () => {
    const rules: SgRule[] = [
      { ...tcp(443, '0.0.0.0/0'), description: 'HTTPS' },
      tcp(443, '::/0'),
      {
        direction: 'ingress',
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        peer: { kind: 'prefixList', value: 'pl-0123456789abcdef0' },
      },
      {
        direction: 'ingress',
        protocol: '-1',
        peer: { kind: 'group', value: 'sg-0fedcba9876543210', userId: '123456789012' },
      },
      {
        direction: 'ingress',
        protocol: 'icmp',
        fromPort: 8,
        toPort: -1,
        peer: { kind: 'cidr', value: '10.0.0.0/8' },
      },
    ];
    expect(toIpPermissions(rules, true)).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTPS' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
        PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }],
      },
      { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-0fedcba9876543210', UserId: '123456789012' }] },
      { IpProtocol: 'icmp', FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    ]);
    expect(toIpPermissions(rules.slice(0, 1), false)).toEqual([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ]);
  });
});

// ---- Safety properties ----

const peerArb: fc.Arbitrary<Peer> = fc.oneof(
  fc
    .constantFrom('0.0.0.0/0', '10.0.0.0/8', '203.0.113.0/24')
    .map((value) => ({ kind: 'cidr' as const, value })),
  fc.constantFrom('::/0', '2001:db8::/32').map((value) => ({ kind: 'cidrIpv6' as const, value })),
  fc.constantFrom('pl-0123456789abcdef0').map((value) => ({ kind: 'prefixList' as const, value })),
  fc
    .constantFrom('sg-0fedcba9876543210', 'sg-0aaaabbbbccccdddd')
    .map((value) => ({ kind: 'group' as const, value })),
);

const trafficArb = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('tcp', 'udp'),
      fc.constantFrom<[number, number]>(
        [22, 22],
        [161, 161],
        [443, 443],
        [3389, 3389],
        [0, 65535],
        [1000, 2000],
      ),
    )
    .map(([protocol, [fromPort, toPort]]) => ({ protocol, fromPort, toPort })),
  fc.constant({ protocol: 'icmp', fromPort: 8, toPort: -1 }),
  fc.constant({ protocol: '-1', fromPort: undefined, toPort: undefined }),
);

const ruleArb = (direction: SgRule['direction']): fc.Arbitrary<SgRule> =>
  fc
    .tuple(trafficArb, peerArb, fc.option(fc.constantFrom('a', 'b'), { nil: undefined }))
    .map(([traffic, peer, description]) => ({
      direction,
      ...traffic,
      peer,
      ...(description ? { description } : {}),
    }));

const rulesArb = (direction: SgRule['direction']) => fc.array(ruleArb(direction), { maxLength: 8 });

const stateArb = fc
  .tuple(rulesArb('ingress'), rulesArb('egress'))
  .map(([ingress, egress]) => group(ingress, egress));

/** Baselines as parsing admits them: at least one rule, no world-open blocked port declared. */
const baselineArb = fc
  .record({
    mode: fc.constantFrom<Baseline['mode']>('enforce', 'report'),
    ingress: fc.option(rulesArb('ingress'), { nil: undefined }),
    egress: fc.option(rulesArb('egress'), { nil: undefined }),
  })
  .map(({ mode, ingress, egress }) =>
    baseline({
      mode,
      ingress: ingress?.filter((rule) => !flagged(ingress).has(ruleKey(rule))),
      egress,
    }),
  )
  .filter((value) => (value.ingress?.length ?? 0) + (value.egress?.length ?? 0) > 0);

const modeArb = fc.constantFrom<BlockedPortsMode>('enforce', 'report', 'off');
const keys = (rules: readonly SgRule[] = []) => new Set(rules.map(ruleKey));
const RUNS = { numRuns: 200 };

describe('planRemediation: safety properties', () => {
  it('a group bound by a tag never gets an enforced authorize: missing rules are held back', () => {
    fc.assert(
      fc.property(stateArb, baselineArb, modeArb, (state, declared, mode) => {
        const byTag: BaselineResolution = {
          kind: 'matched',
          baseline: declared,
          via: 'tag plumbline:baseline=web',
          binding: 'tag',
        };
        const plan = planRemediation(state, byTag, { blocked: BLOCKED, mode });
        for (const change of plan.changes.filter((candidate) => candidate.action === 'authorize')) {
          expect(change.enforce).toBe(false);
          expect(change.heldBack).toBe(declared.mode === 'enforce' ? 'tag-bound' : undefined);
        }
      }),
      RUNS,
    );
  });

  it('authorizes only rules of the baseline', () => {
    fc.assert(
      fc.property(stateArb, baselineArb, modeArb, (state, declared, mode) => {
        const plan = planRemediation(state, matched(declared), { blocked: BLOCKED, mode });
        const declaredKeys = keys([...(declared.ingress ?? []), ...(declared.egress ?? [])]);
        for (const change of plan.changes.filter((candidate) => candidate.action === 'authorize')) {
          expect(declaredKeys.has(ruleKey(change.rule))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('never revokes a rule of the baseline, even one that opens a blocked port', () => {
    const anyBaseline = fc
      .tuple(baselineArb, rulesArb('ingress'))
      .map(([declared, extra]) => ({ ...declared, ingress: [...(declared.ingress ?? []), ...extra] }));
    fc.assert(
      fc.property(stateArb, anyBaseline, modeArb, (state, declared, mode) => {
        const plan = planRemediation(state, matched(declared), { blocked: BLOCKED, mode });
        const declaredKeys = keys([...(declared.ingress ?? []), ...(declared.egress ?? [])]);
        for (const change of plan.changes.filter((candidate) => candidate.action === 'revoke')) {
          expect(declaredKeys.has(ruleKey(change.rule))).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('applying an enforced plan yields the baseline in each managed direction, and closes blocked ports elsewhere', () => {
    fc.assert(
      fc.property(stateArb, baselineArb, modeArb, (state, declared, mode) => {
        const enforced = { ...declared, mode: 'enforce' as const };
        const after = applyPlan(state, planRemediation(state, matched(enforced), { blocked: BLOCKED, mode }));
        for (const direction of ['ingress', 'egress'] as const) {
          const declaredRules = enforced[direction];
          if (declaredRules !== undefined) expect(keys(after[direction])).toEqual(keys(declaredRules));
          else if (direction === 'egress') expect(after.egress).toEqual(state.egress);
        }
        if (enforced.ingress === undefined) {
          const expected =
            mode === 'enforce'
              ? state.ingress.filter((rule) => !flagged(state.ingress).has(ruleKey(rule)))
              : state.ingress;
          expect(keys(after.ingress)).toEqual(keys(expected));
        }
      }),
      RUNS,
    );
  });

  it('a plan on a group that already equals its baseline is empty, whatever the order and descriptions', () => {
    fc.assert(
      fc.property(
        baselineArb,
        rulesArb('egress'),
        modeArb,
        fc.boolean(),
        (declared, unmanaged, mode, reverse) => {
          const order = (rules: readonly SgRule[]) => (reverse ? [...rules].reverse() : [...rules]);
          const redescribed = (rules: readonly SgRule[]) =>
            order(rules).map((rule) => ({ ...rule, description: 'changed' }));
          const state = group(
            redescribed(declared.ingress ?? []),
            declared.egress === undefined ? unmanaged : redescribed(declared.egress),
          );
          expect(planRemediation(state, matched(declared), { blocked: BLOCKED, mode }).changes).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('is idempotent: after an enforced plan, planning again finds nothing (a duplicate event is harmless)', () => {
    fc.assert(
      fc.property(stateArb, fc.option(baselineArb, { nil: undefined }), modeArb, (state, declared, mode) => {
        const resolution: BaselineResolution =
          declared === undefined ? { kind: 'none' } : matched({ ...declared, mode: 'enforce' });
        const policy = { blocked: BLOCKED, mode: mode === 'report' ? ('enforce' as const) : mode };
        const after = applyPlan(state, planRemediation(state, resolution, policy));
        expect(planRemediation(after, resolution, policy).changes).toEqual([]);
      }),
      RUNS,
    );
  });

  it('a missing or empty baseline is an error naming the group and the baseline, never a plan', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    fc.assert(
      fc.property(stateArb, name, modeArb, (state, baselineName, mode) => {
        const tagged = { ...state, tags: { 'plumbline:baseline': baselineName } };
        const resolution = resolveBaseline(tagged, []);
        expect(() => planRemediation(tagged, resolution, { blocked: BLOCKED, mode })).toThrow(
          `security group ${GROUP_ID} is tagged plumbline:baseline=${baselineName}, but no baseline ${baselineName} is declared`,
        );
        const empty = baseline({ name: baselineName, ingress: [], egress: [] });
        expect(() => planRemediation(state, matched(empty), { blocked: BLOCKED, mode })).toThrow(
          `baseline ${baselineName} for security group ${GROUP_ID} declares no rules; refusing to revoke every rule`,
        );
      }),
      RUNS,
    );
  });
});

/** `a.b.c.d` of a 32-bit number. */
const ipv4 = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

/** Blocks that together are every IPv4 address: 0.0.0.0/0 split in halves where `splits` says, down to /6. */
function partition(splits: readonly boolean[]): string[] {
  let next = 0;
  const walk = (start: number, prefix: number): string[] => {
    if (prefix < 6 && splits[next++ % splits.length]) {
      const half = 2 ** (31 - prefix);
      return [...walk(start, prefix + 1), ...walk(start + half, prefix + 1)];
    }
    return [`${ipv4(start)}/${prefix}`];
  };
  return walk(0, 0);
}

/** A rule from the block over ports that include 22 (or all traffic). */
const reaching22 = (cidr: string) =>
  fc.oneof(
    fc.record({ from: fc.integer({ min: 0, max: 22 }), to: fc.integer({ min: 22, max: 65535 }) }).map(
      ({ from, to }): SgRule => ({
        direction: 'ingress',
        protocol: 'tcp',
        fromPort: from,
        toPort: to,
        peer: { kind: 'cidr', value: cidr },
      }),
    ),
    fc.constant<SgRule>({ direction: 'ingress', protocol: '-1', peer: { kind: 'cidr', value: cidr } }),
  );

const worldByUnionArb = fc
  .tuple(
    fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
    fc.array(fc.constantFrom('10.0.0.0/8', '192.168.0.0/16', '64.0.0.0/3', '203.0.113.0/24'), {
      maxLength: 3,
    }),
  )
  .chain(([splits, extra]) => fc.tuple(...[...partition(splits), ...extra].map(reaching22)))
  .chain((rules) => fc.shuffledSubarray(rules, { minLength: rules.length, maxLength: rules.length }));

/** The IPv4 blocks from which tcp 22 is reachable after the plan, merged. */
function reachingPort22(rules: readonly SgRule[]): string[] {
  const reaching = rules.filter(
    (rule) =>
      rule.protocol === '-1' ||
      (rule.protocol === 'tcp' && (rule.fromPort ?? 0) <= 22 && (rule.toPort ?? 65535) >= 22),
  );
  return mergeCidr(reaching.map((rule) => rule.peer.value));
}

describe('world-open by the union of ranges: properties', () => {
  it('ranges whose union is every IPv4 address on tcp 22 are NON_COMPLIANT, and the enforced plan leaves 22 not world-open', () => {
    fc.assert(
      fc.property(worldByUnionArb, (ingress) => {
        const state = group(ingress);
        expect(reachingPort22(ingress)).toEqual(['0.0.0.0/0']);
        const verdict = judgeSecurityGroup(state, { blocked: BLOCKED, baselines: [] });
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.reasons.map((reason) => reason.code)).toContain('world-open-blocked-port');
        const plan = planRemediation(state, { kind: 'none' }, { blocked: BLOCKED, mode: 'enforce' });
        expect(plan.changes.every((change) => change.action === 'revoke')).toBe(true);
        const after = applyPlan(state, plan);
        expect(reachingPort22(after.ingress)).not.toContain('0.0.0.0/0');
      }),
      RUNS,
    );
  });

  it('never revokes a narrow range that broader ones already hold', () => {
    fc.assert(
      fc.property(worldByUnionArb, (ingress) => {
        const narrow: SgRule = { ...tcp(22, '198.51.100.0/24') };
        const state = group([...ingress, narrow]);
        const plan = planRemediation(state, { kind: 'none' }, { blocked: BLOCKED, mode: 'enforce' });
        expect(plan.changes.map((change) => ruleKey(change.rule))).not.toContain(ruleKey(narrow));
      }),
      RUNS,
    );
  });
});
