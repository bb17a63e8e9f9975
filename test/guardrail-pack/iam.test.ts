import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  type GetCredentialReportCommandOutput,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { iamFactLoaders, loadAccountSummary, loadCredentialReport } from '../../shared/aws/account-facts.ts';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { parseCredentialReport, parseCsv } from '../../shared/core/credential-report.ts';
import { EMPTY_SUITE_CONFIG } from '../../shared/core/suite-config.ts';
import { iamConsoleMfaRule } from '../../shared/rules/iam-console-mfa/index.ts';
import { iamUserMfaRule } from '../../shared/rules/iam-user-mfa/index.ts';
import { rootMfaRule } from '../../shared/rules/root-mfa/index.ts';
import { ACCOUNT, PERIODIC_TIME, periodicEvent } from '../fixtures/config/events.ts';
import { GENERATED_AT, REPORT, REPORT_CSV, userItem } from '../fixtures/iam-user-mfa/users.ts';
import { judgeRaw } from './helpers.ts';

const iam = mockClient(IAMClient);
const config = mockClient(ConfigServiceClient);

beforeEach(() => {
  iam.reset();
  config.reset();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('the credential report', () => {
  it('reads every row, the root row and a quoted name with a comma included', () => {
    expect(REPORT.rows.map((row) => [row.user, row.arn, row.passwordEnabled, row.mfaActive])).toEqual([
      ['<root_account>', 'arn:aws:iam::123456789012:root', 'not_supported', 'false'],
      ['ana.lopez', 'arn:aws:iam::123456789012:user/ana.lopez', 'true', 'true'],
      ['deploy-bot', 'arn:aws:iam::123456789012:user/ci/deploy-bot', 'false', 'false'],
      ['legacy-admin', 'arn:aws:iam::123456789012:user/legacy-admin', 'true', 'false'],
      ['ops,oncall', 'arn:aws:iam::123456789012:user/ops/ops,oncall', 'true', 'false'],
    ]);
    expect(REPORT.generatedAt).toBe(GENERATED_AT);
  });

  it('reads CRLF line ends, doubled quotes and a last line without its line end', () => {
    expect(parseCsv('a,b\r\n"x ""y""",\r\n"1\n2",z')).toEqual([
      ['a', 'b'],
      ['x "y"', ''],
      ['1\n2', 'z'],
    ]);
  });

  it.each([
    ['user,arn,mfa_active\n', 'credential report: the header has no password_enabled column'],
    [
      'user,arn,password_enabled,mfa_active\nbob,arn:aws:iam::1:user/bob,true\n',
      'credential report: line 2 has 3 fields, the header 4',
    ],
    [
      'user,arn,password_enabled,mfa_active\n"bob,arn,true,true\n',
      'credential report: a quoted field is not closed',
    ],
    ['', 'credential report: empty'],
  ])('refuses a malformed report, naming the problem: %j', (csv, message) => {
    expect(() => parseCredentialReport(csv, GENERATED_AT)).toThrow(message);
  });
});

describe('loading the IAM facts', () => {
  const NOW = new Date('2026-11-20T02:00:00.000Z');
  const now = () => NOW;

  it('reads a report IAM generated less than four hours ago with one call', async () => {
    iam.on(GetCredentialReportCommand).resolves({
      Content: bytes(REPORT_CSV),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date(GENERATED_AT),
    });
    await expect(loadCredentialReport(new IAMClient({}), ACCOUNT, {}, now)).resolves.toEqual(REPORT);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 0);
  });

  const FRESH: GetCredentialReportCommandOutput = {
    Content: bytes(REPORT_CSV),
    ReportFormat: 'text/csv',
    GeneratedTime: new Date(GENERATED_AT),
    $metadata: {},
  };

  it.each([
    ['there is none', awsError('CredentialReportNotPresentException', 'no report')],
    ['it has expired', awsError('CredentialReportExpiredException', 'expired')],
    ['it is older than four hours', { ...FRESH, GeneratedTime: new Date('2026-11-19T21:59:59.000Z') }],
  ])('generates a report until COMPLETE when %s, then reads it', async (_, first) => {
    const get = iam.on(GetCredentialReportCommand);
    (first instanceof Error ? get.rejectsOnce(first) : get.resolvesOnce(first)).resolves(FRESH);
    iam
      .on(GenerateCredentialReportCommand)
      .resolvesOnce({ State: 'STARTED' })
      .resolvesOnce({ State: 'INPROGRESS' })
      .resolves({ State: 'COMPLETE' });
    const sleep = vi.fn(async () => {});
    const report = await loadCredentialReport(new IAMClient({}), ACCOUNT, { delayMs: 5, sleep }, now);
    expect(report).toEqual(REPORT);
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 3);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 2);
    expect(sleep.mock.calls).toEqual([[5], [5]]);
  });

  it('gives up after maxAttempts, naming the account and the state', async () => {
    iam.on(GetCredentialReportCommand).rejects(awsError('CredentialReportNotPresentException', 'no report'));
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });
    await expect(
      loadCredentialReport(new IAMClient({}), ACCOUNT, { maxAttempts: 3, sleep: async () => {} }),
    ).rejects.toThrow(
      'IAM credential report for account 123456789012 not ready after 3 GenerateCredentialReport calls (state INPROGRESS)',
    );
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 3);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
  });

  it('fails on a denied call or a malformed report, naming the account', async () => {
    iam.on(GetCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized'));
    await expect(loadCredentialReport(new IAMClient({}), ACCOUNT)).rejects.toThrow(
      'IAM GetCredentialReport for account 123456789012 failed: AccessDenied: not authorized',
    );
    iam.reset();
    iam
      .on(GetCredentialReportCommand)
      .resolves({ Content: bytes('user,arn\n'), ReportFormat: 'text/csv', GeneratedTime: NOW });
    await expect(loadCredentialReport(new IAMClient({}), ACCOUNT, {}, now)).rejects.toThrow(
      'IAM credential report for account 123456789012: credential report: the header has no password_enabled, mfa_active column',
    );
  });

  it('reads AccountMFAEnabled from the account summary, and refuses a summary without it', async () => {
    iam.on(GetAccountSummaryCommand).resolvesOnce({ SummaryMap: { AccountMFAEnabled: 1, Users: 4 } });
    await expect(loadAccountSummary(new IAMClient({}), ACCOUNT)).resolves.toEqual({
      accountMfaEnabled: true,
    });
    iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { Users: 4 } });
    await expect(loadAccountSummary(new IAMClient({}), ACCOUNT)).rejects.toThrow(
      'IAM GetAccountSummary for account 123456789012: SummaryMap.AccountMFAEnabled is undefined, expected 0 or 1',
    );
  });

  it('builds one IAM client per account, with the target credentials', async () => {
    iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 0 } });
    const create = vi.fn(() => new IAMClient({}));
    const loaders = iamFactLoaders(create);
    const credentials = async () => ({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret' });
    await loaders.accountSummary({ accountId: ACCOUNT, region: 'us-east-1' });
    await loaders.accountSummary({ accountId: ACCOUNT, region: 'us-east-1' });
    await loaders.accountSummary({ accountId: '111122223333', region: 'us-east-1', credentials });
    expect(create.mock.calls).toEqual([
      ['us-east-1', undefined],
      ['us-east-1', credentials],
    ]);
  });
});

describe('iam-user-mfa', () => {
  const judge = (item: Record<string, unknown>) =>
    judgeRaw(iamUserMfaRule, item, {}, { credentialReport: REPORT });

  it('judges each user by its row, found by exact ARN', () => {
    expect(judge(userItem('ana.lopez')).compliance).toBe('COMPLIANT');
    expect(judge(userItem('deploy-bot', '/ci/'))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'IAM user deploy-bot has no MFA device (credential report: mfa_active false)',
      codes: ['no-mfa'],
    });
    expect(judge(userItem('ops,oncall', '/ops/')).annotation).toBe(
      'IAM user ops,oncall has no MFA device (credential report: mfa_active false)',
    );
  });

  it('never matches by name: the same name under another path is not in the report (fail closed)', () => {
    expect(judge(userItem('ana.lopez', '/contractors/'))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `cannot judge IAM user ana.lopez: arn:aws:iam::123456789012:user/contractors/ana.lopez is not in the credential report generated at ${GENERATED_AT} (a user created since is judged at the next run)`,
      codes: ['cannot-judge'],
    });
  });

  it('fails closed on an mfa_active it does not know, and without the report', () => {
    const odd = {
      ...REPORT,
      rows: [{ ...(REPORT.rows[1] as (typeof REPORT.rows)[number]), mfaActive: 'N/A' }],
    };
    expect(judgeRaw(iamUserMfaRule, userItem('ana.lopez'), {}, { credentialReport: odd }).annotation).toBe(
      `cannot judge IAM user ana.lopez: the credential report's mfa_active is "N/A"`,
    );
    expect(judgeRaw(iamUserMfaRule, userItem('ana.lopez')).annotation).toBe(
      'cannot judge IAM user ana.lopez: the credential report was not read',
    );
  });
});

describe('iam-console-mfa', () => {
  const judge = (item: Record<string, unknown>) =>
    judgeRaw(iamConsoleMfaRule, item, {}, { credentialReport: REPORT });

  it('a console password without MFA is NON_COMPLIANT; with MFA COMPLIANT; without a password NOT_APPLICABLE', () => {
    expect(judge(userItem('legacy-admin'))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation:
        'IAM user legacy-admin can sign in to the console with a password but has no MFA device (credential report: password_enabled true, mfa_active false)',
      codes: ['console-without-mfa'],
    });
    expect(judge(userItem('ana.lopez')).compliance).toBe('COMPLIANT');
    expect(judge(userItem('deploy-bot', '/ci/'))).toEqual({
      compliance: 'NOT_APPLICABLE',
      annotation: 'IAM user deploy-bot has no console password',
      codes: ['no-console-password'],
    });
  });

  it('fails closed on a password_enabled it does not know (the root row says not_supported)', () => {
    const odd = {
      ...REPORT,
      rows: [{ ...(REPORT.rows[3] as (typeof REPORT.rows)[number]), passwordEnabled: 'not_supported' }],
    };
    expect(judgeRaw(iamConsoleMfaRule, userItem('legacy-admin'), {}, { credentialReport: odd })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `cannot judge IAM user legacy-admin: the credential report's password_enabled is "not_supported"`,
      codes: ['cannot-judge'],
    });
  });
});

describe('the periodic rules through the Config runtime', () => {
  beforeEach(() => {
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  });

  it('root-mfa judges the account itself from GetAccountSummary, without reading the inventory', async () => {
    iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 0 } });
    const handler = createConfigRuleHandler(rootMfaRule, {
      suiteConfig: () => EMPTY_SUITE_CONFIG,
      writer: { sleep: async () => {} },
      accountFacts: iamFactLoaders(),
    });
    await handler(periodicEvent());
    expect(iam).toHaveReceivedCommandTimes(GetAccountSummaryCommand, 1);
    expect(config).toHaveReceivedCommandTimes(SelectResourceConfigCommand, 0);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'myResultToken',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::::Account',
          ComplianceResourceId: ACCOUNT,
          ComplianceType: 'NON_COMPLIANT',
          Annotation: `the root user of account ${ACCOUNT} has no MFA device (GetAccountSummary: AccountMFAEnabled 0)`,
          OrderingTimestamp: new Date(PERIODIC_TIME),
        },
      ],
    });
  });

  it('iam-console-mfa reads the users from the inventory and the credential report once (a fresh one: one call)', async () => {
    iam.on(GetCredentialReportCommand).resolves({
      Content: bytes(REPORT_CSV),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date(),
    });
    const row = (item: Record<string, unknown>) =>
      JSON.stringify({
        ...item,
        accountId: ACCOUNT,
        arn: item.ARN,
        configurationItemCaptureTime: '2026-11-20T00:32:10.100Z',
      });
    config.on(SelectResourceConfigCommand).resolves({
      Results: [
        row(userItem('legacy-admin')),
        row(userItem('ana.lopez')),
        row(userItem('deploy-bot', '/ci/')),
      ],
    });
    const handler = createConfigRuleHandler(iamConsoleMfaRule, {
      suiteConfig: () => EMPTY_SUITE_CONFIG,
      writer: { sleep: async () => {} },
      accountFacts: iamFactLoaders(),
    });
    await handler(periodicEvent());
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
    expect(config).toHaveReceivedCommandWith(SelectResourceConfigCommand, {
      Expression: expect.stringContaining("WHERE resourceType = 'AWS::IAM::User'"),
    });
    const evaluations = config
      .commandCalls(PutEvaluationsCommand)
      .flatMap((call) => call.args[0].input.Evaluations ?? []);
    expect(
      evaluations.map((evaluation) => [evaluation.ComplianceResourceId, evaluation.ComplianceType]),
    ).toEqual([
      [userItem('legacy-admin').resourceId, 'NON_COMPLIANT'],
      [userItem('ana.lopez').resourceId, 'COMPLIANT'],
      [userItem('deploy-bot', '/ci/').resourceId, 'NOT_APPLICABLE'],
    ]);
  });

  it('a credential report that cannot be read fails the run, naming the account, and writes nothing', async () => {
    iam.on(GetCredentialReportCommand).rejects(awsError('CredentialReportNotPresentException', 'no report'));
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized'));
    config.on(SelectResourceConfigCommand).resolves({
      Results: [JSON.stringify({ ...userItem('ana.lopez'), accountId: ACCOUNT, arn: 'x' })],
    });
    const handler = createConfigRuleHandler(iamUserMfaRule, {
      suiteConfig: () => EMPTY_SUITE_CONFIG,
      writer: { sleep: async () => {} },
      accountFacts: iamFactLoaders(),
    });
    await expect(handler(periodicEvent())).rejects.toThrow(
      'IAM GenerateCredentialReport for account 123456789012 failed: AccessDenied: not authorized',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

describe('the rule objects carry what a deployment needs', () => {
  it.each([
    ['iam-user-mfa', iamUserMfaRule, ['AWS::IAM::User'], ['credentialReport']],
    ['iam-console-mfa', iamConsoleMfaRule, ['AWS::IAM::User'], ['credentialReport']],
    ['root-mfa', rootMfaRule, ['AWS::::Account'], ['accountSummary']],
  ] as const)('%s: periodic, its resource types and facts', (_, rule, types, facts) => {
    expect(rule).toMatchObject({ trigger: 'periodic', resourceTypes: types, accountFacts: facts });
  });
});
