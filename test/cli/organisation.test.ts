/**
 * An organisation at once: a synced Config bucket in the S3 layout (the newest snapshot of each account and
 * region, or all of them), `--account`/`--region` filters, account and region on every result in every
 * format, the table and the HTML report grouped by account.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { inScope } from '../../cli/scope.ts';
import {
  describeSelection,
  layoutFile,
  type SelectionOptions,
  selectSnapshots,
} from '../../cli/snapshot-layout.ts';
import { CaptureIndex, RepeatLog } from '../../cli/snapshot-scan.ts';
import { runCli, spawnCli, tempDir } from './support/cli.ts';
import {
  ACCOUNTS,
  DAYS,
  groupId,
  historyKey,
  REGIONS,
  snapshotId,
  snapshotKey,
  writeOrganisationBucket,
} from './support/organisation.ts';

const ALL: SelectionOptions = { allSnapshots: false, accounts: [], regions: [], named: [] };

const [ACCOUNT_A, ACCOUNT_B] = ACCOUNTS;
const [EU, US] = REGIONS;

/** The object key of the AWS Config Developer Guide's "Example Configuration Snapshot Delivery Notification". */
const DOCUMENTED_KEY =
  'AWSLogs/123456789012/Config/us-east-2/2016/9/27/ConfigSnapshot/123456789012_Config_us-east-2_ConfigSnapshot_20160927T183939Z_16da64e4-cb65-4846-b061-e6c3ba43cb96.json.gz';

interface JsonEvaluation {
  rule: string;
  resourceId: string;
  accountId: string | null;
  region: string | null;
  compliance: string;
  annotation: string;
  error: string | null;
}

const brief = (evaluation: JsonEvaluation) =>
  `${evaluation.accountId} ${evaluation.region} ${evaluation.resourceId} ${evaluation.compliance}`;

describe('--account and --region on one item', () => {
  const filters = { accounts: ['111122223333'], regions: ['eu-west-1'] };

  it('keeps an item of the accounts and regions asked for, and leaves out the others', () => {
    expect(inScope({ accountId: '111122223333', region: 'eu-west-1' }, filters)).toBe(true);
    expect(inScope({ accountId: '111122223333', region: 'us-east-1' }, filters)).toBe(false);
    expect(inScope({ accountId: '444455556666', region: 'eu-west-1' }, filters)).toBe(false);
  });

  it('keeps a global resource (Config records IAM in the region "global") whatever the region asked for', () => {
    expect(inScope({ accountId: '111122223333', region: 'global' }, filters)).toBe(true);
    expect(inScope({ accountId: '444455556666', region: 'global' }, filters)).toBe(false);
  });

  it('keeps an item that does not say its account or region (judged, fail closed)', () => {
    expect(inScope({}, filters)).toBe(true);
  });
});

describe('the S3 layout of Config snapshots', () => {
  it('reads the account, region, time and id from the documented object key', () => {
    expect(layoutFile(DOCUMENTED_KEY)).toEqual({
      kind: 'snapshot',
      file: DOCUMENTED_KEY,
      accountId: '123456789012',
      region: 'us-east-2',
      takenAt: '20160927T183939Z',
      snapshotId: '16da64e4-cb65-4846-b061-e6c3ba43cb96',
    });
    expect(layoutFile(historyKey(ACCOUNT_A, EU))).toEqual({
      kind: 'history',
      file: historyKey(ACCOUNT_A, EU),
      accountId: ACCOUNT_A,
      region: EU,
    });
    expect(layoutFile('exports/snapshot.json.gz')).toBeUndefined();
    // An account id is 12 digits: anything else is not the layout.
    expect(layoutFile('12345_Config_us-east-2_ConfigSnapshot_20160927T183939Z_x.json.gz')).toBeUndefined();
  });

  it('keeps the newest snapshot of each account and region whatever the order found, the greater id on a tie', () => {
    const older = snapshotKey(ACCOUNT_A, EU, DAYS[0], 'aaa');
    const newer = snapshotKey(ACCOUNT_A, EU, DAYS[1], 'aaa');
    const tieLow = snapshotKey(ACCOUNT_B, EU, DAYS[1], '0000');
    const tieHigh = snapshotKey(ACCOUNT_B, EU, DAYS[1], 'ffff');
    const other = 'exports/select.json';
    for (const files of [
      [older, newer, tieLow, tieHigh, other],
      [tieHigh, other, newer, tieLow, older],
    ]) {
      const selection = selectSnapshots(files, ALL);
      expect(new Set(selection.files)).toEqual(new Set([newer, tieHigh, other]));
      expect(selection.chosen.map((snapshot) => snapshot.file)).toEqual([newer, tieHigh]);
      expect(selection.skipped.map(({ file, why }) => [file, why]).sort()).toEqual(
        [
          [older, 'older snapshot'],
          [tieLow, 'older snapshot'],
        ].sort(),
      );
    }
    expect(selectSnapshots([older, newer], { ...ALL, allSnapshots: true }).files).toEqual([older, newer]);
  });

  it('skips a configuration history file found in a folder, reads one named on the command line', () => {
    const history = historyKey(ACCOUNT_A, EU);
    expect(selectSnapshots([history], ALL)).toEqual({
      files: [],
      chosen: [],
      skipped: [
        {
          file: history,
          why: 'configuration history file',
          reason: 'a configuration history file (changes, not a snapshot)',
        },
      ],
    });
    expect(selectSnapshots([history], { ...ALL, named: [history] }).files).toEqual([history]);
  });

  it('says nothing when every file given is read, and lists at most 20 files of each kind', () => {
    const one = snapshotKey(ACCOUNT_A, EU, DAYS[1], 'x');
    expect(describeSelection(selectSnapshots([one, 'exports/select.json'], ALL))).toEqual([]);
    const days = Array.from({ length: 30 }, (_, day) =>
      snapshotKey(
        ACCOUNT_A,
        EU,
        {
          folder: `2026/10/${day + 1}`,
          stamp: `202610${String(day + 1).padStart(2, '0')}T000000Z`,
        },
        'x',
      ),
    );
    const lines = describeSelection(selectSnapshots(days, ALL));
    expect(lines[0]).toBe(
      'snapshots in the AWS Config layout: reading 1 snapshot of 1 account in 1 account and region pair; skipped 29 older snapshots',
    );
    expect(lines[1]).toBe(`  read ${ACCOUNT_A} ${EU} taken 2026-10-30T00:00:00Z: ${days[29]}`);
    expect(lines).toHaveLength(1 + 1 + 20 + 1);
    expect(lines.at(-1)).toBe('  … 9 more');
  });

  it('leaves out the files of other accounts and regions by their names, saying which filter', () => {
    const files = ACCOUNTS.flatMap((account) =>
      REGIONS.map((region) => snapshotKey(account, region, DAYS[1], 'x')),
    );
    const selection = selectSnapshots(files, { ...ALL, accounts: [ACCOUNT_B], regions: [US] });
    expect(selection.files).toEqual([snapshotKey(ACCOUNT_B, US, DAYS[1], 'x')]);
    expect(selection.skipped.map(({ reason }) => reason)).toEqual([
      `account ${ACCOUNT_A} is not among --account ${ACCOUNT_B}`,
      `account ${ACCOUNT_A} is not among --account ${ACCOUNT_B}`,
      `region ${EU} is not among --region ${US}`,
    ]);
  });
});

describe('scan --snapshot of a synced Config bucket', () => {
  let bucket: string;
  beforeAll(() => {
    bucket = writeOrganisationBucket();
  });

  it('reads the newest snapshot of each account and region, and says which it read and skipped', async () => {
    const result = await runCli([
      'scan',
      '--snapshot',
      bucket,
      '--rule',
      'security-group',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(1);
    const evaluations: JsonEvaluation[] = JSON.parse(result.stdout).evaluations;
    // Group a opened SSH on the second day; group b was deleted by then; group c is only in a history file.
    expect(evaluations.map(brief)).toEqual([
      `${ACCOUNT_A} ${EU} ${groupId(ACCOUNT_A, EU, 'a')} NON_COMPLIANT`,
      `${ACCOUNT_A} ${US} ${groupId(ACCOUNT_A, US, 'a')} NON_COMPLIANT`,
      `${ACCOUNT_B} ${EU} ${groupId(ACCOUNT_B, EU, 'a')} NON_COMPLIANT`,
      `${ACCOUNT_B} ${US} ${groupId(ACCOUNT_B, US, 'a')} NON_COMPLIANT`,
    ]);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe(
      'plumbline: snapshots in the AWS Config layout: reading 4 snapshots of 2 accounts in 4 account and region pairs; skipped 4 older snapshots, 4 configuration history files',
    );
    const newestA = join(bucket, snapshotKey(ACCOUNT_A, EU, DAYS[1], snapshotId(ACCOUNT_A, EU, 1)));
    const olderA = join(bucket, snapshotKey(ACCOUNT_A, EU, DAYS[0], snapshotId(ACCOUNT_A, EU, 0)));
    expect(lines).toContain(`plumbline:   read ${ACCOUNT_A} ${EU} taken 2026-11-21T01:02:03Z: ${newestA}`);
    expect(lines).toContain(
      `plumbline:   skipped ${olderA}: an older snapshot of ${ACCOUNT_A} ${EU} (the one taken 2026-11-21T01:02:03Z is newer; --all-snapshots reads every one)`,
    );
    expect(lines).toContain(
      `plumbline:   skipped ${join(bucket, historyKey(ACCOUNT_B, US))}: a configuration history file (changes, not a snapshot)`,
    );
  });

  it('--all-snapshots reads every snapshot, each resource judged on its newest capture', async () => {
    const result = await runCli([
      'scan',
      '--snapshot',
      bucket,
      '--all-snapshots',
      '--rule',
      'security-group',
      '--format',
      'json',
    ]);
    const evaluations: JsonEvaluation[] = JSON.parse(result.stdout).evaluations;
    // Group a was closed on the first day and open on the second: the second day's capture is judged.
    // The JSON report streams evaluations in reading order, so the comparison is of the sorted lists.
    expect(evaluations.map(brief).sort()).toEqual(
      ACCOUNTS.flatMap((account) =>
        REGIONS.flatMap((region) => [
          `${account} ${region} ${groupId(account, region, 'a')} NON_COMPLIANT`,
          `${account} ${region} ${groupId(account, region, 'b')} NON_COMPLIANT`,
        ]),
      ),
    );
    expect(result.stderr.split('\n')[0]).toBe(
      'plumbline: snapshots in the AWS Config layout: reading 8 snapshots of 2 accounts in 4 account and region pairs; skipped 4 configuration history files',
    );
  });

  /** A JSON report file of the bucket's groups, counting the captures indexed and logged on the way. */
  async function scanCounting(extra: string[]) {
    const indexed = vi.spyOn(CaptureIndex.prototype, 'record');
    const logged = vi.spyOn(RepeatLog.prototype, 'record');
    try {
      const out = join(tempDir(), 'report.json');
      const args = ['--rule', 'security-group', '--format', 'json', '--output', out];
      const result = await runCli(['scan', '--snapshot', bucket, ...extra, ...args]);
      const evaluations: JsonEvaluation[] = JSON.parse(readFileSync(out, 'utf8')).evaluations;
      return {
        stderr: result.stderr,
        indexed: indexed.mock.calls.length,
        logged: logged.mock.calls.length,
        evaluations: evaluations.map(brief).sort(),
      };
    } finally {
      indexed.mockRestore();
      logged.mockRestore();
    }
  }

  it('to a report file: the newest snapshots share no resource, so one pass with the fingerprint log and no capture index', async () => {
    const scan = await scanCounting([]);
    expect(scan.stderr).not.toContain('read twice more');
    expect(scan.indexed).toBe(0);
    // One group in each of the four newest snapshots, each logged once.
    expect(scan.logged).toBe(4);
    expect(scan.evaluations).toEqual(
      ACCOUNTS.flatMap((account) =>
        REGIONS.map((region) => `${account} ${region} ${groupId(account, region, 'a')} NON_COMPLIANT`),
      ),
    );
  });

  it('--all-snapshots to a report file: several snapshots of one account and region repeat resources, so the two passes at once', async () => {
    const scan = await scanCounting(['--all-snapshots']);
    expect(scan.stderr).not.toContain('read twice more');
    expect(scan.logged).toBe(0);
    // The first pass indexes every capture of the eight snapshots (two on the first day, one on the second).
    expect(scan.indexed).toBe(12);
    expect(scan.evaluations).toHaveLength(8);
  });

  it('--account and --region read only those snapshots, and leave out other items of files not in the layout', async () => {
    const cwd = tempDir();
    // A snapshot of account A renamed out of the layout, beside the bucket: its items are filtered one by one.
    copyFileSync(
      join(bucket, snapshotKey(ACCOUNT_A, US, DAYS[1], snapshotId(ACCOUNT_A, US, 1))),
      join(cwd, 'exported.json.gz'),
    );
    const result = await runCli(
      [
        'scan',
        '--snapshot',
        bucket,
        'exported.json.gz',
        '--account',
        ACCOUNT_B,
        '--region',
        `${US},${EU}`,
        '--rule',
        'security-group',
        '--format',
        'json',
      ],
      { cwd },
    );
    const evaluations: JsonEvaluation[] = JSON.parse(result.stdout).evaluations;
    expect(evaluations.map(brief)).toEqual([
      `${ACCOUNT_B} ${EU} ${groupId(ACCOUNT_B, EU, 'a')} NON_COMPLIANT`,
      `${ACCOUNT_B} ${US} ${groupId(ACCOUNT_B, US, 'a')} NON_COMPLIANT`,
    ]);
    expect(result.stderr).toContain(
      'plumbline: snapshots in the AWS Config layout: reading 2 snapshots of 1 account in 2 account and region pairs; skipped 2 older snapshots, 2 configuration history files, 6 files outside --account/--region\n',
    );
    expect(result.stderr).toContain(
      `plumbline: note: 1 item of other accounts or regions left out (--account ${ACCOUNT_B} --region ${US},${EU})\n`,
    );
  });

  it('refuses filters, or a folder of history files only, that leave no file to read, saying why', async () => {
    const result = await runCli(['scan', '--snapshot', bucket, '--account', '999988887777']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'plumbline scan: no snapshot file left to read: of 12 found, skipped 12 files outside --account/--region (--account 999988887777)\n',
    );
    const history = join(tempDir(), 'history');
    mkdirSync(history);
    copyFileSync(
      join(bucket, historyKey(ACCOUNT_A, EU)),
      join(history, historyKey(ACCOUNT_A, EU).split('/').at(-1) as string),
    );
    const onlyHistory = await runCli(['scan', '--snapshot', history]);
    expect(onlyHistory.code).toBe(2);
    expect(onlyHistory.stderr).toContain(
      'plumbline scan: no snapshot file left to read: of 1 found, skipped 1 configuration history file (a history file named on the command line is read)\n',
    );
  });

  it('an unreadable item of a layout file takes its account and region from the file name', async () => {
    const root = tempDir();
    const key = snapshotKey(ACCOUNT_B, US, DAYS[1], 'bad');
    mkdirSync(join(root, key, '..'), { recursive: true });
    // A security group whose configuration is not an object, without awsAccountId or awsRegion.
    const item = {
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0bad0000000000000',
      configurationItemStatus: 'OK',
      configurationItemCaptureTime: DAYS[1].capture,
      configuration: 'not an object',
    };
    writeFileSync(join(root, key), gzipSync(JSON.stringify({ configurationItems: [item] })));
    const result = await runCli(['scan', '--snapshot', root, '--rule', 'security-group', '--format', 'json']);
    const [evaluation]: JsonEvaluation[] = JSON.parse(result.stdout).evaluations;
    expect(evaluation).toMatchObject({
      resourceId: 'sg-0bad0000000000000',
      accountId: ACCOUNT_B,
      region: US,
      compliance: 'NON_COMPLIANT',
    });
    expect(evaluation?.error).toEqual(expect.any(String));
  });
});

describe('account and region on every result, in every format', () => {
  let bucket: string;
  let out: string;
  beforeAll(async () => {
    bucket = writeOrganisationBucket();
    out = tempDir();
    const result = await runCli([
      'scan',
      '--snapshot',
      bucket,
      '--rule',
      'security-group',
      '--format',
      'json',
      '-o',
      join(out, 'report.json'),
      '--sarif',
      join(out, 'report.sarif'),
      '--junit',
      join(out, 'report.xml'),
      '--html',
      join(out, 'report.html'),
    ]);
    expect(result.code).toBe(1);
  });
  const read = (name: string) => readFileSync(join(out, name), 'utf8');
  const places = ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ account, region })));

  it('JSON and SARIF carry them as fields', () => {
    const json: JsonEvaluation[] = JSON.parse(read('report.json')).evaluations;
    expect(json.map(({ accountId, region }) => ({ account: accountId, region }))).toEqual(places);
    const sarif = JSON.parse(read('report.sarif')).runs[0].results;
    expect(
      sarif.map((result: { properties: { accountId: string; region: string } }) => ({
        account: result.properties.accountId,
        region: result.properties.region,
      })),
    ).toEqual(places);
    expect(sarif[0].message.text).toContain(`(${ACCOUNT_A} ${EU})`);
  });

  it('JUnit names them in each test case, the HTML report in each row', () => {
    const junit = read('report.xml');
    const html = read('report.html');
    for (const { account, region } of places) {
      const id = groupId(account, region, 'a');
      expect(junit).toContain(
        `name="AWS::EC2::SecurityGroup ${id} (bastion-${account}-${region}) [${account} ${region}]"`,
      );
      expect(html).toMatch(
        new RegExp(
          `data-account="${account}" data-region="${region}" data-e="\\d+" data-resource-id="${id}"`,
        ),
      );
    }
  });
});

describe('the table and the HTML report group by account when there are several', () => {
  let bucket: string;
  beforeAll(() => {
    bucket = writeOrganisationBucket();
  });

  it('table: an overview line per account, then each rule account by account', async () => {
    const result = await runCli(['scan', '--snapshot', bucket, '--rule', 'security-group']);
    const table = result.stdout;
    expect(table).toContain(
      [
        'By account (2):',
        `  ${ACCOUNT_A}  2 non-compliant · 0 compliant · 0 not applicable · 2 regions`,
        `  ${ACCOUNT_B}  2 non-compliant · 0 compliant · 0 not applicable · 2 regions`,
      ].join('\n'),
    );
    expect(table).toContain(
      [
        `  account ${ACCOUNT_A} · 2 non-compliant`,
        '    tcp 22 open to 0.0.0.0/0 — 2 resources',
        `      ${groupId(ACCOUNT_A, EU, 'a')} (bastion-${ACCOUNT_A}-${EU})  AWS::EC2::SecurityGroup  ${EU}`,
        `      ${groupId(ACCOUNT_A, US, 'a')} (bastion-${ACCOUNT_A}-${US})  AWS::EC2::SecurityGroup  ${US}`,
        `  account ${ACCOUNT_B} · 2 non-compliant`,
      ].join('\n'),
    );
  });

  it('table: --max-per-rule is shared out so that every account shows some', async () => {
    const result = await runCli([
      'scan',
      '--snapshot',
      bucket,
      '--all-snapshots',
      '--rule',
      'security-group',
      '--max-per-rule',
      '2',
    ]);
    expect(result.stdout).toContain(
      [
        `  account ${ACCOUNT_A} · 4 non-compliant`,
        '    tcp 22 open to 0.0.0.0/0 — 4 resources',
        `      ${groupId(ACCOUNT_A, EU, 'a')} (bastion-${ACCOUNT_A}-${EU})  AWS::EC2::SecurityGroup  ${EU}`,
        '      … 3 more (use --all)',
        `  account ${ACCOUNT_B} · 4 non-compliant`,
        '    tcp 22 open to 0.0.0.0/0 — 4 resources',
        `      ${groupId(ACCOUNT_B, EU, 'a')} (bastion-${ACCOUNT_B}-${EU})  AWS::EC2::SecurityGroup  ${EU}`,
        '      … 3 more (use --all)',
      ].join('\n'),
    );
  });

  it('table and HTML: one account, no account headings', async () => {
    const table = await runCli([
      'scan',
      '--snapshot',
      bucket,
      '--account',
      ACCOUNT_A,
      '--rule',
      'security-group',
    ]);
    expect(table.stdout).not.toContain('By account');
    expect(table.stdout).not.toContain(`  account ${ACCOUNT_A}`);
    expect(table.stdout.split('\n')[0]).toContain(`account ${ACCOUNT_A}`);
    const html = await runCli([
      'scan',
      '--snapshot',
      bucket,
      '--account',
      ACCOUNT_A,
      '--rule',
      'security-group',
      '--format',
      'html',
    ]);
    expect(html.stdout).not.toContain('<div class="account"');
    expect(html.stdout).not.toContain('id="accounts"');
  });

  it('HTML: a table of accounts, and each rule section holds a section per account', async () => {
    const result = await runCli([
      'scan',
      '--snapshot',
      bucket,
      '--rule',
      'security-group',
      '--format',
      'html',
    ]);
    const page = result.stdout;
    expect(page).toContain('<section id="accounts"><h2>By account (2)</h2>');
    expect(page).toContain(
      `<tr data-account="${ACCOUNT_A}"><td class="mono">${ACCOUNT_A}</td><td>2</td><td>0</td><td>0</td><td>2</td></tr>`,
    );
    const rule = page.slice(page.indexOf('<section class="rule" id="rule-security-group"'));
    const sections = [...rule.matchAll(/<div class="account" data-account="(\d+)">\n<h3>([^\n]*)<\/h3>/g)];
    expect(sections.map((match) => [match[1], match[2]])).toEqual([
      [ACCOUNT_A, `Account <span class="mono">${ACCOUNT_A}</span> · 2 non-compliant resources`],
      [ACCOUNT_B, `Account <span class="mono">${ACCOUNT_B}</span> · 2 non-compliant resources`],
    ]);
    // Each account's section holds its own rows only.
    const first = rule.slice(
      rule.indexOf(`data-account="${ACCOUNT_A}">`),
      rule.indexOf(`data-account="${ACCOUNT_B}">`),
    );
    expect(first).toContain(`data-resource-id="${groupId(ACCOUNT_A, US, 'a')}"`);
    expect(first).not.toContain(`data-resource-id="${groupId(ACCOUNT_B, EU, 'a')}"`);
  });
});

describe('bad --account, --region, --aggregator and --all-snapshots', () => {
  it.each([
    [
      ['--snapshot', 'x.json', '--account', '12345'],
      '--account "12345" is not an AWS account id (12 digits, like 111122223333)',
    ],
    [['--snapshot', 'x.json', '--account', `${ACCOUNT_A},`], '--account has an empty value (a stray comma?)'],
    [
      ['--snapshot', 'x.json', '--region', 'eu-west-1,euwest2'],
      '--region "euwest2" is not an AWS region name (like eu-west-1)',
    ],
    [
      ['--live', '--aggregator', 'org all'],
      '--aggregator "org all" is not a configuration aggregator name (1 to 256 letters, digits, _ and -)',
    ],
    [
      ['--live', '--account', ACCOUNT_A],
      '--account only applies with --snapshot or --live --aggregator (a plain --live scan reads the account of its credentials)',
    ],
    [['--live', '--all-snapshots'], '--all-snapshots only applies with --snapshot'],
    [
      ['--live', '--aggregator', 'org', '--inventory', 'list'],
      '--inventory does not apply with --aggregator (an aggregator is read with advanced queries)',
    ],
    [['--snapshot', 'x.json', '--acount', ACCOUNT_A], "unknown option '--acount' (did you mean --account?)"],
  ])('scan %j', async (args, message) => {
    const result = await runCli(['scan', ...args]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `plumbline scan: ${message}\nRun "plumbline scan --help" for usage.\n`,
    });
  });
});

describe('end to end', () => {
  it('tsx cli/main.ts scans a synced bucket for two accounts, newest snapshots only, grouped by account', () => {
    const bucket = writeOrganisationBucket();
    const result = spawnCli(['scan', '--snapshot', bucket, '--rule', 'security-group', '--region', EU]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      'plumbline: snapshots in the AWS Config layout: reading 2 snapshots of 2 accounts in 2 account and region pairs; skipped 2 older snapshots, 2 configuration history files, 6 files outside --account/--region',
    );
    expect(result.stdout).toContain(
      [
        `  account ${ACCOUNT_A} · 1 non-compliant`,
        '    tcp 22 open to 0.0.0.0/0',
        `      ${groupId(ACCOUNT_A, EU, 'a')} (bastion-${ACCOUNT_A}-${EU})  AWS::EC2::SecurityGroup`,
        `  account ${ACCOUNT_B} · 1 non-compliant`,
        '    tcp 22 open to 0.0.0.0/0',
        `      ${groupId(ACCOUNT_B, EU, 'a')} (bastion-${ACCOUNT_B}-${EU})  AWS::EC2::SecurityGroup`,
      ].join('\n'),
    );
  });
});
