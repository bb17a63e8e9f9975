/**
 * The terminal table at real size: rules most severe first, identical findings grouped with a count, at most
 * `--max-per-rule` resources listed per rule (a screenful on a terminal, every one on a pipe or with --all)
 * with the rest counted, the totals at the top and at the bottom.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../cli/format/index.ts';
import { formatTable, shareOut } from '../../cli/format/table.ts';
import type { ReportEvaluation, ReportRule, ScanReport } from '../../cli/report.ts';
import { DEFAULT_MAX_PER_RULE, run } from '../../cli/run.ts';
import type { Compliance } from '../../shared/core/model.ts';
import { Capture, FIXED_NOW, plumblineRules, REPO, runCli, tempDir } from './support/cli.ts';

const rule = (name: string, severity: number, description: string): ReportRule => ({
  name,
  description,
  severity,
  resourceTypes: [],
  parameterDocs: [],
});

const RULES: ReportRule[] = [
  rule('required-tags', 3, 'Resources carry the tags the organisation requires.'),
  rule('public-bucket', 9, 'S3 buckets that are public.'),
];

function evaluation(
  ruleName: string,
  resourceId: string,
  resourceType: string,
  compliance: Compliance,
  messages: string[],
  extra: Partial<ReportEvaluation> = {},
): ReportEvaluation {
  return {
    rule: ruleName,
    resourceType,
    resourceId,
    accountId: '111122223333',
    region: 'eu-west-1',
    compliance,
    annotation: messages.join('; ') || 'compliant: no finding',
    reasons: messages.map((message) => ({ code: 'test', message })),
    ...extra,
  };
}

const instance = (index: number) => `i-${String(index).padStart(17, '0')}`;

/** 1,204 instances missing CostCenter, 2 volumes missing Owner, 3 compliant; one public bucket. */
function report(): ScanReport {
  const evaluations: ReportEvaluation[] = [
    ...Array.from({ length: 1204 }, (_, index) =>
      evaluation('required-tags', instance(index), 'AWS::EC2::Instance', 'NON_COMPLIANT', [
        'missing: CostCenter',
      ]),
    ),
    evaluation('required-tags', 'vol-0aaa', 'AWS::EC2::Volume', 'NON_COMPLIANT', ['missing: Owner']),
    evaluation('required-tags', 'vol-0bbb', 'AWS::EC2::Volume', 'NON_COMPLIANT', ['missing: Owner']),
    ...['vol-0c01', 'vol-0c02', 'vol-0c03'].map((id) =>
      evaluation('required-tags', id, 'AWS::EC2::Volume', 'COMPLIANT', []),
    ),
    evaluation('public-bucket', 'acme-downloads', 'AWS::S3::Bucket', 'NON_COMPLIANT', [
      'ACL grants READ to AllUsers',
    ]),
  ];
  return {
    version: '0.1.0',
    generatedAt: '2026-11-22T10:00:00.000Z',
    source: { kind: 'snapshot', files: ['snapshot.json'] },
    rules: RULES,
    evaluations,
    resources: 1210,
    errors: [],
  };
}

const plain = { colour: false, all: false, columns: 100 };

const unused = (): never => {
  throw new Error('an offline scan builds no AWS client');
};

const HEAD = `Plumbline · snapshot.json · account 111122223333 · eu-west-1 · 1,210 resources · 2 rules
Non-compliant: 1,207 (1 critical · 1,206 low) · 3 compliant · 0 not applicable
  critical  public-bucket  1 non-compliant
  low       required-tags  1,206 non-compliant

public-bucket · severity 9 (critical) · 1 non-compliant · 0 compliant · 0 not applicable
  S3 buckets that are public.

  ACL grants READ to AllUsers
    acme-downloads  AWS::S3::Bucket

required-tags · severity 3 (low) · 1,206 non-compliant · 3 compliant · 0 not applicable
  Resources carry the tags the organisation requires.

`;

const TAIL = `
Summary: 1,207 non-compliant · 3 compliant · 0 not applicable (1,210 evaluations of 1,210 resources)
Listed: non-compliant results only; --all lists every evaluation.
`;

describe('the table at size', () => {
  it('--max-per-rule 5: the critical rule first, the widest finding first, every group shown, the rest counted; totals first and last', () => {
    expect(
      formatTable(report(), { ...plain, maxPerRule: 5 }),
    ).toBe(`${HEAD}  missing: CostCenter — 1,204 resources
    i-00000000000000000  AWS::EC2::Instance
    i-00000000000000001  AWS::EC2::Instance
    i-00000000000000002  AWS::EC2::Instance
    … 1,201 more (use --all)
  missing: Owner — 2 resources
    vol-0aaa             AWS::EC2::Volume
    vol-0bbb             AWS::EC2::Volume
${TAIL}`);
  });

  it('names each skipped rule with its reason above the summary, control characters written visibly', () => {
    const skipped = [
      { rule: 'root-mfa', reason: 'rule root-mfa skipped: it needs the IAM account summary' },
      { rule: 'iam-user-mfa', reason: 'rule iam-user-mfa skipped: aggregator evil\u001b[2J\nname' },
    ];
    expect(formatTable({ ...report(), skipped }, { ...plain, maxPerRule: 0 })).toContain(
      [
        '',
        'SKIPPED rule root-mfa skipped: it needs the IAM account summary',
        'SKIPPED rule iam-user-mfa skipped: aggregator evil\\x1b[2J\\nname',
        '',
        'Summary: ',
      ].join('\n'),
    );
    expect(formatTable(report(), plain)).not.toContain('SKIPPED');
  });

  it('--max-per-rule 1: a group with no room is counted with its resources', () => {
    expect(
      formatTable(report(), { ...plain, maxPerRule: 1 }),
    ).toBe(`${HEAD}  missing: CostCenter — 1,204 resources
    i-00000000000000000  AWS::EC2::Instance
    … 1,203 more (use --all)
  … 1 more finding on 2 resources (use --all)
${TAIL}`);
  });

  it('without a limit lists every resource under its finding, and no "more" line', () => {
    const text = formatTable(report(), plain);
    const lines = text.split('\n');
    expect(lines.filter((line) => line.includes('AWS::EC2::Instance'))).toHaveLength(1204);
    expect(lines).toContain('    i-00000000000001203  AWS::EC2::Instance');
    expect(text).not.toContain('more (use --all)');
    expect(text.startsWith(HEAD)).toBe(true);
    expect(text.endsWith(TAIL)).toBe(true);
  });

  it('--all: the compliant group after the non-compliant ones, labelled, with no limit', () => {
    const text = formatTable(report(), { ...plain, all: true });
    expect(text).toContain(`    vol-0bbb             AWS::EC2::Volume
  COMPLIANT compliant: no finding — 3 resources
    vol-0c01             AWS::EC2::Volume
    vol-0c02             AWS::EC2::Volume
    vol-0c03             AWS::EC2::Volume
`);
    expect(text).toContain('  NON_COMPLIANT missing: CostCenter — 1,204 resources\n');
  });

  it('shares the limit out one resource per group in turn, never more than a group has', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 200 }),
        (sizes, limit) => {
          const shown = shareOut(sizes, limit);
          const total = sizes.reduce((sum, size) => sum + size, 0);
          expect(shown.reduce((sum, value) => sum + value, 0)).toBe(Math.min(limit, total));
          shown.forEach((value, index) => {
            expect(value).toBeLessThanOrEqual(sizes[index] ?? 0);
          });
          // Fair: a group shows fewer than another only when it has no more to show, or by the one turn
          // the limit ran out in.
          for (const [a, shownA] of shown.entries()) {
            for (const shownB of shown) {
              if (shownA < (sizes[a] ?? 0)) expect(shownB - shownA).toBeLessThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(shareOut([1204, 2], 5)).toEqual([3, 2]);
    expect(shareOut([3, 3, 3], 4)).toEqual([2, 1, 1]);
  });
});

describe('--max-per-rule and its defaults through the CLI', () => {
  let snapshot = '';
  let config = '';
  beforeAll(() => {
    const dir = tempDir('plumbline-table-');
    snapshot = join(dir, 'snapshot.json');
    config = join(dir, 'plumbline.config.yaml');
    // Configuration item shape: AWS Config Developer Guide, "Delivering Configuration Snapshot" (the
    // snapshot's configurationItems), as in test/fixtures/cli/small-snapshot.json.
    const items = Array.from({ length: 60 }, (_, index) => ({
      configurationItemVersion: '1.3',
      configurationItemCaptureTime: '2026-11-20T00:00:00.000Z',
      awsAccountId: '111122223333',
      configurationItemStatus: 'OK',
      resourceType: 'AWS::EC2::Instance',
      resourceId: instance(index),
      ARN: `arn:aws:ec2:eu-west-1:111122223333:instance/${instance(index)}`,
      awsRegion: 'eu-west-1',
      availabilityZone: 'eu-west-1a',
      tags: { Owner: 'team-a' },
      relationships: [],
      configuration: { instanceId: instance(index), instanceType: 't3.micro' },
      supplementaryConfiguration: {},
    }));
    writeFileSync(snapshot, JSON.stringify({ fileVersion: '1.0', configurationItems: items }));
    writeFileSync(config, 'rules:\n  required-tags:\n    tag1Key: CostCenter\n');
  });

  const args = () => ['scan', '--snapshot', snapshot, '--config', config, '--rule', 'required-tags'];
  const listed = (stdout: string) => stdout.split('\n').filter((line) => line.includes('AWS::EC2::Instance'));

  it(`on a terminal that does not say its height: ${DEFAULT_MAX_PER_RULE} per rule`, async () => {
    const result = await runCli(args(), { stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(listed(result.stdout)).toHaveLength(DEFAULT_MAX_PER_RULE);
    expect(result.stdout).toContain('  missing: CostCenter — 60 resources\n');
    expect(result.stdout).toContain('    … 40 more (use --all)\n');
  });

  it('on a terminal 30 rows high: 20 per rule (a screenful less the lines around them)', async () => {
    const stdout = Object.assign(new Capture(true, 100), { rows: 30 });
    const stderr = new Capture();
    const deps = {
      rules: plumblineRules,
      clients: { config: unused, s3Control: unused },
      now: () => FIXED_NOW,
    };
    const code = await run(args(), { stdout, stderr, env: { NO_COLOR: '1' }, cwd: REPO }, deps);
    expect(code).toBe(1);
    expect(listed(stdout.text)).toHaveLength(20);
    expect(stdout.text).toContain('    … 40 more (use --all)\n');
  });

  it('on a pipe, in a file, or with --all: every resource', async () => {
    const piped = await runCli(args());
    expect(listed(piped.stdout)).toHaveLength(60);
    expect(piped.stdout).not.toContain('more (use --all)');
    const all = await runCli([...args(), '--all'], { stdoutTTY: true });
    expect(listed(all.stdout)).toHaveLength(60);
  });

  it('--max-per-rule N applies on a pipe too', async () => {
    const result = await runCli([...args(), '--max-per-rule', '7']);
    expect(listed(result.stdout)).toHaveLength(7);
    expect(result.stdout).toContain('    … 53 more (use --all)\n');
  });

  it.each([
    [
      '0',
      'plumbline scan: --max-per-rule "0" is not a whole number from 1 to 1000000 (--all lists every one)',
    ],
    [
      'ten',
      'plumbline scan: --max-per-rule "ten" is not a whole number from 1 to 1000000 (--all lists every one)',
    ],
    [
      '2.5',
      'plumbline scan: --max-per-rule "2.5" is not a whole number from 1 to 1000000 (--all lists every one)',
    ],
    [
      '-3',
      'plumbline scan: --max-per-rule "-3" is not a whole number from 1 to 1000000 (--all lists every one)',
    ],
    [
      '1000001',
      'plumbline scan: --max-per-rule "1000001" is not a whole number from 1 to 1000000 (--all lists every one)',
    ],
  ])('--max-per-rule %s is refused, naming the option and the value', async (value, message) => {
    const result = await runCli([...args(), `--max-per-rule=${value}`]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `${message}\nRun "plumbline scan --help" for usage.\n`,
    });
  });

  it('--max-per-rule with --all is refused: they contradict each other', async () => {
    const result = await runCli([...args(), '--all', '--max-per-rule', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'plumbline scan: --max-per-rule 5 and --all contradict each other (--all lists every evaluation); choose one\nRun "plumbline scan --help" for usage.\n',
    );
  });
});

describe('the failing-results line', () => {
  const example = [
    'scan',
    '--snapshot',
    'examples/snapshot.json',
    '--config',
    'examples/plumbline.config.yaml',
  ];
  const LINE = 'plumbline: 26 failing results (--fail-on non-compliant; 26 non-compliant in all)\n';

  it.each(FORMATS)(
    'is printed after a %s report on standard output when the exit code is 1',
    async (format) => {
      const result = await runCli([...example, '--format', format]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(LINE);
    },
  );

  it('is printed after a table on a terminal, and not when nothing fails (exit 0)', async () => {
    const terminal = await runCli(example, { stdoutTTY: true });
    expect(terminal.code).toBe(1);
    expect(terminal.stderr).toBe(LINE);
    const critical = await runCli([...example, '--fail-on', 'critical']);
    expect(critical.stderr).toBe(
      'plumbline: 4 failing results (--fail-on critical; 26 non-compliant in all)\n',
    );
    const none = await runCli([...example, '--fail-on', 'none']);
    expect(none).toMatchObject({ code: 0, stderr: '' });
  });
});
