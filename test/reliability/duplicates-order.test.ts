/**
 * EventBridge delivers at least once and in no guaranteed order. Whatever arrives, and however often, the
 * group ends equal to its baseline, and no call of the responder ever widens access: each step only removes
 * rules, or adds rules of the baseline.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createDriftRevert } from '../../shared/aws/responders.ts';
import { GROUP_ID, TOPIC_ARN, trailEvent } from '../fixtures/security-group/index.ts';
import { driftSuite, FUNCTION_CONTEXT, WEB_BASELINE } from './support/entry-points.ts';
import { type Atom, FakeSecurityGroup, rule } from './support/fake-ec2.ts';

const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);

/** WEB_BASELINE as atoms: what the group must end as. */
const BASELINE: Atom[] = [
  rule('ingress', 'tcp', 443, 'cidr:0.0.0.0/0'),
  rule('egress', '-1', undefined, 'cidr:0.0.0.0/0'),
];
const WORLD_SSH = rule('ingress', 'tcp', 22, 'cidr:0.0.0.0/0');
const HTTPS = BASELINE[0] as Atom;

function responder() {
  return createDriftRevert({
    sns: new SNSClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'us-east-1' }),
    environment: () => responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
    selfIdentity: () => ({ roleArns: [] }),
    suiteConfig: () => driftSuite({ baselines: { web: WEB_BASELINE } }),
    region: 'us-east-1',
  });
}

function webGroup(initial: readonly Atom[] = BASELINE): FakeSecurityGroup {
  const group = new FakeSecurityGroup(GROUP_ID, initial, { 'plumbline:baseline': 'web' });
  group.install(ec2);
  return group;
}

/** No step added a rule outside the baseline; every rule after a step was there before it or is the baseline's. */
function expectNeverWidened(group: FakeSecurityGroup): void {
  for (const step of group.steps) {
    for (const direction of ['ingress', 'egress'] as const) {
      for (const atom of step.after[direction]) {
        expect(
          step.before[direction].has(atom) || BASELINE.includes(atom),
          `${step.call} added ${atom}`,
        ).toBe(true);
      }
    }
    if (step.call.startsWith('Authorize'))
      expect(step.requested.every((atom) => BASELINE.includes(atom))).toBe(true);
  }
}

const authorizeEvent = () => trailEvent('authorize-security-group-ingress');
const revokeEvent = () => trailEvent('revoke-security-group-ingress');

beforeEach(() => {
  ec2.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

describe('duplicates and order', () => {
  it('the same CloudTrail event three times: reverted once, then nothing to do, group equal to its baseline', async () => {
    const group = webGroup();
    group.userAuthorize(WORLD_SSH);
    const handle = responder();
    const outcomes = [];
    for (let delivery = 0; delivery < 3; delivery++) {
      const result = await handle(authorizeEvent(), FUNCTION_CONTEXT);
      outcomes.push(result.status === 'handled' ? result.outcome : result.status);
    }
    expect(outcomes).toEqual(['applied', 'no-change', 'no-change']);
    expect(group.all()).toEqual(new Set(BASELINE));
    expect(group.steps.map((step) => step.call)).toEqual(['Revoke ingress']);
    expectNeverWidened(group);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a revoke that arrives after a later authorize: both undone by the first delivery, nothing by the second', async () => {
    const group = webGroup();
    group.userRevoke(HTTPS); // 10:08 someone revokes HTTPS (revoke event)
    group.userAuthorize(WORLD_SSH); // 10:09 then opens SSH (authorize event), delivered first
    const handle = responder();
    const first = await handle(authorizeEvent(), FUNCTION_CONTEXT);
    const second = await handle(revokeEvent(), FUNCTION_CONTEXT);
    expect(first).toMatchObject({ status: 'handled', outcome: 'applied' });
    expect(second).toMatchObject({ status: 'handled', outcome: 'no-change' });
    expect(group.steps.map((step) => step.call)).toEqual(['Revoke ingress', 'Authorize ingress']);
    expect(group.all()).toEqual(new Set(BASELINE));
    expectNeverWidened(group);
  });

  it('a late duplicate of an old event after the group was already restored changes nothing', async () => {
    const group = webGroup();
    const handle = responder();
    await handle(revokeEvent(), FUNCTION_CONTEXT);
    await handle(revokeEvent(), FUNCTION_CONTEXT);
    expect(group.steps).toEqual([]);
    expect(group.all()).toEqual(new Set(BASELINE));
  });

  it('property: any changes, each event delivered 1-3 times in any order after it happened, end at the baseline', async () => {
    const extras = [
      WORLD_SSH,
      rule('ingress', 'tcp', 8080, 'cidr:10.0.0.0/8'),
      rule('ingress', 'udp', 53, 'cidr:0.0.0.0/0'),
      rule('ingress', 'tcp', 443, 'cidrIpv6:::/0'),
      rule('egress', 'tcp', 25, 'cidr:0.0.0.0/0'),
    ];
    const change = fc.record({
      action: fc.constantFrom('authorize' as const, 'revoke' as const),
      atom: fc.constantFrom(...extras, ...BASELINE),
      copies: fc.integer({ min: 1, max: 3 }),
      deliverNow: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
        async (changes, picks) => {
          ec2.reset();
          const group = webGroup();
          const handle = responder();
          const pending: Record<string, unknown>[] = [];
          let pick = 0;
          const deliverOne = async () => {
            const index = (picks[pick++ % picks.length] ?? 0) % pending.length;
            const [event] = pending.splice(index, 1);
            await handle(event, FUNCTION_CONTEXT);
          };
          for (const { action, atom, copies, deliverNow } of changes) {
            if (action === 'authorize') group.userAuthorize(atom);
            else group.userRevoke(atom);
            for (let copy = 0; copy < copies; copy++)
              pending.push(action === 'authorize' ? authorizeEvent() : revokeEvent());
            for (let count = 0; count < deliverNow && pending.length > 0; count++) await deliverOne();
          }
          while (pending.length > 0) await deliverOne();
          expectNeverWidened(group);
          expect(group.all()).toEqual(new Set(BASELINE));
        },
      ),
      { numRuns: 100 },
    );
  });
});
