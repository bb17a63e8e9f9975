import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ComplianceChange,
  complianceChangeEventPattern,
  complianceChangeNotice,
  decide,
  isWatchedRule,
  notifierSettingsFromEnv,
  parseComplianceChangeEvent,
  plainRuleName,
  RecentKeys,
  transitionKey,
} from '../../shared/core/compliance-change.ts';
import type { ComplianceState } from '../../shared/core/notification.ts';
import { complianceEvent as fixture, withDetail } from '../fixtures/notifier/events.ts';

const defaults = { rulePrefix: 'plumbline-', notifyAllRules: false };
const SG = {
  type: 'AWS::EC2::SecurityGroup',
  id: 'sg-0123456789abcdef0',
  accountId: '123456789012',
  region: 'us-east-1',
};

describe('parseComplianceChangeEvent', () => {
  it('reads a first evaluation, which has no oldEvaluationResult', () => {
    expect(parseComplianceChangeEvent(fixture('first-evaluation-non-compliant'))).toEqual({
      eventId: '2b3f6a52-3a3e-4c7d-9d8b-6f1b3f8a1c01',
      rule: 'plumbline-security-group',
      ruleArn: 'arn:aws:config:us-east-1:123456789012:config-rule/config-rule-ab12cd',
      resource: SG,
      compliance: 'NON_COMPLIANT',
      previousCompliance: undefined,
      annotation: 'tcp 22 open to 0.0.0.0/0',
      previousAnnotation: undefined,
      orderingTimestamp: new Date('2024-05-14T10:07:31.512Z'),
    });
  });

  it('reads a resolution, with the finding that no longer holds and a null annotation', () => {
    const change = parseComplianceChangeEvent(fixture('non-compliant-to-compliant'));
    expect(change).toMatchObject({
      compliance: 'COMPLIANT',
      previousCompliance: 'NON_COMPLIANT',
      annotation: undefined,
      previousAnnotation: 'tcp 22 open to 0.0.0.0/0',
      orderingTimestamp: new Date('2024-05-14T10:21:40.118Z'),
    });
  });

  it('accepts an oldEvaluationResult of null as a first evaluation', () => {
    const event = withDetail(fixture('compliant-to-non-compliant'), { oldEvaluationResult: null });
    expect(parseComplianceChangeEvent(event).previousCompliance).toBeUndefined();
  });

  it.each([
    [
      'another detail-type',
      { ...fixture('compliant-to-non-compliant'), 'detail-type': 'AWS API Call via CloudTrail' },
      'event.detail-type: Invalid input: expected "Config Rules Compliance Change"',
    ],
    [
      'a missing compliance type',
      withDetail(fixture('compliant-to-non-compliant'), {
        newEvaluationResult: {
          evaluationResultIdentifier: { orderingTimestamp: '2024-05-14T10:07:31.512Z' },
        },
      }),
      'event.detail.newEvaluationResult.complianceType: Invalid option: expected one of "COMPLIANT"|"NON_COMPLIANT"|"NOT_APPLICABLE"|"INSUFFICIENT_DATA"',
    ],
    [
      'a bad account id',
      withDetail(fixture('compliant-to-non-compliant'), { awsAccountId: '1234' }),
      'event.detail.awsAccountId: must be a 12-digit account id',
    ],
    [
      'a bad ordering time',
      withDetail(fixture('compliant-to-non-compliant'), {
        newEvaluationResult: {
          evaluationResultIdentifier: { orderingTimestamp: 'yesterday' },
          complianceType: 'NON_COMPLIANT',
        },
      }),
      'event.detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp: must be an ISO 8601 timestamp',
    ],
  ])('rejects %s, naming the field', (_, event, problem) => {
    expect(() => parseComplianceChangeEvent(event)).toThrow(
      `Invalid Config compliance change event: ${problem}`,
    );
  });
});

function change(
  previousCompliance: ComplianceState | undefined,
  compliance: ComplianceState,
): ComplianceChange {
  return {
    eventId: 'e-1',
    rule: 'plumbline-security-group',
    resource: SG,
    compliance,
    previousCompliance,
    orderingTimestamp: new Date('2024-05-14T10:07:31.512Z'),
  };
}

describe('decide', () => {
  it.each([
    [undefined, 'NON_COMPLIANT', 'detected', 'is NON_COMPLIANT'],
    ['COMPLIANT', 'NON_COMPLIANT', 'detected', 'turned NON_COMPLIANT'],
    ['NOT_APPLICABLE', 'NON_COMPLIANT', 'detected', 'turned NON_COMPLIANT'],
    ['INSUFFICIENT_DATA', 'NON_COMPLIANT', 'detected', 'turned NON_COMPLIANT'],
    ['NON_COMPLIANT', 'COMPLIANT', 'resolved', 'is COMPLIANT again'],
  ] as const)('%s -> %s is told: %s', (previous, current, outcome, headline) => {
    expect(decide(change(previous, current), defaults)).toEqual({
      notify: true,
      outcome,
      headline,
      compliance: current,
    });
  });

  it.each([
    [undefined, 'COMPLIANT', 'no previous result -> COMPLIANT is neither a new finding nor a resolution'],
    ['NOT_APPLICABLE', 'COMPLIANT', 'NOT_APPLICABLE -> COMPLIANT is neither a new finding nor a resolution'],
    [
      'NON_COMPLIANT',
      'NOT_APPLICABLE',
      'NON_COMPLIANT -> NOT_APPLICABLE is neither a new finding nor a resolution',
    ],
    ['NON_COMPLIANT', 'NON_COMPLIANT', 'compliance unchanged (NON_COMPLIANT)'],
    [
      'COMPLIANT',
      'INSUFFICIENT_DATA',
      'COMPLIANT -> INSUFFICIENT_DATA is neither a new finding nor a resolution',
    ],
  ] as const)('%s -> %s is skipped', (previous, current, reason) => {
    expect(decide(change(previous, current), defaults)).toEqual({ notify: false, reason });
  });

  it("skips other rules' changes unless configured to tell about all rules", () => {
    const other = { ...change('COMPLIANT', 'NON_COMPLIANT'), rule: 'restricted-ssh' };
    expect(decide(other, defaults)).toEqual({
      notify: false,
      reason: 'rule restricted-ssh does not start with plumbline-',
    });
    expect(decide(other, { ...defaults, notifyAllRules: true })).toMatchObject({ notify: true });
  });

  it('tells exactly about transitions to NON_COMPLIANT and NON_COMPLIANT -> COMPLIANT', () => {
    const state = fc.constantFrom<ComplianceState>(
      'COMPLIANT',
      'NON_COMPLIANT',
      'NOT_APPLICABLE',
      'INSUFFICIENT_DATA',
    );
    fc.assert(
      fc.property(fc.option(state, { nil: undefined }), state, (previous, current) => {
        const expected =
          previous !== current &&
          (current === 'NON_COMPLIANT' || (current === 'COMPLIANT' && previous === 'NON_COMPLIANT'));
        expect(decide(change(previous, current), defaults).notify).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('isWatchedRule', () => {
  it.each([
    ['plumbline-security-group', true],
    ['OrgConfigRule-plumbline-security-group-dbgzf8ba', true],
    ['plumbline-public-bucket-conformance-pack-szsm1uv0w', true],
    ['restricted-ssh', false],
    ['OrgConfigRule-restricted-ssh-dbgzf8ba', false],
    ['my-plumbline-rule', false],
  ])('%s -> %s', (name, watched) => {
    expect(isWatchedRule(name, defaults)).toBe(watched);
  });

  it('uses the configured prefix', () => {
    expect(isWatchedRule('guard-tags', { rulePrefix: 'guard-', notifyAllRules: false })).toBe(true);
    expect(isWatchedRule('plumbline-tags', { rulePrefix: 'guard-', notifyAllRules: false })).toBe(false);
  });
});

describe('plainRuleName', () => {
  it.each([
    ['OrgConfigRule-plumbline-public-bucket-a1b2c3', 'plumbline-public-bucket'],
    ['OrgConfigRule-plumbline-security-group-dbgzf8ba', 'plumbline-security-group'],
    ['OrgConfigRule-restricted-ssh-dbgzf8ba', 'restricted-ssh'],
    ['plumbline-public-bucket', 'plumbline-public-bucket'],
    ['restricted-ssh', 'restricted-ssh'],
  ])('%s -> %s', (name, plain) => {
    expect(plainRuleName(name)).toBe(plain);
  });
});

describe('deduplication', () => {
  it('gives one transition the same key whatever the event id, and another transition another key', () => {
    const first = parseComplianceChangeEvent(fixture('compliant-to-non-compliant'));
    const again = parseComplianceChangeEvent({ ...fixture('compliant-to-non-compliant'), id: 'other-id' });
    expect(transitionKey(again)).toBe(transitionKey(first));
    expect(transitionKey(first)).toBe(
      '123456789012|us-east-1|plumbline-security-group|AWS::EC2::SecurityGroup|sg-0123456789abcdef0|COMPLIANT|NON_COMPLIANT|2024-05-14T10:07:31.512Z',
    );
    const resolution = parseComplianceChangeEvent(fixture('non-compliant-to-compliant'));
    expect(transitionKey(resolution)).not.toBe(transitionKey(first));
  });

  it('remembers a bounded number of keys, forgetting the least recently used', () => {
    const recent = new RecentKeys(2);
    recent.add('a');
    recent.add('b');
    expect(recent.has('a')).toBe(true); // a is now the most recent
    recent.add('c');
    expect(recent.has('b')).toBe(false);
    expect(recent.has('a')).toBe(true);
    expect(recent.has('c')).toBe(true);
    expect(recent.size).toBe(2);
  });
});

describe('notifierSettingsFromEnv', () => {
  const topic = 'arn:aws:sns:us-east-1:123456789012:plumbline-notifications';

  it('applies the defaults', () => {
    expect(notifierSettingsFromEnv({ PLUMBLINE_TOPIC_ARN: topic })).toEqual({
      topicArn: topic,
      rulePrefix: 'plumbline-',
      notifyAllRules: false,
      lookupWindowMinutes: 15,
      executionRoleName: undefined,
    });
  });

  it('reads every variable', () => {
    expect(
      notifierSettingsFromEnv({
        PLUMBLINE_TOPIC_ARN: topic,
        PLUMBLINE_RULE_PREFIX: 'guard-',
        PLUMBLINE_NOTIFY_ALL_RULES: 'TRUE',
        PLUMBLINE_LOOKUP_WINDOW_MINUTES: '30',
        PLUMBLINE_EXECUTION_ROLE_NAME: 'plumbline-execution',
      }),
    ).toEqual({
      topicArn: topic,
      rulePrefix: 'guard-',
      notifyAllRules: true,
      lookupWindowMinutes: 30,
      executionRoleName: 'plumbline-execution',
    });
  });

  it.each([
    [{}, 'Missing environment variable PLUMBLINE_TOPIC_ARN: the SNS topic ARN to publish to'],
    [
      { PLUMBLINE_TOPIC_ARN: 'plumbline-notifications' },
      'Invalid environment variable PLUMBLINE_TOPIC_ARN="plumbline-notifications": expected an SNS topic ARN (arn:aws:sns:region:account:name)',
    ],
    [
      { PLUMBLINE_TOPIC_ARN: `${topic}.fifo` },
      `Invalid environment variable PLUMBLINE_TOPIC_ARN="${topic}.fifo": a FIFO topic cannot deliver to email or SMS subscribers; use a standard topic`,
    ],
    [
      { PLUMBLINE_TOPIC_ARN: topic, PLUMBLINE_NOTIFY_ALL_RULES: 'yes' },
      'Invalid environment variable PLUMBLINE_NOTIFY_ALL_RULES="yes": expected true or false',
    ],
    [
      { PLUMBLINE_TOPIC_ARN: topic, PLUMBLINE_LOOKUP_WINDOW_MINUTES: '0' },
      'Invalid environment variable PLUMBLINE_LOOKUP_WINDOW_MINUTES="0": expected a whole number of minutes from 1 to 1440',
    ],
    [
      { PLUMBLINE_TOPIC_ARN: topic, PLUMBLINE_LOOKUP_WINDOW_MINUTES: '7.5' },
      'Invalid environment variable PLUMBLINE_LOOKUP_WINDOW_MINUTES="7.5": expected a whole number of minutes from 1 to 1440',
    ],
    [
      { PLUMBLINE_TOPIC_ARN: topic, PLUMBLINE_RULE_PREFIX: '' },
      'Invalid environment variable PLUMBLINE_RULE_PREFIX="": expected the start of a Config rule name: 1 to 128 characters, no spaces (or set PLUMBLINE_NOTIFY_ALL_RULES=true)',
    ],
    [
      { PLUMBLINE_TOPIC_ARN: topic, PLUMBLINE_EXECUTION_ROLE_NAME: 'role/with/path' },
      'Invalid environment variable PLUMBLINE_EXECUTION_ROLE_NAME="role/with/path": expected an IAM role name',
    ],
  ])('rejects %j, naming the variable', (env, message) => {
    expect(() => notifierSettingsFromEnv(env)).toThrow(message);
  });
});

describe('complianceChangeNotice', () => {
  it('builds the notice every sender shares', () => {
    const resolved = parseComplianceChangeEvent(fixture('non-compliant-to-compliant'));
    const decision = decide(resolved, defaults);
    if (!decision.notify) throw new Error('expected a notification');
    expect(
      complianceChangeNotice(resolved, decision, { actorNote: 'no event', resourceName: 'web-prod' }),
    ).toEqual({
      kind: 'compliance-change',
      headline: 'is COMPLIANT again',
      source: 'plumbline-security-group',
      rule: 'plumbline-security-group',
      resource: { ...SG, name: 'web-prod' },
      compliance: 'COMPLIANT',
      previousCompliance: 'NON_COMPLIANT',
      annotation: undefined,
      previousAnnotation: 'tcp 22 open to 0.0.0.0/0',
      actor: undefined,
      actorNote: 'no event',
      outcome: 'resolved',
      when: '2024-05-14T10:21:40.118Z',
    });
  });

  it('gives an organisation rule the plain rule name to filter on, and keeps its Config name as source', () => {
    const orgRule = 'OrgConfigRule-plumbline-public-bucket-a1b2c3';
    const detected = parseComplianceChangeEvent(
      withDetail(fixture('compliant-to-non-compliant'), { configRuleName: orgRule }),
    );
    const decision = decide(detected, defaults);
    if (!decision.notify) throw new Error('expected a notification');
    expect(complianceChangeNotice(detected, decision)).toMatchObject({
      source: orgRule,
      rule: 'plumbline-public-bucket',
    });
  });
});

describe('complianceChangeEventPattern', () => {
  it("matches Plumbline's rules, including organization rules, and only the transitions told", () => {
    expect(complianceChangeEventPattern(defaults)).toEqual({
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: {
        messageType: ['ComplianceChangeNotification'],
        newEvaluationResult: { complianceType: ['NON_COMPLIANT', 'COMPLIANT'] },
        configRuleName: [{ prefix: 'plumbline-' }, { prefix: 'OrgConfigRule-plumbline-' }],
      },
    });
    expect(complianceChangeEventPattern({ ...defaults, notifyAllRules: true }).detail).not.toHaveProperty(
      'configRuleName',
    );
  });
});
