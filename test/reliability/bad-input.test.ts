/**
 * The bad-input corpus (corpus.ts) run through each entry point as its caller drives it: every malformed
 * input gets the answer its entry expects — an error that names the field, a NOT_APPLICABLE or "cannot tell"
 * NON_COMPLIANT verdict, or a responder's skipped / not-public status — never an unexplained crash, never
 * COMPLIANT, and no write to AWS when the answer is an error.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CORPUS, type CorpusEntry, type EntryPoint } from './corpus.ts';
import {
  baselinesOutcome,
  bucketResponderOutcome,
  configFileOutcome,
  configRuleOutcome,
  driftRevertOutcome,
  driftSuite,
  isExplainedError,
  notifierOutcome,
  type Outcome,
  parametersOutcome,
  ruleNamed,
  snapshotOutcome,
} from './support/entry-points.ts';

const config = mockClient(ConfigServiceClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const sns = mockClient(SNSClient);

// Entry points that do not reset the clients they use still start each input from clean stubs.
beforeEach(() => {
  for (const stub of [config, ec2, s3, s3control, sns]) stub.reset();
});

function run(entry: CorpusEntry): Promise<Outcome> {
  switch (entry.entry) {
    case 'config-event':
      return configRuleOutcome({ config }, ruleNamed(entry.rule ?? 'security-group'), entry.input);
    case 'sg-cloudtrail':
      return driftRevertOutcome(
        { ec2, sns },
        entry.input,
        entry.settings ? driftSuite(entry.settings) : undefined,
      );
    case 'bucket-cloudtrail':
      return bucketResponderOutcome({ s3, s3control, sns }, entry.input);
    case 'compliance-change':
      return notifierOutcome({ sns }, entry.input);
    case 'rule-parameters':
      return parametersOutcome(entry.rule ?? '', entry.input as Record<string, unknown>, entry.settings);
    case 'baselines':
      return baselinesOutcome(entry.input);
    case 'config-file':
      return configFileOutcome(entry.file ?? 'plumbline.config.yaml', entry.input as string);
    case 'snapshot-file':
      return snapshotOutcome(entry.file ?? 'snapshot.json', entry.input as string | Buffer);
  }
}

/** No entry point writes to AWS when its input is bad. */
function expectNoWrites(): void {
  expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 0);
  expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 0);
  expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 0);
  expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 0);
  expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
}

const ENTRY_POINTS: readonly EntryPoint[] = [
  'config-event',
  'sg-cloudtrail',
  'bucket-cloudtrail',
  'compliance-change',
  'rule-parameters',
  'baselines',
  'config-file',
  'snapshot-file',
];

describe('the bad-input corpus', () => {
  it('holds at least 60 inputs and covers every entry point', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((entry) => entry.entry))).toEqual(new Set(ENTRY_POINTS));
    expect(new Set(CORPUS.map((entry) => `${entry.entry}: ${entry.name}`)).size).toBe(CORPUS.length);
  });

  it('expects no COMPLIANT verdict and no blocked status of any input', () => {
    for (const entry of CORPUS) {
      expect(entry.expected).not.toMatchObject({ verdict: 'COMPLIANT' });
      expect(entry.expected).not.toMatchObject({ status: 'blocked' });
    }
  });

  it('matches the counts RELIABILITY.md states', () => {
    const doc = readFileSync(new URL('../../RELIABILITY.md', import.meta.url), 'utf8');
    const count = (kind: (expected: CorpusEntry['expected']) => boolean) =>
      CORPUS.filter((entry) => kind(entry.expected)).length;
    const stated = (label: string) => Number(doc.match(new RegExp(`(\\d+) ${label}`))?.[1]);
    expect(stated('malformed inputs')).toBe(CORPUS.length);
    expect(stated('answered with an error')).toBe(count((expected) => 'error' in expected));
    expect(stated('with a verdict')).toBe(count((expected) => 'verdict' in expected));
    expect(stated('with a responder status')).toBe(count((expected) => 'status' in expected));
  });
});

for (const entryPoint of ENTRY_POINTS) {
  describe(`bad input: ${entryPoint}`, () => {
    it.each(
      CORPUS.filter((entry) => entry.entry === entryPoint).map((entry) => [entry.name, entry] as const),
    )('%s', async (_name, entry) => {
      const outcome = await run(entry);
      if (process.env.PLUMBLINE_PROBE)
        appendFileSync(
          process.env.PLUMBLINE_PROBE,
          `${JSON.stringify([entry.entry, entry.name, outcome])}\n`,
        );
      expect(isExplainedError(outcome)).toBe(true);
      const expected = entry.expected;
      if ('error' in expected) {
        expect(outcome).toMatchObject({ kind: 'error' });
        expect(outcome.kind === 'error' ? outcome.message : '').toContain(expected.error);
        expectNoWrites();
      } else if ('verdict' in expected) {
        expect(outcome).toEqual({
          kind: 'verdict',
          compliance: expected.verdict,
          annotation: expected.annotation,
        });
      } else {
        expect(outcome).toEqual({ kind: 'status', status: expected.status, reason: expected.reason });
        expect(outcome).not.toMatchObject({ status: 'blocked' });
      }
      expect(outcome).not.toMatchObject({ compliance: 'COMPLIANT' });
    });
  });
}
