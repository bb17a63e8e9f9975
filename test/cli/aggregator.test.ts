/**
 * `plumbline scan --live --aggregator NAME` against a mocked AWS Config client. Response shapes from the AWS
 * Config API Reference: SelectAggregateResourceConfig returns `Results` (each a JSON string of the selected
 * fields), `QueryInfo` and `NextToken`; DescribeConfigurationAggregatorSourcesStatus returns
 * `AggregatedSourceStatusList` (SourceId, SourceType ACCOUNT|ORGANIZATION, AwsRegion, LastUpdateStatus
 * SUCCEEDED|FAILED|OUTDATED, LastUpdateTime, LastErrorCode, LastErrorMessage) and `NextToken`; a wrong name is
 * `NoSuchConfigurationAggregatorException`.
 */
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  NoSuchConfigurationAggregatorException,
  SelectAggregateResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { aggregateExpression } from '../../cli/aggregator.ts';
import { type LiveClients, sdkClients } from '../../cli/live.ts';
import { MAX_EXPRESSION_LENGTH } from '../../shared/aws/config-inventory.ts';
import { SELECT_FIELDS_HINT } from '../../shared/core/normalise.ts';
import { rulesFor } from '../../shared/rules/index.ts';
import { runCli } from './support/cli.ts';
import { exampleItems, type RawItem, selectRow } from './support/inventory.ts';

const config = mockClient(ConfigServiceClient);
const s3control = mockClient(S3ControlClient);

const ACCOUNT_A = '111122223333';
const ACCOUNT_B = '444455556666';
const AGGREGATOR = 'org-all';
/** Rows per page, so that a few items take several pages. */
const PAGE = 2;

function example(resourceId: string): RawItem {
  const item = exampleItems().find((candidate) => candidate.resourceId === resourceId);
  if (item === undefined) throw new Error(`the example snapshot has no ${resourceId}`);
  return item;
}

function moved(item: RawItem, account: string, region: string, resourceId = item.resourceId): RawItem {
  return {
    ...item,
    resourceId,
    resourceName: resourceId,
    ARN: item.resourceType === 'AWS::S3::Bucket' ? `arn:aws:s3:::${resourceId}` : item.ARN,
    awsAccountId: account,
    awsRegion: region,
  };
}

const ALL_BLOCKED = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

/**
 * Account A records an account-level Block Public Access with every flag on; account B records none. Each
 * has the example's bucket whose ACL grants READ to AllUsers, and an SSH-open security group in eu-west-1.
 */
const INVENTORY: RawItem[] = [
  { ...moved(example(ACCOUNT_A), ACCOUNT_A, 'us-east-1'), configuration: ALL_BLOCKED },
  moved(example('acme-legacy-downloads'), ACCOUNT_A, 'us-east-1', 'legacy-a'),
  moved(example('acme-legacy-downloads'), ACCOUNT_B, 'us-east-1', 'legacy-b'),
  moved(example('sg-01a3c5e7092b4d6f8'), ACCOUNT_A, 'eu-west-1', 'sg-0a00000000000001a'),
  moved(example('sg-01a3c5e7092b4d6f8'), ACCOUNT_B, 'eu-west-1', 'sg-0b00000000000001a'),
];

/** Answers the advanced query from INVENTORY, PAGE rows at a time with NextToken `page-N`. */
function serveAggregate(rows: readonly RawItem[] = INVENTORY) {
  config.on(SelectAggregateResourceConfigCommand).callsFake(async (input) => {
    const start = input.NextToken ? Number(input.NextToken.replace('page-', '')) * PAGE : 0;
    const next = start + PAGE < rows.length ? `page-${start / PAGE + 1}` : undefined;
    return {
      Results: rows.slice(start, start + PAGE).map(selectRow),
      QueryInfo: {
        SelectFields: SELECT_FIELDS_HINT.replace('SELECT ', '')
          .split(', ')
          .map((Name) => ({ Name })),
      },
      NextToken: next,
    };
  });
}

beforeEach(() => {
  config.reset();
  s3control.reset();
  config.on(DescribeConfigurationAggregatorSourcesStatusCommand).resolves({ AggregatedSourceStatusList: [] });
});

interface JsonEvaluation {
  rule: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  region: string;
  compliance: string;
  annotation: string;
}

const brief = (evaluation: JsonEvaluation) =>
  `${evaluation.rule} ${evaluation.accountId} ${evaluation.region} ${evaluation.resourceId} ${evaluation.compliance}`;

describe('scan --live --aggregator', () => {
  it('reads every account and region page by page, read-only, with account facts from the recorded items', async () => {
    serveAggregate();
    const result = await runCli([
      'scan',
      '--live',
      '--aggregator',
      AGGREGATOR,
      '--rule',
      'public-bucket',
      '--rule',
      'security-group',
      '--format',
      'json',
    ]);
    const evaluations: JsonEvaluation[] = JSON.parse(result.stdout).evaluations;
    expect(evaluations.map(brief)).toEqual([
      `security-group ${ACCOUNT_A} eu-west-1 sg-0a00000000000001a NON_COMPLIANT`,
      `security-group ${ACCOUNT_B} eu-west-1 sg-0b00000000000001a NON_COMPLIANT`,
      `public-bucket ${ACCOUNT_A} us-east-1 ${ACCOUNT_A} COMPLIANT`,
      `public-bucket ${ACCOUNT_A} us-east-1 legacy-a COMPLIANT`,
      `public-bucket ${ACCOUNT_B} us-east-1 legacy-b NON_COMPLIANT`,
    ]);
    // Account A's recorded block neutralises the ACL grant; account B has none recorded, so none is assumed.
    expect(evaluations.find((e) => e.resourceId === 'legacy-a')?.annotation).toContain('neutralised');
    expect(result.stderr).toContain(
      `plumbline: note: account ${ACCOUNT_B}: the aggregator holds no AWS::S3::AccountPublicAccessBlock item; buckets are judged as if the account had no account-level Block Public Access\n`,
    );
    // 5 rows, 2 a page: 3 calls following NextToken, 100 rows asked for each time.
    const calls = config.commandCalls(SelectAggregateResourceConfigCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.NextToken)).toEqual([undefined, 'page-1', 'page-2']);
    for (const input of calls) {
      expect(input).toMatchObject({
        ConfigurationAggregatorName: AGGREGATOR,
        Limit: 100,
        Expression: calls[0]?.Expression,
      });
    }
    expect(calls[0]?.Expression).toBe(
      `${SELECT_FIELDS_HINT} WHERE resourceType IN ('AWS::EC2::SecurityGroup', 'AWS::S3::Bucket', 'AWS::S3::AccountPublicAccessBlock')`,
    );
    expect(config).toHaveReceivedCommandWith(DescribeConfigurationAggregatorSourcesStatusCommand, {
      ConfigurationAggregatorName: AGGREGATOR,
      UpdateStatus: ['FAILED', 'OUTDATED'],
    });
    // Read calls only, and no S3 Control call into member accounts.
    const names = new Set(
      [...config.calls(), ...s3control.calls()].map((call) => call.args[0].constructor.name),
    );
    expect(names).toEqual(
      new Set([
        'SelectAggregateResourceConfigCommand',
        'DescribeConfigurationAggregatorSourcesStatusCommand',
      ]),
    );
    expect(s3control).toHaveReceivedCommandTimes(GetPublicAccessBlockCommand, 0);
  });

  it('puts --account and --region in the query, and applies them to the rows as well', async () => {
    // The mock ignores the WHERE clause: rows of other accounts come back and must still be left out.
    serveAggregate();
    const result = await runCli([
      'scan',
      '--live',
      '--aggregator',
      AGGREGATOR,
      '--account',
      ACCOUNT_B,
      '--region',
      'eu-west-1',
      '--rule',
      'security-group',
      '--format',
      'json',
    ]);
    const evaluations: JsonEvaluation[] = JSON.parse(result.stdout).evaluations;
    expect(evaluations.map(brief)).toEqual([
      `security-group ${ACCOUNT_B} eu-west-1 sg-0b00000000000001a NON_COMPLIANT`,
    ]);
    expect(config).toHaveReceivedCommandWith(SelectAggregateResourceConfigCommand, {
      ConfigurationAggregatorName: AGGREGATOR,
      Expression: `${SELECT_FIELDS_HINT} WHERE resourceType = 'AWS::EC2::SecurityGroup' AND awsRegion = 'eu-west-1' AND accountId = '${ACCOUNT_B}'`,
    });
  });

  it('--region keeps global resources: with an IAM type in scope, the region "global" is asked for too', () => {
    expect(
      aggregateExpression(['AWS::IAM::Role', 'AWS::EC2::SecurityGroup'], {
        accounts: [],
        regions: ['eu-west-1'],
      }),
    ).toBe(
      `${SELECT_FIELDS_HINT} WHERE resourceType IN ('AWS::IAM::Role', 'AWS::EC2::SecurityGroup') AND awsRegion IN ('eu-west-1', 'global')`,
    );
    expect(aggregateExpression(['AWS::IAM::Role'], { accounts: [], regions: [] })).toBe(
      `${SELECT_FIELDS_HINT} WHERE resourceType = 'AWS::IAM::Role'`,
    );
  });

  it('leaves a filter out of the query when it would pass the expression limit (the rows are still filtered)', () => {
    const accounts = Array.from({ length: 400 }, (_, index) => String(100000000000 + index));
    const expression = aggregateExpression(['AWS::EC2::SecurityGroup'], { accounts, regions: ['eu-west-1'] });
    expect(expression).toBe(
      `${SELECT_FIELDS_HINT} WHERE resourceType = 'AWS::EC2::SecurityGroup' AND awsRegion = 'eu-west-1'`,
    );
    const few = aggregateExpression(['AWS::S3::Bucket', 'AWS::EC2::SecurityGroup'], {
      accounts: [ACCOUNT_A, ACCOUNT_B],
      regions: [],
    });
    expect(few).toBe(
      `${SELECT_FIELDS_HINT} WHERE resourceType IN ('AWS::S3::Bucket', 'AWS::EC2::SecurityGroup') AND accountId IN ('${ACCOUNT_A}', '${ACCOUNT_B}')`,
    );
    expect(few.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
  });

  it('skips the rules that need IAM facts, which an aggregator does not hold, and says so', async () => {
    serveAggregate();
    const result = await runCli(
      [
        'scan',
        '--live',
        '--aggregator',
        AGGREGATOR,
        '--rule',
        'root-mfa',
        '--rule',
        'security-group',
        '--format',
        'json',
      ],
      { rules: rulesFor },
    );
    expect(result.stderr).toContain(
      `plumbline: note: rule root-mfa skipped: it needs the IAM account summary, which the aggregator ${AGGREGATOR} does not hold; scan --live reads it (or deploy the rule as a Config rule)`,
    );
    const report = JSON.parse(result.stdout);
    const evaluations: JsonEvaluation[] = report.evaluations;
    expect(new Set(evaluations.map(({ rule }) => rule))).toEqual(new Set(['security-group']));
    expect(report.skipped).toEqual([
      {
        rule: 'root-mfa',
        reason: `rule root-mfa skipped: it needs the IAM account summary, which the aggregator ${AGGREGATOR} does not hold; scan --live reads it (or deploy the rule as a Config rule)`,
      },
    ]);
  });

  it('names each source account and region the aggregator failed to update', async () => {
    serveAggregate();
    config.on(DescribeConfigurationAggregatorSourcesStatusCommand).callsFake(async (input) =>
      input.NextToken === undefined
        ? {
            AggregatedSourceStatusList: [
              {
                SourceId: ACCOUNT_B,
                SourceType: 'ACCOUNT',
                AwsRegion: 'ap-southeast-2',
                LastUpdateStatus: 'FAILED',
                LastUpdateTime: new Date('2026-11-21T00:00:00Z'),
                LastErrorCode: 'AccessDeniedException',
                LastErrorMessage: 'The aggregator is not authorized',
              },
            ],
            NextToken: 'more',
          }
        : {
            AggregatedSourceStatusList: [
              {
                SourceId: ACCOUNT_A,
                SourceType: 'ACCOUNT',
                AwsRegion: 'sa-east-1',
                LastUpdateStatus: 'OUTDATED',
              },
            ],
          },
    );
    const result = await runCli(['scan', '--live', '--aggregator', AGGREGATOR, '--rule', 'security-group']);
    const where = `AWS Config aggregator "${AGGREGATOR}" in us-east-1`;
    expect(result.stderr).toContain(
      `plumbline: note: ${where}: account ${ACCOUNT_B} in ap-southeast-2 is FAILED (last update 2026-11-21T00:00:00.000Z), AccessDeniedException: The aggregator is not authorized; its resources may be missing or out of date in this scan\n`,
    );
    expect(result.stderr).toContain(
      `plumbline: note: ${where}: account ${ACCOUNT_A} in sa-east-1 is OUTDATED; its resources may be missing or out of date in this scan\n`,
    );
    // Outside --region, a failed source is not this scan's concern.
    const filtered = await runCli([
      'scan',
      '--live',
      '--aggregator',
      AGGREGATOR,
      '--region',
      'eu-west-1',
      '--rule',
      'security-group',
    ]);
    expect(filtered.stderr).not.toContain('its resources may be missing');
  });

  it('says when the sources status cannot be read, and still reports the scan', async () => {
    serveAggregate();
    config.on(DescribeConfigurationAggregatorSourcesStatusCommand).rejects(
      new ConfigServiceServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'not authorized to perform config:DescribeConfigurationAggregatorSourcesStatus',
      }),
    );
    const result = await runCli(['scan', '--live', '--aggregator', AGGREGATOR, '--rule', 'security-group']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `plumbline: note: AWS Config aggregator "${AGGREGATOR}" in us-east-1: could not read which sources failed to update (DescribeConfigurationAggregatorSourcesStatus: AccessDeniedException: not authorized to perform config:DescribeConfigurationAggregatorSourcesStatus); accounts or regions the aggregator could not collect are not named\n`,
    );
  });

  it('an aggregator that does not exist: exit 2, naming it, its region and what to check', async () => {
    config.on(SelectAggregateResourceConfigCommand).rejects(
      new NoSuchConfigurationAggregatorException({
        $metadata: {},
        message: `The configuration aggregator does not exist. Check the configuration aggregator name and try again.`,
      }),
    );
    const result = await runCli(['scan', '--live', '--aggregator', 'org-typo']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "plumbline: AWS Config aggregator \"org-typo\" in us-east-1 (SelectAggregateResourceConfig): NoSuchConfigurationAggregatorException: The configuration aggregator does not exist. Check the configuration aggregator name and try again. (no aggregator of that name here: an aggregator lives in one account and region; use that account's credentials and set AWS_REGION or the profile's region to the aggregator's)\n",
    });
  });

  it('access denied: exit 2, naming the aggregator and the permission', async () => {
    config.on(SelectAggregateResourceConfigCommand).rejects(
      new ConfigServiceServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'User is not authorized to perform: config:SelectAggregateResourceConfig',
      }),
    );
    const result = await runCli(['scan', '--live', '--aggregator', AGGREGATOR], {
      clients: {
        config: (options) => sdkClients.config({ ...options, region: 'eu-central-1' }),
        s3Control: sdkClients.s3Control,
      } satisfies LiveClients,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `plumbline: AWS Config aggregator "${AGGREGATOR}" in eu-central-1 (SelectAggregateResourceConfig): AccessDeniedException: User is not authorized to perform: config:SelectAggregateResourceConfig (the aggregator scan needs config:SelectAggregateResourceConfig on the aggregator ${AGGREGATOR})\n`,
    );
  });

  it("an account's block item that cannot be read stops nothing: its buckets are judged as if it had none, with a note", async () => {
    const [block, ...rest] = INVENTORY;
    serveAggregate([{ ...(block as RawItem), configuration: { blockPublicAcls: 'yes' } }, ...rest]);
    const result = await runCli([
      'scan',
      '--live',
      '--aggregator',
      AGGREGATOR,
      '--rule',
      'public-bucket',
      '--format',
      'json',
    ]);
    const evaluations: JsonEvaluation[] = JSON.parse(result.stdout).evaluations;
    expect(evaluations.map(brief)).toEqual([
      `public-bucket ${ACCOUNT_A} us-east-1 ${ACCOUNT_A} NON_COMPLIANT`,
      `public-bucket ${ACCOUNT_A} us-east-1 legacy-a NON_COMPLIANT`,
      `public-bucket ${ACCOUNT_B} us-east-1 legacy-b NON_COMPLIANT`,
    ]);
    expect(result.stderr).toContain(
      `plumbline: note: account ${ACCOUNT_A}: its AWS::S3::AccountPublicAccessBlock item cannot be read (AWS::S3::AccountPublicAccessBlock ${ACCOUNT_A}: configuration: `,
    );
    expect(result.stderr).toContain(
      'blockPublicAcls: Invalid input: expected boolean, received string); buckets are judged as if the account had no account-level Block Public Access\n',
    );
  });

  it('a row that cannot be read is an error result in its account and region, the others evaluated', async () => {
    const broken = JSON.stringify({
      resourceId: 'sg-0bad0000000000000',
      resourceType: 'AWS::EC2::SecurityGroup',
      accountId: ACCOUNT_B,
      awsRegion: 'eu-west-1',
      configurationItemStatus: 'OK',
      configurationItemCaptureTime: '2026-11-21T00:00:00.000Z',
      configuration: 'not an object',
    });
    config
      .on(SelectAggregateResourceConfigCommand)
      .resolves({ Results: [broken, selectRow(INVENTORY[3] as RawItem)] });
    const result = await runCli([
      'scan',
      '--live',
      '--aggregator',
      AGGREGATOR,
      '--rule',
      'security-group',
      '--format',
      'json',
    ]);
    const evaluations: (JsonEvaluation & { error: string | null })[] = JSON.parse(result.stdout).evaluations;
    expect(evaluations.map(brief)).toEqual([
      `security-group ${ACCOUNT_A} eu-west-1 sg-0a00000000000001a NON_COMPLIANT`,
      `security-group ${ACCOUNT_B} eu-west-1 sg-0bad0000000000000 NON_COMPLIANT`,
    ]);
    expect(evaluations[1]?.error).toEqual(expect.any(String));
  });

  it('tells the table and HTML where it read from', async () => {
    serveAggregate();
    const result = await runCli(['scan', '--live', '--aggregator', AGGREGATOR, '--rule', 'security-group']);
    expect(result.stdout.split('\n')[0]).toBe(
      `Plumbline · AWS Config aggregator ${AGGREGATOR} (live) in us-east-1 · eu-west-1 · 5 resources · 1 rule`,
    );
    expect(result.stdout).toContain(`  account ${ACCOUNT_A} · 1 non-compliant`);
  });
});
