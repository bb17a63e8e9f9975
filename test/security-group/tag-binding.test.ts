/**
 * A tag is data someone else controls (anyone allowed `ec2:CreateTags`): it must never make sg-drift-revert
 * authorize anything. Only a group listed by id in a baseline's `match.groupIds` gets missing rules restored.
 */
import { DescribeSecurityGroupRulesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createDriftRevert } from '../../shared/aws/responders.ts';
import {
  type EventFixture,
  FUNCTION_ARN,
  GROUP_ID,
  TOPIC_ARN,
  trailEvent,
} from '../fixtures/security-group/index.ts';
import { type Atom, FakeSecurityGroup } from '../reliability/support/fake-ec2.ts';

const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);

beforeEach(() => {
  ec2.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

const NAMES = ['web', 'api', 'db'] as const;
type Name = (typeof NAMES)[number];
/** A group listed by another baseline: listing the same id twice is refused, so each gets its own. */
const OTHER_GROUPS: Record<Name, string> = {
  web: 'sg-0000000000000000a',
  api: 'sg-0000000000000000b',
  db: 'sg-0000000000000000c',
};

/** Rules a baseline may declare (world-open ones included; blocked ports 22 and 3389 cannot be declared). */
const INGRESS_POOL: Atom[] = [
  'ingress tcp 443-443 cidr:0.0.0.0/0',
  'ingress tcp 443-443 cidrIpv6:::/0',
  'ingress tcp 80-80 cidr:0.0.0.0/0',
  'ingress tcp 8080-8080 cidr:10.0.0.0/8',
  'ingress -1 group:sg-0fedcba9876543210',
];
const EGRESS_POOL: Atom[] = [
  'egress -1 cidr:0.0.0.0/0',
  'egress -1 cidrIpv6:::/0',
  'egress tcp 443-443 cidr:0.0.0.0/0',
  'egress tcp 5432-5432 cidr:10.0.0.0/8',
];
/** What a group may hold now: any of the above, and world-open blocked ports. */
const CURRENT_POOL: Atom[] = [
  ...INGRESS_POOL,
  ...EGRESS_POOL,
  'ingress tcp 22-22 cidr:0.0.0.0/0',
  'ingress -1 cidr:0.0.0.0/0',
];
const EVENTS: EventFixture[] = [
  'authorize-security-group-ingress',
  'authorize-security-group-ingress-by-name',
  'authorize-security-group-egress',
  'revoke-security-group-ingress',
  'revoke-security-group-ingress-by-rule-id',
  'revoke-security-group-egress',
  'modify-security-group-rules',
];

/** `ingress tcp 443-443 cidr:0.0.0.0/0` → `{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }`. */
function configRule(atom: Atom): Record<string, unknown> {
  const parts = atom.split(' ');
  const [, protocol = '', ports = ''] = parts;
  const peer = parts[parts.length - 1] ?? '';
  const [kind = '', value = ''] = peer.split(/:(.*)/s);
  const peerField = { cidr: 'cidr', cidrIpv6: 'cidrIpv6', group: 'groupId' }[kind] ?? kind;
  if (protocol === '-1') return { protocol: -1, [peerField]: value };
  const [from, to] = ports.split('-').map(Number);
  return { protocol, fromPort: from, toPort: to, [peerField]: value };
}

interface BaselineDraft {
  mode: 'enforce' | 'report';
  ingress: Atom[] | null;
  egress: Atom[] | null;
  customTag: boolean;
  listsOtherGroup: boolean;
}

const draftArb: fc.Arbitrary<BaselineDraft> = fc
  .record({
    mode: fc.constantFrom<BaselineDraft['mode']>('enforce', 'report'),
    ingress: fc.option(fc.subarray(INGRESS_POOL)),
    egress: fc.option(fc.subarray(EGRESS_POOL)),
    customTag: fc.boolean(),
    listsOtherGroup: fc.boolean(),
  })
  .map((draft) =>
    (draft.ingress?.length ?? 0) + (draft.egress?.length ?? 0) === 0
      ? { ...draft, ingress: [INGRESS_POOL[0] as Atom] }
      : draft,
  );

const configArb = fc.record({
  drafts: fc.record({ web: fc.option(draftArb), api: fc.option(draftArb), db: fc.option(draftArb) }),
  idOwner: fc.option(fc.constantFrom<Name>(...NAMES)),
  tags: fc.dictionary(
    fc.constantFrom('plumbline:baseline', 'team', 'Name', 'env'),
    fc.constantFrom('web', 'api', 'db', 'prod', ''),
  ),
  current: fc.subarray(CURRENT_POOL),
  event: fc.constantFrom(...EVENTS),
  blockedPortsMode: fc.constantFrom('enforce', 'report', 'off'),
});

function baselinesConfig(drafts: Record<Name, BaselineDraft | null>, idOwner: Name | null) {
  const config: Record<string, unknown> = {};
  for (const name of NAMES) {
    const draft = drafts[name];
    if (draft === null) continue;
    const groupIds = [
      ...(idOwner === name ? [GROUP_ID] : []),
      ...(draft.listsOtherGroup ? [OTHER_GROUPS[name]] : []),
    ];
    const match =
      groupIds.length === 0 && !draft.customTag
        ? undefined
        : {
            ...(groupIds.length > 0 ? { groupIds } : {}),
            ...(draft.customTag ? { tag: { key: 'team', value: name } } : {}),
          };
    config[name] = {
      mode: draft.mode,
      ...(match ? { match } : {}),
      ...(draft.ingress ? { ingress: draft.ingress.map(configRule) } : {}),
      ...(draft.egress ? { egress: draft.egress.map(configRule) } : {}),
    };
  }
  return config;
}

const WORLD = /(cidr:0\.0\.0\.0\/0|cidrIpv6:::\/0)$/;

describe('sg-drift-revert never authorizes because of a tag', () => {
  it('for any tags and any event, what is authorized is a subset of the id-bound enforce baseline, and nothing reaches the world unless it declares it', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, async ({ drafts, idOwner, tags, current, event, blockedPortsMode }) => {
        ec2.reset();
        const group = new FakeSecurityGroup(GROUP_ID, current, tags);
        group.install(ec2);
        ec2.on(DescribeSecurityGroupRulesCommand).resolves({
          SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0f6f6f6f6f6f6f6f6', GroupId: GROUP_ID }],
        });
        const handle = createDriftRevert({
          sns: new SNSClient({ region: 'us-east-1' }),
          sts: new STSClient({ region: 'us-east-1' }),
          ec2: new EC2Client({ region: 'us-east-1' }),
          environment: () => responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
          selfIdentity: () => ({ roleArns: [] }),
          suiteConfig: () => ({
            rules: { 'security-group': { blockedPorts: '22,3389' } },
            settings: {
              baselines: baselinesConfig(drafts, idOwner),
              responders: { 'sg-drift-revert': { blockedPortsMode } },
            },
          }),
          region: 'us-east-1',
        });
        // A conflict or an unknown baseline is an error (and changes nothing): still checked below.
        await handle(trailEvent(event), { invokedFunctionArn: FUNCTION_ARN }).catch(() => undefined);

        const idBound = idOwner === null ? null : drafts[idOwner];
        const allowed = new Set(
          idBound?.mode === 'enforce' ? [...(idBound.ingress ?? []), ...(idBound.egress ?? [])] : [],
        );
        const authorized = group.steps
          .filter((step) => step.call.startsWith('Authorize'))
          .flatMap((step) => step.requested);
        for (const atom of authorized) {
          expect(allowed.has(atom), `authorized ${atom}`).toBe(true);
          if (WORLD.test(atom)) expect(allowed.has(atom), `opened ${atom} to the world`).toBe(true);
        }
        if (idBound === null || idBound.mode !== 'enforce') expect(authorized).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
