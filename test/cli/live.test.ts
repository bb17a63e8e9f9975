/**
 * `plumbline scan --live` against mocked AWS Config and S3 Control clients: the inventory read page by
 * page, one client per region, only read calls, the same verdicts as the offline scan of the same items,
 * and clear errors naming the region, the call and the cause.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  ListDiscoveredResourcesCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { SCAN_HELP } from '../../cli/args.ts';
import { type ClientOptions, type LiveClients, sdkClients } from '../../cli/live.ts';
import { SELECT_FIELDS_HINT, SELECT_REQUIRED_FIELDS } from '../../shared/core/normalise.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, runCli, tempDir } from './support/cli.ts';
import {
  baseConfigurationItem,
  exampleItems,
  queriedTypes,
  type RawItem,
  selectRow,
} from './support/inventory.ts';
import { sarifValidator } from './support/sarif.ts';

const config = mockClient(ConfigServiceClient);
const s3control = mockClient(S3ControlClient);
const PAGE = 2;
const ALL_OFF = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

const EU_GROUP: RawItem = {
  ...exampleItems().find((item) => item.resourceId === 'sg-01a3c5e7092b4d6f8'),
  resourceId: 'sg-0eu0000000000001a',
  resourceName: 'eu-bastion',
  ARN: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0eu0000000000001a',
  awsRegion: 'eu-west-1',
} as RawItem;

/** Items of the example in us-east-1, one SSH-open group in eu-west-1. */
function inventory(region: string): RawItem[] {
  return region === 'eu-west-1' ? [EU_GROUP] : exampleItems().filter((item) => item.awsRegion === region);
}

/** Advanced queries answered from the inventory, PAGE rows at a time with NextToken `page-N`. */
function serveSelect(recorded: (item: RawItem) => boolean = () => true) {
  config.on(SelectResourceConfigCommand).callsFake(async (input, getClient) => {
    const region = await getClient().config.region();
    const rows = inventory(region).filter(
      (item) => queriedTypes(input.Expression).includes(item.resourceType) && recorded(item),
    );
    const start = input.NextToken ? Number(input.NextToken.replace('page-', '')) * PAGE : 0;
    const next = start + PAGE < rows.length ? `page-${start / PAGE + 1}` : undefined;
    return { Results: rows.slice(start, start + PAGE).map(selectRow), NextToken: next };
  });
}

beforeEach(() => {
  config.reset();
  s3control.reset();
  s3control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_OFF });
});

function queryTypes(expression: string | undefined): string[] {
  return queriedTypes(expression ?? '');
}

interface Evaluated {
  rule: string;
  accountId: string;
  region: string;
  resourceType: string;
  resourceId: string;
}

/**
 * The offline scan's evaluations in the live scan's order (rule, then account, region, type and resource):
 * the offline scan streams them in the order the snapshot holds the items.
 */
async function offlineEvaluations() {
  const offline = await runCli([
    'scan',
    '--snapshot',
    EXAMPLE_SNAPSHOT,
    '--config',
    EXAMPLE_CONFIG,
    '--format',
    'json',
  ]);
  const report = JSON.parse(offline.stdout);
  const rules = Object.keys(report.summary.rules);
  return [...(report.evaluations as Evaluated[])].sort(
    (a, b) =>
      rules.indexOf(a.rule) - rules.indexOf(b.rule) ||
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region) ||
      a.resourceType.localeCompare(b.resourceType) ||
      a.resourceId.localeCompare(b.resourceId),
  );
}

describe('scan --live', () => {
  it('reads the inventory page by page and reaches the same verdicts as the offline scan', async () => {
    serveSelect();
    const live = await runCli([
      'scan',
      '--live',
      '--region',
      'us-east-1',
      '--config',
      EXAMPLE_CONFIG,
      '--format',
      'json',
    ]);
    expect(live.stderr).toBe(
      'plumbline: 26 failing results (--fail-on non-compliant; 26 non-compliant in all)\n',
    );
    expect(live.code).toBe(1);
    const report = JSON.parse(live.stdout);
    expect(report.evaluations).toEqual(await offlineEvaluations());
    // IAM roles and users are in none of the three rules' scope, so the live scan never reads them.
    expect(report.summary.resources).toBe(52);

    // One advanced query for every rule's types, followed page by page (52 items, 2 a page).
    const queries = config.commandCalls(SelectResourceConfigCommand).map((call) => call.args[0].input);
    expect(queries).toHaveLength(26);
    expect(new Set(queries.map((query) => query.Expression)).size).toBe(1);
    expect(queries.map((query) => query.NextToken)).toEqual([
      undefined,
      ...Array.from({ length: 25 }, (_, index) => `page-${index + 1}`),
    ]);
    expect(queries[0]?.Limit).toBe(100);
    expect(queryTypes(queries[0]?.Expression)).toEqual(
      expect.arrayContaining([
        'AWS::EC2::SecurityGroup',
        'AWS::S3::Bucket',
        'AWS::S3::AccountPublicAccessBlock',
        'AWS::DynamoDB::Table',
      ]),
    );
    expect(s3control).toHaveReceivedCommandTimes(GetPublicAccessBlockCommand, 1);
    expect(s3control).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, { AccountId: '111122223333' });
    // Read calls only.
    const names = new Set(
      [...config.calls(), ...s3control.calls()].map((call) => call.args[0].constructor.name),
    );
    expect(names).toEqual(new Set(['SelectResourceConfigCommand', 'GetPublicAccessBlockCommand']));
  });

  it('selects the fields that --snapshot help and errors tell users to select for select-resource-config', async () => {
    serveSelect();
    await runCli(['scan', '--live', '--region', 'us-east-1', '--rule', 'security-group', '--format', 'json']);
    const expression = config.commandCalls(SelectResourceConfigCommand)[0]?.args[0].input.Expression ?? '';
    const select = /^(SELECT .+) WHERE /.exec(expression)?.[1];
    expect(select).toBe(SELECT_FIELDS_HINT);
    expect(SCAN_HELP.replace(/\s+/g, ' ')).toContain(
      `select-resource-config needs: ${select} (resourceName and arn optional)`,
    );
    const fields = select?.replace(/^SELECT /, '').split(', ');
    expect(fields).toEqual(expect.arrayContaining([...SELECT_REQUIRED_FIELDS]));
    expect(fields?.filter((field) => !(SELECT_REQUIRED_FIELDS as readonly string[]).includes(field))).toEqual(
      ['resourceName', 'arn'],
    );
  });

  it('scans every --region with its own client and reports where each resource lives', async () => {
    serveSelect();
    const built: ClientOptions[] = [];
    const clients: LiveClients = {
      config: (options) => {
        built.push(options);
        return sdkClients.config(options);
      },
      s3Control: sdkClients.s3Control,
    };
    const result = await runCli(
      [
        'scan',
        '--live',
        '--region',
        'us-east-1',
        '--region',
        'eu-west-1',
        '--profile',
        'audit',
        '--rule',
        'security-group',
        '--format',
        'json',
      ],
      { clients },
    );
    expect(built).toEqual([
      { region: 'us-east-1', profile: 'audit' },
      { region: 'eu-west-1', profile: 'audit' },
    ]);
    const eu = JSON.parse(result.stdout).evaluations.filter(
      (e: { region: string }) => e.region === 'eu-west-1',
    );
    expect(eu).toEqual([
      expect.objectContaining({
        resourceId: 'sg-0eu0000000000001a',
        resourceName: 'eu-bastion',
        compliance: 'NON_COMPLIANT',
        annotation: 'tcp 22 open to 0.0.0.0/0',
      }),
    ]);
    // The security-group rule needs no account fact: S3 Control is never called.
    expect(s3control).toHaveReceivedCommandTimes(GetPublicAccessBlockCommand, 0);
  });

  it('builds SDK clients with the profile for credentials and region', () => {
    const client = sdkClients.config({ region: 'eu-west-1', profile: 'audit' });
    expect(client.config.profile).toBe('audit');
  });

  it('--inventory list reads ListDiscoveredResources pages and asks again for unprocessed keys', async () => {
    const groups = exampleItems().filter((item) => item.resourceType === 'AWS::EC2::SecurityGroup');
    config.on(ListDiscoveredResourcesCommand).callsFake((input) => {
      if (input.resourceType !== 'AWS::EC2::SecurityGroup') return { resourceIdentifiers: [] };
      const page = input.nextToken === 'more' ? groups.slice(6) : groups.slice(0, 6);
      return {
        resourceIdentifiers: page.map((item) => ({
          resourceType: item.resourceType,
          resourceId: item.resourceId,
        })),
        nextToken: input.nextToken === 'more' ? undefined : 'more',
      };
    });
    let first = true;
    config.on(BatchGetResourceConfigCommand).callsFake((input) => {
      const keys = input.resourceKeys;
      // Config leaves the last key of the first batch unprocessed once.
      const served = first ? keys.slice(0, -1) : keys;
      const unprocessed = first ? keys.slice(-1) : [];
      first = false;
      return {
        baseConfigurationItems: served.map((key: { resourceId: string }) =>
          baseConfigurationItem(groups.find((item) => item.resourceId === key.resourceId) as RawItem),
        ),
        unprocessedResourceKeys: unprocessed,
      };
    });
    const result = await runCli([
      'scan',
      '--live',
      '--region',
      'us-east-1',
      '--inventory',
      'list',
      '--rule',
      'security-group',
      '--config',
      EXAMPLE_CONFIG,
      '--format',
      'json',
    ]);
    const evaluations = JSON.parse(result.stdout).evaluations;
    expect(evaluations).toEqual(
      (await offlineEvaluations()).filter((e: { rule: string }) => e.rule === 'security-group'),
    );
    expect(config).toHaveReceivedCommandWith(ListDiscoveredResourcesCommand, {
      resourceType: 'AWS::EC2::SecurityGroup',
      nextToken: 'more',
    });
    // 11 ids in one batch (batches span the listed pages), the key left unprocessed asked for again.
    expect(config).toHaveReceivedCommandTimes(BatchGetResourceConfigCommand, 2);
    expect(config.commandCalls(BatchGetResourceConfigCommand)[1]?.args[0].input.resourceKeys).toEqual([
      { resourceType: 'AWS::EC2::SecurityGroup', resourceId: groups[10]?.resourceId },
    ]);
    expect(config).toHaveReceivedCommandTimes(SelectResourceConfigCommand, 0);
  });

  it('gives every SARIF result a physical location GitHub accepts, even for an item without an ARN', async () => {
    serveSelect();
    const result = await runCli([
      'scan',
      '--live',
      '--region',
      'us-east-1',
      '--config',
      EXAMPLE_CONFIG,
      '--format',
      'sarif',
    ]);
    const log = JSON.parse(result.stdout);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const results = log.runs[0].results;
    expect(results).toHaveLength(26);
    // GitHub code scanning refuses an upload with a result lacking physicalLocation.artifactLocation.uri.
    for (const r of results) expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^\S+$/);
    // AWS::S3::AccountPublicAccessBlock items carry no ARN: a synthetic, stable uri stands in.
    const block = results.find(
      (r: { properties: { resourceType: string } }) =>
        r.properties.resourceType === 'AWS::S3::AccountPublicAccessBlock',
    );
    expect(block.locations[0]).toEqual({
      physicalLocation: {
        artifactLocation: {
          uri: 'aws/111122223333/us-east-1/AWS%3A%3AS3%3A%3AAccountPublicAccessBlock/111122223333',
        },
      },
      logicalLocations: [
        {
          name: '111122223333',
          fullyQualifiedName: '111122223333/us-east-1/AWS::S3::AccountPublicAccessBlock/111122223333',
          kind: 'resource',
        },
      ],
    });
    // A resource with an ARN is located at its ARN.
    const bastion = results.find(
      (r: { properties: { resourceId: string } }) => r.properties.resourceId === 'sg-01a3c5e7092b4d6f8',
    );
    expect(bastion.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'arn:aws:ec2:us-east-1:111122223333:security-group/sg-01a3c5e7092b4d6f8' },
    });
  });

  it('draws a progress bar on a terminal, and nothing on a pipe', async () => {
    serveSelect();
    const args = [
      'scan',
      '--live',
      '--region',
      'us-east-1',
      '--rule',
      'public-bucket',
      '--format',
      'json',
      '--fail-on',
      'none',
    ];
    const terminal = await runCli(args, { stderrTTY: true });
    expect(terminal.stderr).toContain('\r\x1b[2Kscanning ▕');
    expect(terminal.stderr).toContain(
      'scanning ▕████████████████████████▏ 1/1 regions · 11 items · account facts',
    );
    expect(terminal.stderr.endsWith('\r\x1b[2K')).toBe(true);
    const piped = await runCli(args);
    expect(piped.stderr).toBe('');
    expect(JSON.parse(piped.stdout)).toEqual(JSON.parse(terminal.stdout));
  });
});

describe('scan --live: an inventory item that cannot be judged', () => {
  it('is an error result (NON_COMPLIANT, cannot evaluate), the other items judged; exit 2 only with --strict', async () => {
    const bad: RawItem = {
      ...EU_GROUP,
      resourceId: 'sg-0bad000000000000b',
      configuration: {
        ...(EU_GROUP.configuration as Record<string, unknown>),
        ipPermissions: 'not a list',
      },
    };
    config.on(SelectResourceConfigCommand).resolves({ Results: [selectRow(EU_GROUP), selectRow(bad)] });
    const args = ['scan', '--live', '--region', 'eu-west-1', '--rule', 'security-group', '--format', 'json'];
    const result = await runCli(args);
    expect(result.code).toBe(1);
    const problem =
      'Invalid security group configuration: sg-0bad000000000000b.configuration.ipPermissions: Invalid input: expected array, received string';
    expect(result.stderr).toContain(
      `plumbline: error: security-group: AWS::EC2::SecurityGroup sg-0bad000000000000b: ${problem} (judged NON_COMPLIANT)\n`,
    );
    const report = JSON.parse(result.stdout);
    expect(
      report.evaluations.map((evaluation: Record<string, unknown>) => [
        evaluation.resourceId,
        evaluation.compliance,
        evaluation.error,
      ]),
    ).toEqual([
      ['sg-0bad000000000000b', 'NON_COMPLIANT', problem],
      ['sg-0eu0000000000001a', 'NON_COMPLIANT', null],
    ]);
    expect((await runCli([...args, '--strict'])).code).toBe(2);
  });
});

describe('scan --live errors', () => {
  it('fails naming the region, the call and the AWS error', async () => {
    config.on(SelectResourceConfigCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:iam::111122223333:user/ci is not authorized to perform: config:SelectResourceConfig',
        ),
        {
          name: 'AccessDeniedException',
        },
      ),
    );
    const result = await runCli(['scan', '--live', '--region', 'eu-west-1', '--rule', 'security-group']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'plumbline: AWS Config in eu-west-1 (SelectResourceConfig): AccessDeniedException: User: arn:aws:iam::111122223333:user/ci is not authorized to perform: config:SelectResourceConfig (the live scan needs config:SelectResourceConfig)\n',
    });
  });

  it('names both calls of the list strategy, and no permission for an error that is not a denial', async () => {
    config
      .on(ListDiscoveredResourcesCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const result = await runCli(['scan', '--live', '--region', 'eu-west-1', '--inventory', 'list']);
    expect(result.stderr).toBe(
      'plumbline: AWS Config in eu-west-1 (ListDiscoveredResources + BatchGetResourceConfig): ThrottlingException: Rate exceeded\n',
    );
    expect(result.code).toBe(2);
  });

  it('says how to give credentials when none can be found', async () => {
    // The profile exists (a missing one is named as such: live-errors.test.ts).
    const file = join(tempDir(), 'config');
    writeFileSync(file, '[profile audit]\nregion = eu-west-1\n');
    vi.stubEnv('AWS_CONFIG_FILE', file);
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    config.on(SelectResourceConfigCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const result = await runCli(['scan', '--live', '--region', 'eu-west-1', '--profile', 'audit']);
    expect(result.stderr).toBe(
      'plumbline: AWS Config in eu-west-1 (SelectResourceConfig): no usable AWS credentials (Could not load credentials from any providers); configure them (aws configure, AWS_PROFILE or --profile)\n',
    );
  });

  it('says how to give a region when none is configured', async () => {
    const clients: LiveClients = {
      config: () =>
        new ConfigServiceClient({
          region: async (): Promise<string> => {
            throw new Error('Region is missing');
          },
        }),
      s3Control: sdkClients.s3Control,
    };
    const result = await runCli(['scan', '--live'], { clients });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'plumbline scan: no AWS region: pass --region REGION, or set AWS_REGION or a region in your AWS profile\nRun "plumbline scan --help" for usage.\n',
    });
  });

  it('uses the recorded account-level block when GetPublicAccessBlock is denied, with a note', async () => {
    serveSelect();
    s3control
      .on(GetPublicAccessBlockCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const result = await runCli([
      'scan',
      '--live',
      '--region',
      'us-east-1',
      '--rule',
      'public-bucket',
      '--config',
      EXAMPLE_CONFIG,
      '--format',
      'json',
    ]);
    expect(result.stderr).toContain(
      "plumbline: note: account 111122223333: GetPublicAccessBlock failed (AccessDenied: Access Denied); used AWS Config's recorded AWS::S3::AccountPublicAccessBlock instead\n",
    );
    expect(JSON.parse(result.stdout).evaluations).toEqual(
      (await offlineEvaluations()).filter((e: { rule: string }) => e.rule === 'public-bucket'),
    );
  });

  it('fails naming the permission when GetPublicAccessBlock is denied and Config records no block', async () => {
    serveSelect((item) => item.resourceType !== 'AWS::S3::AccountPublicAccessBlock');
    s3control
      .on(GetPublicAccessBlockCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const result = await runCli(['scan', '--live', '--region', 'us-east-1', '--rule', 'public-bucket']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'plumbline: S3 Control GetPublicAccessBlock for account 111122223333: AccessDenied: Access Denied (the public-bucket rule needs s3:GetAccountPublicAccessBlock)\n',
    });
  });

  it('treats an account without any block (NoSuchPublicAccessBlockConfiguration) as having none', async () => {
    serveSelect();
    s3control.on(GetPublicAccessBlockCommand).rejects(
      Object.assign(new Error('The public access block configuration was not found'), {
        name: 'NoSuchPublicAccessBlockConfiguration',
      }),
    );
    const result = await runCli([
      'scan',
      '--live',
      '--region',
      'us-east-1',
      '--rule',
      'public-bucket',
      '--format',
      'json',
    ]);
    expect(result.stderr).not.toContain('note:');
    const marketing = JSON.parse(result.stdout).evaluations.find(
      (e: { resourceId: string }) => e.resourceId === 'acme-marketing-site',
    );
    expect(marketing.compliance).toBe('NON_COMPLIANT');
  });
});
