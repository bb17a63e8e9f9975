/**
 * `plumbline scan --snapshot` in-process: the bundled example with its configuration, every input shape,
 * duplicates, account facts, rule selection and exit codes. Bad input has its own file (bad-input.test.ts).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Compliance } from '../../shared/core/model.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, FIXTURES, REPO, runCli, tempDir } from './support/cli.ts';

interface JsonEvaluation {
  rule: string;
  resourceType: string;
  resourceId: string;
  resourceName: string | null;
  accountId: string | null;
  region: string | null;
  compliance: Compliance;
  annotation: string;
  reasons: { code: string; message: string }[];
}

interface JsonReport {
  summary: Record<string, unknown>;
  evaluations: JsonEvaluation[];
}

async function scanJson(args: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const result = await runCli(['scan', ...args, '--format', 'json']);
  expect(result.stderr).not.toContain('unexpected error');
  return { code: result.code, report: JSON.parse(result.stdout) as JsonReport, stderr: result.stderr };
}

const verdicts = (report: JsonReport) =>
  Object.fromEntries(report.evaluations.map((e) => [`${e.rule} ${e.resourceId}`, e.compliance]));

const find = (report: JsonReport, rule: string, resourceId: string) => {
  const found = report.evaluations.find((e) => e.rule === rule && e.resourceId === resourceId);
  if (found === undefined) throw new Error(`no evaluation of ${resourceId} by ${rule}`);
  return found;
};

const NON_COMPLIANT_IN_EXAMPLE = [
  'security-group sg-01a3c5e7092b4d6f8',
  'security-group sg-06e8a0c2d4f6a8c0e',
  'security-group sg-0b2d4f6a8c0e2a4c6',
  'security-group sg-0e6a8c0e2f4b6d8a1',
  'security-group sg-0f8a0c2e4a6c8e0a2',
  'required-tags feature-flags',
  'required-tags sessions',
  'required-tags i-0d4a6c8e0a2b3d5f7',
  'required-tags i-0e5b7d9f1b3c4e6a8',
  'required-tags sg-05f7a9c1e3b5d7f9a',
  'required-tags sg-0d4f6a8c0e2b4d6f8',
  'required-tags sg-0e6a8c0e2f4b6d8a1',
  'required-tags sg-0f8a0c2e4a6c8e0a2',
  'required-tags vol-0d4e6f8a0b2c3d5e6',
  'required-tags vol-0e5f7a9b1c3d4e6f7',
  'required-tags vol-0f6a8b0c2d4e5f7a8',
  'required-tags vpc-04d1a8c2e6f9b3a71',
  'required-tags nightly-export',
  'required-tags thumbnail-resizer',
  'required-tags db-7HW3P9LQ2RX6ZK4BV8TNMCJ5GE',
  'required-tags acme-build-cache',
  'required-tags acme-legacy-downloads',
  'public-bucket 111122223333',
  'public-bucket acme-legacy-downloads',
  'public-bucket acme-marketing-site',
  'public-bucket acme-partner-dropbox',
].sort();

describe('the bundled example snapshot with the example configuration', () => {
  it('evaluates each rule over its resource types, with the summary counting by rule and compliance', async () => {
    const { code, report } = await scanJson(['--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG]);
    expect(code).toBe(1);
    expect(report.summary).toEqual({
      evaluations: 73,
      resources: 57,
      errors: 0,
      COMPLIANT: 46,
      NON_COMPLIANT: 26,
      NOT_APPLICABLE: 1,
      rules: {
        'security-group': { COMPLIANT: 6, NON_COMPLIANT: 5, NOT_APPLICABLE: 0 },
        'required-tags': { COMPLIANT: 33, NON_COMPLIANT: 17, NOT_APPLICABLE: 1 },
        'public-bucket': { COMPLIANT: 7, NON_COMPLIANT: 4, NOT_APPLICABLE: 0 },
      },
    });
    const all = verdicts(report);
    expect(
      Object.entries(all)
        .filter(([, compliance]) => compliance === 'NON_COMPLIANT')
        .map(([key]) => key)
        .sort(),
    ).toEqual(NON_COMPLIANT_IN_EXAMPLE);
    expect(all['required-tags subnet-0c8e0a2b4d6f8a1c3']).toBe('NOT_APPLICABLE');
    // IAM roles are in no rule's scope: read, counted as resources, never evaluated.
    expect(report.evaluations.some((e) => e.resourceType === 'AWS::IAM::Role')).toBe(false);
  });

  it('names the exact port, statement, grant and tag behind each finding', async () => {
    const { report } = await scanJson(['--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG]);
    expect(find(report, 'security-group', 'sg-0e6a8c0e2f4b6d8a1')).toMatchObject({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceName: 'windows-jump',
      accountId: '111122223333',
      region: 'us-east-1',
      compliance: 'NON_COMPLIANT',
      annotation: 'tcp 3389 open to 0.0.0.0/0; tcp 3389 open to ::/0',
    });
    expect(find(report, 'security-group', 'sg-0b2d4f6a8c0e2a4c6').annotation).toBe(
      'extra: tcp 8080 from 10.0.0.0/8',
    );
    expect(find(report, 'public-bucket', 'acme-marketing-site').annotation).toBe(
      'policy statement "PublicReadGetObject" (#1) allows s3:GetObject to *',
    );
    expect(find(report, 'public-bucket', 'acme-legacy-downloads').annotation).toBe(
      'ACL grants READ to AllUsers',
    );
    expect(find(report, 'public-bucket', 'acme-press-kit')).toMatchObject({
      compliance: 'COMPLIANT',
      annotation:
        'policy statement "PublicPressKit" (#1) allows s3:GetObject to *, neutralised by RestrictPublicBuckets (bucket)',
    });
    expect(find(report, 'required-tags', 'feature-flags').annotation).toBe(
      'Environment=production not in [prod, staging, dev]',
    );
    expect(find(report, 'required-tags', 'vol-0f6a8b0c2d4e5f7a8').annotation).toBe(
      'missing: CostCenter, Owner, Environment',
    );
  });

  it('runs every rule with its defaults without --config', async () => {
    const { report } = await scanJson(['--snapshot', EXAMPLE_SNAPSHOT]);
    // Default blockedPorts are 22,3389: the all-traffic group is reported for those two only.
    expect(find(report, 'security-group', 'sg-0f8a0c2e4a6c8e0a2').annotation).toBe(
      'tcp 22,3389 open to 0.0.0.0/0 via all traffic',
    );
    // Default required tag is CostCenter alone; no exclusion makes the open dataset bucket compliant.
    expect(find(report, 'required-tags', 'nightly-export').compliance).toBe('COMPLIANT');
    expect(find(report, 'public-bucket', 'acme-public-datasets').compliance).toBe('NON_COMPLIANT');
    // The group's plumbline:baseline tag names a baseline only the example configuration declares.
    expect(find(report, 'security-group', 'sg-0b2d4f6a8c0e2a4c6')).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation:
        'security group sg-0b2d4f6a8c0e2a4c6 is tagged plumbline:baseline=web-app, but no baseline web-app is declared',
    });
  });
});

describe('input shapes', () => {
  it('reads a gzipped snapshot (recognised by its bytes, whatever its name) exactly as the plain one', async () => {
    const dir = tempDir();
    const gz = join(dir, 'ConfigSnapshot.json.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(REPO, EXAMPLE_SNAPSHOT))));
    const oddlyNamed = join(dir, 'snapshot.bin');
    copyFileSync(gz, oddlyNamed);
    const plain = await scanJson(['--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG]);
    for (const file of [gz, oddlyNamed]) {
      const zipped = await scanJson(['--snapshot', file, '--config', EXAMPLE_CONFIG]);
      expect(zipped.report.evaluations).toEqual(plain.report.evaluations);
    }
  });

  it('reads `aws configservice batch-get-resource-config` output (JSON strings, no tags field)', async () => {
    const { report } = await scanJson([
      '--snapshot',
      `${FIXTURES}/batch-get-resource-config.json`,
      '--config',
      EXAMPLE_CONFIG,
      '--rule',
      'security-group',
      '--rule',
      'public-bucket',
    ]);
    const fromSnapshot = (await scanJson(['--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG]))
      .report;
    expect(report.evaluations.map((e) => [e.rule, e.resourceId, e.compliance, e.annotation])).toEqual([
      ['security-group', 'sg-01a3c5e7092b4d6f8', 'NON_COMPLIANT', 'tcp 22 open to 0.0.0.0/0'],
      [
        'security-group',
        'sg-0a9c1e3f5b7d9f1a3',
        'COMPLIANT',
        find(fromSnapshot, 'security-group', 'sg-0a9c1e3f5b7d9f1a3').annotation,
      ],
      ['public-bucket', 'acme-legacy-downloads', 'NON_COMPLIANT', 'ACL grants READ to AllUsers'],
      [
        'public-bucket',
        'acme-press-kit',
        'COMPLIANT',
        'policy statement "PublicPressKit" (#1) allows s3:GetObject to *, neutralised by RestrictPublicBuckets (bucket)',
      ],
    ]);
  });

  it('reads `aws configservice select-resource-config` output (one JSON string a row)', async () => {
    const { report } = await scanJson([
      '--snapshot',
      `${FIXTURES}/select-resource-config.json`,
      '--config',
      EXAMPLE_CONFIG,
    ]);
    expect(verdicts(report)).toEqual({
      'security-group sg-01a3c5e7092b4d6f8': 'NON_COMPLIANT',
      'security-group sg-0a9c1e3f5b7d9f1a3': 'COMPLIANT',
      'security-group sg-0b2d4f6a8c0e2a4c6': 'NON_COMPLIANT',
      'required-tags i-0d4a6c8e0a2b3d5f7': 'NON_COMPLIANT',
      'required-tags sg-01a3c5e7092b4d6f8': 'COMPLIANT',
      'required-tags sg-0a9c1e3f5b7d9f1a3': 'COMPLIANT',
      'required-tags sg-0b2d4f6a8c0e2a4c6': 'COMPLIANT',
    });
  });

  it('reads every .json and .json.gz file under a folder, as Config lays snapshots out in S3', async () => {
    const dir = tempDir();
    const day = join(dir, 'AWSLogs/111122223333/Config/us-east-1/2026/11/20/ConfigSnapshot');
    mkdirSync(day, { recursive: true });
    writeFileSync(
      join(day, '111122223333_Config_us-east-1_ConfigSnapshot_20261120T000000Z_0f1e2d3c.json.gz'),
      gzipSync(readFileSync(join(REPO, EXAMPLE_SNAPSHOT))),
    );
    writeFileSync(join(day, 'notes.txt'), 'not a snapshot');
    const { report } = await scanJson(['--snapshot', dir, '--config', EXAMPLE_CONFIG]);
    expect(report.summary).toMatchObject({ evaluations: 73, resources: 57, NON_COMPLIANT: 26 });
  });

  it('keeps the newest capture of a resource described by several files', async () => {
    const dir = tempDir();
    const item = (capture: string, cidr: string) => ({
      configurationItemCaptureTime: capture,
      awsAccountId: '111122223333',
      configurationItemStatus: 'OK',
      resourceId: 'sg-0123456789abcdef0',
      resourceName: 'changing',
      awsRegion: 'us-east-1',
      resourceType: 'AWS::EC2::SecurityGroup',
      tags: { CostCenter: 'CC-1' },
      configuration: {
        groupId: 'sg-0123456789abcdef0',
        groupName: 'changing',
        vpcId: 'vpc-0b7e2f4a91c3d5e60',
        ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidrIp: cidr }] }],
        ipPermissionsEgress: [],
      },
    });
    const older = join(dir, 'older.json');
    const newer = join(dir, 'newer.json');
    writeFileSync(
      older,
      JSON.stringify({ configurationItems: [item('2026-11-01T00:00:00.000Z', '0.0.0.0/0')] }),
    );
    writeFileSync(
      newer,
      JSON.stringify({ configurationItems: [item('2026-11-02T00:00:00.000Z', '10.0.0.0/8')] }),
    );
    for (const order of [
      [older, newer],
      [newer, older],
    ]) {
      const { report } = await scanJson(['--snapshot', ...order, '--rule', 'security-group']);
      expect(report.evaluations).toHaveLength(1);
      expect(report.evaluations[0]?.compliance).toBe('COMPLIANT');
      expect(report.summary).toMatchObject({ resources: 1 });
    }
  });

  it('reads epoch-seconds capture times (AWS CLI v1 batch-get-resource-config) when choosing the newest', async () => {
    const dir = tempDir();
    const batch = JSON.parse(readFileSync(join(REPO, FIXTURES, 'batch-get-resource-config.json'), 'utf8'));
    const bastion = batch.baseConfigurationItems.find(
      (item: { resourceId: string }) => item.resourceId === 'sg-01a3c5e7092b4d6f8',
    );
    // Captured after the example snapshot (2026-11-20), printed as AWS CLI v1 prints timestamps, with the
    // port closed since.
    const newer = join(dir, 'batch-v1.json');
    writeFileSync(
      newer,
      JSON.stringify({
        baseConfigurationItems: [
          {
            ...bastion,
            configurationItemCaptureTime: Date.parse('2026-12-01T08:00:00.250Z') / 1000,
            configuration: JSON.stringify({ ...JSON.parse(bastion.configuration), ipPermissions: [] }),
          },
        ],
        unprocessedResourceKeys: [],
      }),
    );
    for (const order of [
      [EXAMPLE_SNAPSHOT, newer],
      [newer, EXAMPLE_SNAPSHOT],
    ]) {
      const { report } = await scanJson(['--snapshot', ...order, '--rule', 'security-group']);
      expect(find(report, 'security-group', 'sg-01a3c5e7092b4d6f8')).toMatchObject({
        compliance: 'COMPLIANT',
      });
    }
  });
});

describe('account facts offline', () => {
  it('takes the account-level Block Public Access from the snapshot item', async () => {
    const dir = tempDir();
    const snapshot = JSON.parse(readFileSync(join(REPO, EXAMPLE_SNAPSHOT), 'utf8'));
    const block = snapshot.configurationItems.find(
      (item: { resourceType: string }) => item.resourceType === 'AWS::S3::AccountPublicAccessBlock',
    );
    block.configuration = {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    };
    writeFileSync(join(dir, 'blocked.json'), JSON.stringify(snapshot));
    const { report, stderr } = await scanJson([
      '--snapshot',
      join(dir, 'blocked.json'),
      '--rule',
      'public-bucket',
    ]);
    expect(stderr).toBe('');
    expect(report.evaluations.filter((e) => e.compliance === 'NON_COMPLIANT')).toEqual([]);
    expect(find(report, 'public-bucket', 'acme-marketing-site').annotation).toContain('neutralised by');
  });

  it('judges buckets as if no account-level block existed when the snapshot records none, and says so', async () => {
    const dir = tempDir();
    const snapshot = JSON.parse(readFileSync(join(REPO, EXAMPLE_SNAPSHOT), 'utf8'));
    snapshot.configurationItems = snapshot.configurationItems.filter(
      (item: { resourceType: string }) => item.resourceType !== 'AWS::S3::AccountPublicAccessBlock',
    );
    writeFileSync(join(dir, 'no-block.json'), JSON.stringify(snapshot));
    const { report, stderr } = await scanJson([
      '--snapshot',
      join(dir, 'no-block.json'),
      '--rule',
      'public-bucket',
    ]);
    expect(stderr).toContain(
      'plumbline: note: account 111122223333: the snapshot has no AWS::S3::AccountPublicAccessBlock item; buckets are judged as if the account had no account-level Block Public Access\n',
    );
    expect(find(report, 'public-bucket', 'acme-legacy-downloads').compliance).toBe('NON_COMPLIANT');
  });
});

describe('rule selection and exit codes', () => {
  it('--rule runs only the named rules', async () => {
    const { report } = await scanJson(['--snapshot', EXAMPLE_SNAPSHOT, '--rule', 'public-bucket']);
    expect(new Set(report.evaluations.map((e) => e.rule))).toEqual(new Set(['public-bucket']));
    expect(Object.keys(report.summary.rules as object)).toEqual(['public-bucket']);
  });

  it.each([
    [[], 1],
    [['--fail-on', 'non-compliant'], 1],
    [['--fail-on', 'none'], 0],
    [['--fail-on', 'critical'], 1],
    [['--rule', 'required-tags', '--fail-on', 'low'], 1],
    [['--rule', 'required-tags', '--fail-on', 'medium'], 0],
    [['--rule', 'security-group', '--fail-on', 'high'], 1],
    [['--rule', 'security-group', '--fail-on', 'critical'], 0],
  ])('exit code with %j', async (extra, expected) => {
    const result = await runCli([
      'scan',
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--config',
      EXAMPLE_CONFIG,
      ...extra,
    ]);
    expect(result.code).toBe(expected);
  });

  it('exits 0 when nothing is non-compliant', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ fileVersion: '1.0', configurationItems: [] }));
    const result = await runCli(['scan', '--snapshot', join(dir, 'empty.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Summary: 0 non-compliant · 0 compliant · 0 not applicable (0 evaluations of 0 resources)',
    );
  });

  it('says on stderr why it fails when the report goes to a file or another format', async () => {
    const result = await runCli([
      'scan',
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--format',
      'json',
      '--fail-on',
      'critical',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'plumbline: 5 failing results (--fail-on critical; 26 non-compliant in all)\n',
    );
  });
});

describe('security groups the scan cannot read or that are open by a union of ranges', () => {
  it('reports both NON_COMPLIANT, naming the field and value or the ranges, and exits 1', async () => {
    const dir = tempDir();
    const group = (groupId: string, ipPermissions: unknown[]) => ({
      configurationItemCaptureTime: '2026-11-20T08:00:00.000Z',
      awsAccountId: '111122223333',
      configurationItemStatus: 'OK',
      resourceId: groupId,
      resourceName: groupId,
      awsRegion: 'us-east-1',
      resourceType: 'AWS::EC2::SecurityGroup',
      tags: {},
      configuration: { groupId, groupName: groupId, ipPermissions, ipPermissionsEgress: [] },
    });
    const snapshot = join(dir, 'snapshot.json');
    writeFileSync(
      snapshot,
      JSON.stringify({
        fileVersion: '1.0',
        configurationItems: [
          group('sg-0aaaaaaaaaaaaaaa1', [
            { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/1', '128.0.0.0/1'] },
          ]),
          group('sg-0aaaaaaaaaaaaaaa2', [
            { ipProtocol: '-01', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] },
          ]),
        ],
      }),
    );
    const { code, report } = await scanJson(['--snapshot', snapshot, '--rule', 'security-group']);
    expect(code).toBe(1);
    expect(report.evaluations.map((e) => [e.resourceId, e.compliance, e.annotation])).toEqual([
      ['sg-0aaaaaaaaaaaaaaa1', 'NON_COMPLIANT', 'tcp 22 open to the world by 0.0.0.0/1 + 128.0.0.0/1'],
      [
        'sg-0aaaaaaaaaaaaaaa2',
        'NON_COMPLIANT',
        'cannot judge ingress rule ipPermissions[0].ipProtocol "-01" is not tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255',
      ],
    ]);
  });
});
