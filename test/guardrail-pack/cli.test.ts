/**
 * The guardrail-pack rules in the CLI: a snapshot scan skips the rules that need facts a snapshot does not
 * hold, saying which and why; a live scan reads them from IAM for the caller's account.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigServiceClient, SelectResourceConfigCommand } from '@aws-sdk/client-config-service';
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { rulesFor } from '../../shared/rules/index.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, runCli, tempDir } from '../cli/support/cli.ts';
import { sarifValidator } from '../cli/support/sarif.ts';
import { ACCOUNT } from '../fixtures/guardrail-pack/items.ts';
import { REPORT_CSV, userItem } from '../fixtures/iam-user-mfa/users.ts';

const config = mockClient(ConfigServiceClient);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);

beforeEach(() => {
  config.reset();
  iam.reset();
  sts.reset();
});

const REASONS = {
  'iam-user-mfa':
    'rule iam-user-mfa skipped: it needs the IAM credential report, which a Config snapshot does not hold; scan --live reads it (or deploy the rule as a Config rule)',
  'iam-console-mfa':
    'rule iam-console-mfa skipped: it needs the IAM credential report, which a Config snapshot does not hold; scan --live reads it (or deploy the rule as a Config rule)',
  'root-mfa':
    'rule root-mfa skipped: it needs the IAM account summary, which a Config snapshot does not hold; scan --live reads it (or deploy the rule as a Config rule)',
};

/** The notes on standard error for the rules a snapshot scan skips. */
const SKIPPED = Object.values(REASONS)
  .map((reason) => `plumbline: note: ${reason}\n`)
  .join('');

describe('scan --snapshot', () => {
  it('skips the rules that need the credential report or the account summary, saying why, and runs the others', async () => {
    const result = await runCli(
      ['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG, '--format', 'json'],
      { rules: rulesFor },
    );
    expect(result.stderr.startsWith(SKIPPED)).toBe(true);
    const report = JSON.parse(result.stdout);
    const ran = new Set(Object.keys(report.summary.rules));
    expect(ran.has('ebs-encrypted')).toBe(true);
    for (const skipped of ['iam-user-mfa', 'iam-console-mfa', 'root-mfa'])
      expect(ran.has(skipped)).toBe(false);
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 0);
  });

  it('with only skipped rules selected, says so and exits 0', async () => {
    const result = await runCli(
      ['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--rule', 'root-mfa', '--format', 'json'],
      {
        rules: rulesFor,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'plumbline: note: rule root-mfa skipped: it needs the IAM account summary, which a Config snapshot does not hold; scan --live reads it (or deploy the rule as a Config rule)\n',
    );
  });
});

describe('skipped rules in the reports', () => {
  /** A snapshot scan with every rule: the table on standard output, every other format to a file. */
  async function scanEveryFormat() {
    const dir = tempDir();
    const files = {
      json: join(dir, 'report.json'),
      sarif: join(dir, 'report.sarif'),
      junit: join(dir, 'junit.xml'),
      html: join(dir, 'report.html'),
    };
    const result = await runCli(
      [
        'scan',
        '--snapshot',
        EXAMPLE_SNAPSHOT,
        '--json',
        files.json,
        '--sarif',
        files.sarif,
        '--junit',
        files.junit,
        '--html',
        files.html,
      ],
      { rules: rulesFor },
    );
    const read = (file: string) => readFileSync(file, 'utf8');
    return {
      result,
      json: JSON.parse(read(files.json)),
      sarif: JSON.parse(read(files.sarif)),
      junit: read(files.junit),
      html: read(files.html),
    };
  }

  it('names each skipped rule with its reason in every format, and still notes it on standard error', async () => {
    const { result, json, sarif, junit, html } = await scanEveryFormat();
    expect(result.stderr.startsWith(SKIPPED)).toBe(true);
    expect(json.skipped).toEqual([
      { rule: 'iam-user-mfa', reason: REASONS['iam-user-mfa'] },
      { rule: 'iam-console-mfa', reason: REASONS['iam-console-mfa'] },
      { rule: 'root-mfa', reason: REASONS['root-mfa'] },
    ]);
    expect(Object.keys(json)).toEqual(['evaluations', 'errors', 'skipped', 'summary']);

    expect(sarifValidator()(sarif)).toBe(true);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: REASONS['iam-user-mfa'] }, descriptor: { id: 'iam-user-mfa' } },
      {
        level: 'warning',
        message: { text: REASONS['iam-console-mfa'] },
        descriptor: { id: 'iam-console-mfa' },
      },
      { level: 'warning', message: { text: REASONS['root-mfa'] }, descriptor: { id: 'root-mfa' } },
    ]);

    for (const [rule, reason] of Object.entries(REASONS)) {
      expect(junit).toContain(
        [
          `  <testsuite name="${rule}" tests="1" failures="0" errors="0" skipped="1" time="0" timestamp="2026-11-22T10:00:00">`,
          `    <testcase classname="plumbline.${rule}" name="rule ${rule}" time="0">`,
          `      <skipped message="${reason}"/>`,
          '    </testcase>',
          '  </testsuite>',
        ].join('\n'),
      );
    }
    const totals = /<testsuites [^>]*tests="(\d+)"[^>]*skipped="(\d+)"/.exec(junit);
    expect(totals?.slice(1).map(Number)).toEqual([
      json.summary.evaluations + 3,
      json.summary.NOT_APPLICABLE + 3,
    ]);

    expect(result.stdout).toContain(
      `\n${Object.values(REASONS)
        .map((reason) => `SKIPPED ${reason}`)
        .join('\n')}\n\nSummary: `,
    );
    expect(html).toContain(
      [
        '<section class="skipped" id="skipped">',
        '<h2>Skipped rules</h2>',
        `<ul class="skipped">${Object.entries(REASONS)
          .map(([rule, reason]) => `<li class="skipped"><code>${rule}</code>: ${reason}</li>`)
          .join('\n')}</ul>`,
        '</section>',
      ].join('\n'),
    );
  });

  it('lists no skipped rule when every selected rule ran', async () => {
    const result = await runCli(
      ['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--rule', 'ebs-encrypted', '--format', 'json'],
      { rules: rulesFor },
    );
    expect(result.stderr).not.toContain('skipped');
    expect(JSON.parse(result.stdout).skipped).toEqual([]);
  });
});

describe('scan --live', () => {
  const row = (item: Record<string, unknown>) =>
    JSON.stringify({ ...item, accountId: ACCOUNT, arn: item.ARN, tags: [] });

  it('reads the credential report and the account summary of the caller account, and judges the account itself', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/auditor` });
    iam.on(GetCredentialReportCommand).resolves({
      Content: new TextEncoder().encode(REPORT_CSV),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date(),
    });
    iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 0 } });
    config.on(SelectResourceConfigCommand).resolves({
      Results: [row(userItem('legacy-admin')), row(userItem('ana.lopez'))],
    });
    const result = await runCli(
      [
        'scan',
        '--live',
        '--region',
        'us-east-1',
        '--rule',
        'iam-console-mfa',
        '--rule',
        'root-mfa',
        '--format',
        'json',
      ],
      { rules: rulesFor },
    );
    expect(result.stderr).toBe(
      'plumbline: 2 failing results (--fail-on non-compliant; 2 non-compliant in all)\n',
    );
    const report = JSON.parse(result.stdout);
    expect(
      report.evaluations.map((evaluation: Record<string, string>) => [
        evaluation.rule,
        evaluation.resourceType,
        evaluation.resourceName ?? evaluation.resourceId,
        evaluation.compliance,
        evaluation.annotation,
      ]),
    ).toEqual([
      ['iam-console-mfa', 'AWS::IAM::User', 'ana.lopez', 'COMPLIANT', 'compliant: no finding'],
      [
        'iam-console-mfa',
        'AWS::IAM::User',
        'legacy-admin',
        'NON_COMPLIANT',
        'IAM user legacy-admin can sign in to the console with a password but has no MFA device (credential report: password_enabled true, mfa_active false)',
      ],
      [
        'root-mfa',
        'AWS::::Account',
        ACCOUNT,
        'NON_COMPLIANT',
        `the root user of account ${ACCOUNT} has no MFA device (GetAccountSummary: AccountMFAEnabled 0)`,
      ],
    ]);
    // The account is no inventory item: only the IAM users are queried.
    const expressions = config
      .commandCalls(SelectResourceConfigCommand)
      .map((call) => call.args[0].input.Expression);
    expect(expressions).toEqual([expect.stringContaining("WHERE resourceType = 'AWS::IAM::User'")]);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetAccountSummaryCommand, 1);
  });

  it('a denied IAM call stops the scan, naming the call, the account and the permissions', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    iam
      .on(GetAccountSummaryCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    config.on(SelectResourceConfigCommand).resolves({ Results: [] });
    const result = await runCli(['scan', '--live', '--region', 'us-east-1', '--rule', 'root-mfa'], {
      rules: rulesFor,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'plumbline: IAM GetAccountSummary for account 123456789012 failed: AccessDenied: not authorized (the IAM rules need iam:GetAccountSummary)\n',
    );
  });
});
