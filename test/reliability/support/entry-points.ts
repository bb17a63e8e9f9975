/**
 * Every entry point of Plumbline driven the way its caller drives it (Lambda handler with mocked clients,
 * CLI loader, rule parser), each answering with one {@link Outcome}: the error it raised, or the verdict or
 * status it produced. The bad-input corpus and the fuzz tests share these.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { loadSuiteConfig, readSnapshotFile } from '../../../cli/input.ts';
import { evaluateAll, prepareRules, unreadableErrors } from '../../../cli/scan.ts';
import { createConfigRuleHandler } from '../../../shared/aws/config-runtime.ts';
import { createComplianceNotifier } from '../../../shared/aws/notify.ts';
import { responderEnvironment } from '../../../shared/aws/responder-runtime.ts';
import { createDriftRevert, createPublicBucketResponder } from '../../../shared/aws/responders.ts';
import { notifierSettingsFromEnv } from '../../../shared/core/compliance-change.ts';
import type { AnyRule, SuiteSettings } from '../../../shared/core/model.ts';
import { InputError, ParameterError } from '../../../shared/core/model.ts';
import { EMPTY_SUITE_CONFIG, type SuiteConfig } from '../../../shared/core/suite-config.ts';
import { checkSuiteConfig, RULES } from '../../../shared/rules/index.ts';
import {
  ACCOUNT,
  apiGroup,
  apiPermission,
  GROUP_ID,
  TOPIC_ARN,
} from '../../fixtures/security-group/index.ts';

/** What an entry point made of an input. */
export type Outcome =
  | { kind: 'error'; name: string; message: string }
  | { kind: 'verdict'; compliance: string; annotation: string }
  | { kind: 'status'; status: string; reason?: string | undefined }
  | { kind: 'ok' };

export const FUNCTION_CONTEXT = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:plumbline-test`,
};

/** Runs `action`; a thrown error becomes an `error` outcome. */
export async function outcomeOf(action: () => Promise<Outcome> | Outcome): Promise<Outcome> {
  try {
    return await action();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return { kind: 'error', name: failure.name, message: failure.message };
  }
}

/** An error that explains itself: ours (InputError, ParameterError), or one whose message names the problem. */
export function isExplainedError(outcome: Outcome): boolean {
  if (outcome.kind !== 'error') return true;
  const programmingErrors = ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'];
  return !programmingErrors.includes(outcome.name) && outcome.message.trim().length > 10;
}

export const isOurError = (error: unknown) => error instanceof InputError || error instanceof ParameterError;

// ---- Config rule events ----

export interface ConfigMocks {
  config: AwsClientStub<ConfigServiceClient>;
}

/** A Config-rule Lambda handler for `rule`, evaluating `event`; the outcome is the single evaluation written. */
export async function configRuleOutcome(
  mocks: ConfigMocks,
  rule: AnyRule,
  event: unknown,
  settings: SuiteSettings = {},
): Promise<Outcome> {
  mocks.config.reset();
  mocks.config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  const handler = createConfigRuleHandler(rule, {
    suiteConfig: () => ({ rules: {}, settings }),
    writer: { sleep: async () => {} },
    createConfigClient: () => new ConfigServiceClient({ region: 'us-east-1' }),
    accountFacts: { publicAccessBlock: async () => null },
    region: 'us-east-1',
  });
  return outcomeOf(async () => {
    await handler(event);
    const written = mocks.config
      .commandCalls(PutEvaluationsCommand)
      .flatMap((call) => call.args[0].input.Evaluations ?? []);
    if (written.length !== 1) return { kind: 'status', status: `${written.length} evaluations written` };
    const [evaluation] = written;
    return {
      kind: 'verdict',
      compliance: evaluation?.ComplianceType ?? '',
      annotation: evaluation?.Annotation ?? '',
    };
  });
}

// ---- CloudTrail events: sg-drift-revert ----

export interface DriftMocks {
  ec2: AwsClientStub<EC2Client>;
  sns: AwsClientStub<SNSClient>;
}

/** The web group with an enforced baseline, as DescribeSecurityGroups returns it. */
/** Bound by group id: only a group listed by id gets missing rules restored (a tag never authorizes). */
export const WEB_BASELINE = {
  mode: 'enforce',
  match: { groupIds: [GROUP_ID] },
  ingress: [{ protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0' }],
  egress: [{ protocol: -1, cidr: '0.0.0.0/0' }],
};

export function driftSuite(settings: SuiteSettings = { baselines: { web: WEB_BASELINE } }): SuiteConfig {
  return {
    rules: { 'security-group': { blockedPorts: '22,3389' } },
    settings: { responders: { 'sg-drift-revert': { blockedPortsMode: 'enforce' } }, ...settings },
  };
}

export async function driftRevertOutcome(
  mocks: DriftMocks,
  event: unknown,
  suite: SuiteConfig = driftSuite(),
): Promise<Outcome> {
  mocks.ec2.reset();
  mocks.sns.reset();
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      apiGroup({
        groupId: GROUP_ID,
        ingress: [apiPermission('tcp', [443, 443], { ipv4: ['0.0.0.0/0'] })],
        egress: [apiPermission('-1', undefined, { ipv4: ['0.0.0.0/0'] })],
        tags: { 'plumbline:baseline': 'web' },
      }),
    ],
  });
  const responder = createDriftRevert({
    sns: new SNSClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'us-east-1' }),
    environment: () => responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
    selfIdentity: () => ({ roleArns: [] }),
    suiteConfig: () => suite,
    region: 'us-east-1',
    now: () => new Date('2024-05-14T10:05:30.000Z'),
  });
  return outcomeOf(async () => {
    const result = await responder(event, FUNCTION_CONTEXT);
    return result.status === 'skipped'
      ? { kind: 'status', status: 'skipped', reason: result.reason }
      : { kind: 'status', status: result.outcome };
  });
}

// ---- CloudTrail events: public-bucket-remediate ----

export interface BucketMocks {
  s3: AwsClientStub<S3Client>;
  s3control: AwsClientStub<S3ControlClient>;
  sns: AwsClientStub<SNSClient>;
}

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

export async function bucketResponderOutcome(
  mocks: BucketMocks,
  event: unknown,
  suite: SuiteConfig = {
    rules: {},
    settings: { responders: { 'public-bucket-remediate': { mode: 'enforce' } } },
  },
): Promise<Outcome> {
  mocks.s3.reset();
  mocks.s3control.reset();
  mocks.sns.reset();
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  mocks.s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'owner' }, Grants: [] });
  mocks.s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy'));
  mocks.s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration'));
  mocks.s3.on(GetBucketOwnershipControlsCommand).rejects(awsError('OwnershipControlsNotFoundError'));
  mocks.s3control.on(GetAccountBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration'));
  const responder = createPublicBucketResponder({
    sns: new SNSClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    environment: () => responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
    suiteConfig: () => suite,
    createClients: (region) => ({ s3: new S3Client({ region }), s3control: new S3ControlClient({ region }) }),
    now: () => new Date('2024-05-14T09:42:00.000Z'),
  });
  return outcomeOf(async () => {
    const result = await responder(event, FUNCTION_CONTEXT);
    return { kind: 'status', status: result.status, reason: 'reason' in result ? result.reason : undefined };
  });
}

// ---- Compliance-change events ----

export interface NotifierMocks {
  sns: AwsClientStub<SNSClient>;
}

export async function notifierOutcome(mocks: NotifierMocks, event: unknown): Promise<Outcome> {
  mocks.sns.reset();
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  const notifier = createComplianceNotifier({
    sns: new SNSClient({ region: 'us-east-1' }),
    settings: () => notifierSettingsFromEnv({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
  });
  return outcomeOf(async () => {
    // No FUNCTION_CONTEXT: without the function's account the lookup targets the event's account directly.
    const result = await notifier(event, FUNCTION_CONTEXT);
    return { kind: 'status', status: result.status, reason: 'reason' in result ? result.reason : undefined };
  });
}

// ---- Rule parameters, baselines, configuration files, snapshot files ----

export function ruleNamed(name: string): AnyRule {
  const rule = RULES.find((candidate) => candidate.name === name);
  if (rule === undefined) throw new Error(`no rule ${name}`);
  return rule;
}

export async function parametersOutcome(
  ruleName: string,
  raw: Record<string, unknown>,
  settings: SuiteSettings = {},
): Promise<Outcome> {
  return outcomeOf(() => {
    ruleNamed(ruleName).parseParameters(raw, settings);
    return { kind: 'ok' };
  });
}

let scratch: string | undefined;

/** Writes `content` to a fresh file in a temporary folder and returns its path. */
export function scratchFile(name: string, content: string | Buffer): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'plumbline-reliability-'));
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

/** The CLI's `--config` path: read and validate the file, then every rule's and responder's settings. */
export async function configFileOutcome(name: string, content: string): Promise<Outcome> {
  const path = scratchFile(name, content);
  return outcomeOf(() => {
    const suite = loadSuiteConfig(
      path,
      '/',
      RULES.map((rule) => rule.name),
    );
    checkSuiteConfig(suite);
    return { kind: 'ok' };
  });
}

/** The CLI's `--snapshot` path: read the file into configuration items. */
export async function snapshotOutcome(name: string, content: string | Buffer): Promise<Outcome> {
  const path = scratchFile(name, content);
  return outcomeOf(async () => {
    const { items, unreadable } = await readSnapshotFile(path, '/');
    // As `plumbline scan` goes on: an item that names its resource gets the fail-closed error result, one
    // that does not is an error of the report.
    const prepared = prepareRules(RULES, EMPTY_SUITE_CONFIG, 'defaults');
    const [orphan] = unreadableErrors(prepared, unreadable);
    if (orphan !== undefined) return { kind: 'error', name: 'InputError', message: orphan.message };
    const facts = () => ({ publicAccessBlock: null });
    const failed = evaluateAll(prepared, items, facts, unreadable).find((evaluation) => evaluation.error);
    if (failed !== undefined) {
      return { kind: 'verdict', compliance: failed.compliance, annotation: failed.annotation };
    }
    return { kind: 'status', status: `${items.length} items` };
  });
}

/** The suite's `baselines`, validated as the security-group rule and the responder read them. */
export async function baselinesOutcome(baselines: unknown): Promise<Outcome> {
  return outcomeOf(() => {
    ruleNamed('security-group').parseParameters({}, { baselines });
    return { kind: 'ok' };
  });
}
