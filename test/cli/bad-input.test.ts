/**
 * Bad usage and bad input exit 2 with a message that names the file and the field (or the option), and
 * nothing is written to standard output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_SNAPSHOT, FIXTURES, REPO, runCli, tempDir } from './support/cli.ts';

let dir: string;
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = tempDir('plumbline-bad-');
});

async function expectInputError(args: string[], message: string) {
  const result = await runCli(args);
  expect(result).toEqual({ code: 2, stdout: '', stderr: `plumbline: ${message}\n` });
}

async function expectUsageError(args: string[], command: string, message: string) {
  const result = await runCli(args);
  const prefix = command ? `plumbline ${command}` : 'plumbline';
  expect(result).toEqual({
    code: 2,
    stdout: '',
    stderr: `${prefix}: ${message}\nRun "${prefix} --help" for usage.\n`,
  });
}

describe('bad snapshot files', () => {
  it('a missing file', async () => {
    await expectInputError(
      ['scan', '--snapshot', 'no/such/snapshot.json'],
      'no/such/snapshot.json: no such file or folder',
    );
  });

  it('a file that is not JSON, with the position of the problem', async () => {
    const path = file('broken.json', '{\n  "configurationItems": [\n    {"resourceId" "i-1"}\n  ]\n}\n');
    await expectInputError(
      ['scan', '--snapshot', path],
      `${path}: not valid JSON: Expected ':' after property name in JSON at position 46 (line 3 column 19)`,
    );
  });

  it('a file cut short', async () => {
    const path = file('cut.json', '{"configurationItems": [');
    await expectInputError(
      ['scan', '--snapshot', path],
      `${path}: not valid JSON: Unexpected end of JSON input at position 24 (line 1 column 25): the text ends early (a file cut short?)`,
    );
  });

  it('an empty file', async () => {
    const path = file('empty.json', '');
    await expectInputError(['scan', '--snapshot', path], `${path}: the file is empty`);
  });

  it('JSON of another shape', async () => {
    const path = file('other.json', '{"items": []}');
    await expectInputError(
      ['scan', '--snapshot', path],
      `${path}: expected a JSON object with configurationItems, baseConfigurationItems or Results`,
    );
  });

  it('an item with a bad field: an error result naming the file, the item index and the field; the other items are evaluated', async () => {
    const item = {
      resourceType: 'AWS::EC2::Instance',
      resourceId: 'i-1',
      awsRegion: 'us-east-1',
      awsAccountId: '111122223333',
      configurationItemCaptureTime: '2026-11-20T00:00:00Z',
      configurationItemStatus: 'OK',
    };
    const path = file(
      'shape.json',
      JSON.stringify({
        configurationItems: [item, { ...item, resourceId: 'i-2', configurationItemStatus: 'Gone' }],
      }),
    );
    const problem =
      'Invalid configuration item: configurationItems[1].configurationItemStatus: Invalid option: expected one of "OK"|"ResourceDiscovered"|"ResourceNotRecorded"|"ResourceDeleted"|"ResourceDeletedNotRecorded" (got "Gone")';
    const result = await runCli(['scan', '--snapshot', path, '--rule', 'required-tags', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `plumbline: error: required-tags: AWS::EC2::Instance i-2 (${path}:1): ${problem} (judged NON_COMPLIANT)\n` +
        'plumbline: 1 item error: the other items were evaluated; --strict makes this exit 2\n' +
        'plumbline: 2 failing results (--fail-on non-compliant; 2 non-compliant in all)\n',
    );
    const report = JSON.parse(result.stdout);
    expect(
      report.evaluations.map((evaluation: Record<string, unknown>) => [
        evaluation.resourceId,
        evaluation.compliance,
        evaluation.error,
      ]),
    ).toEqual([
      ['i-1', 'NON_COMPLIANT', null],
      ['i-2', 'NON_COMPLIANT', problem],
    ]);
    expect(report.summary.errors).toBe(1);
    expect((await runCli(['scan', '--snapshot', path, '--strict'])).code).toBe(2);
  });

  it('a truncated gzip file', async () => {
    const whole = gzipSync(readFileSync(join(REPO, EXAMPLE_SNAPSHOT)));
    const path = file('snapshot.json.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    await expectInputError(
      ['scan', '--snapshot', path],
      `${path}: truncated gzip file (unexpected end of file): it ends early; download it again`,
    );
  });

  it('a corrupt gzip file', async () => {
    const whole = gzipSync(Buffer.from('{"configurationItems": []}'));
    const corrupt = Buffer.from(whole);
    corrupt.fill(0x55, 12, 20);
    const path = file('corrupt.json.gz', corrupt);
    const result = await runCli(['scan', '--snapshot', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^plumbline: ${path}: corrupt gzip file \\(.+\\); download it again\\n$`),
    );
  });

  it('select-resource-config output whose query left out fields the rules need: the fields', async () => {
    const needs =
      'select-resource-config output needs SELECT resourceId, resourceName, resourceType, arn, accountId, awsRegion, configurationItemCaptureTime, configurationItemStatus, configuration, supplementaryConfiguration, tags';
    const fixture = JSON.parse(readFileSync(join(REPO, FIXTURES, 'select-resource-config.json'), 'utf8'));
    const rows: Record<string, unknown>[] = fixture.Results.map((row: string) => JSON.parse(row));
    const without = (...fields: string[]) =>
      rows.map((row) =>
        JSON.stringify(Object.fromEntries(Object.entries(row).filter(([key]) => !fields.includes(key)))),
      );
    // As the AWS CLI prints it: QueryInfo.SelectFields says what the query selected.
    const declared = file(
      'select-no-tags.json',
      JSON.stringify({
        Results: without('tags', 'supplementaryConfiguration'),
        QueryInfo: {
          SelectFields: fixture.QueryInfo.SelectFields.filter(
            (field: { Name: string }) => !['tags', 'supplementaryConfiguration'].includes(field.Name),
          ),
        },
      }),
    );
    await expectInputError(
      ['scan', '--snapshot', declared],
      `${declared}: Results: the query did not select supplementaryConfiguration, tags; ${needs}`,
    );
    // Without QueryInfo, the fields no row carries.
    const bare = file('select-no-configuration.json', JSON.stringify({ Results: without('configuration') }));
    await expectInputError(
      ['scan', '--snapshot', bare],
      `${bare}: Results: the query did not select configuration; ${needs}`,
    );
    // Without QueryInfo, rows that carry no tags or supplementary configuration (empty for them) are read.
    const untagged = file(
      'select-untagged.json',
      JSON.stringify({ Results: without('tags', 'supplementaryConfiguration') }),
    );
    expect((await runCli(['scan', '--snapshot', untagged, '--fail-on', 'none'])).code).toBe(0);
    // resourceName and arn only name the resource: a query without them is read.
    const unnamed = file(
      'select-unnamed.json',
      JSON.stringify({ Results: without('resourceName', 'arn'), QueryInfo: {} }),
    );
    expect((await runCli(['scan', '--snapshot', unnamed, '--fail-on', 'none'])).code).toBe(0);
  });

  it('a folder holding no snapshot file', async () => {
    const empty = tempDir('plumbline-empty-');
    writeFileSync(join(empty, 'readme.txt'), 'nothing here');
    await expectInputError(
      ['scan', '--snapshot', empty],
      `${empty}: folder holds no .json or .json.gz snapshot file`,
    );
  });
});

describe('bad configuration files', () => {
  const scanWith = (config: string) => ['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--config', config];

  it('a missing configuration file', async () => {
    await expectInputError(scanWith('missing.yaml'), 'missing.yaml: no such file or folder');
  });

  it('YAML that does not parse, with the line', async () => {
    const path = file('bad.yaml', 'rules: [\n');
    await expectInputError(
      scanWith(path),
      `${path}: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1`,
    );
  });

  it('JSON that does not parse', async () => {
    const path = file('bad.json', '{"rules": }');
    await expectInputError(
      scanWith(path),
      `${path}: not valid JSON: Unexpected token '}', "{"rules": }" is not valid JSON`,
    );
  });

  it('a document that is not a mapping', async () => {
    const path = file('list.yaml', '- security-group\n');
    await expectInputError(
      scanWith(path),
      `${path}: expected a mapping with a "rules" key, got ["security-group"]`,
    );
  });

  it('an unknown rule name under rules', async () => {
    const path = file('unknown.yaml', 'rules:\n  security-groups: {}\n');
    await expectInputError(
      scanWith(path),
      `${path}: rules.security-groups: unknown rule (known: security-group, required-tags, public-bucket)`,
    );
  });

  /** The rule is refused and named on standard error and in the report; the other rules run; exit 2. */
  async function expectRuleRefused(config: string, message: string) {
    const result = await runCli([...scanWith(config), '--format', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`plumbline: ${message} (the rule was not run)`);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toEqual([{ message, rule: 'security-group', file: null, line: null }]);
    expect(new Set(report.evaluations.map((evaluation: { rule: string }) => evaluation.rule))).toEqual(
      new Set(['required-tags', 'public-bucket']),
    );
  }

  it('a bad rule parameter: the file, the rule, the parameter and the value; the other rules still run', async () => {
    const path = file('param.yaml', 'rules:\n  security-group:\n    blockedPorts: "22,abc"\n');
    await expectRuleRefused(
      path,
      `${path}: rule security-group: Invalid rule parameter blockedPorts="22,abc": "abc" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)`,
    );
  });

  it('a bad suite setting: the path inside the setting; the other rules still run', async () => {
    const path = file(
      'baseline.yaml',
      'baselines:\n  web:\n    ingress:\n      - { protocol: tcp, fromPort: 22, cidr: 10.0.0.1/8 }\n',
    );
    await expectRuleRefused(
      path,
      `${path}: rule security-group: Invalid rule parameter baselines.web.ingress[0].cidr="10.0.0.1/8": has bits set beyond the prefix; write 10.0.0.0/8`,
    );
  });

  it('a bad responder setting, checked as the deployment would', async () => {
    const path = file('responders.yaml', 'responders:\n  public-bucket-remediate:\n    mode: always\n');
    await expectInputError(
      scanWith(path),
      `${path}: Invalid rule parameter responders.public-bucket-remediate.mode="always": expected enforce or report`,
    );
  });

  it('validates the configuration in `plumbline rules` too', async () => {
    const path = file(
      'rules-param.json',
      JSON.stringify({ rules: { 'public-bucket': { publicAccess: 'everyone' } } }),
    );
    const result = await runCli(['rules', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^plumbline: ${path}: rule public-bucket: Invalid rule parameter publicAccess="everyone": `),
    );
  });
});

describe('bad usage', () => {
  it.each([
    [['scan'], 'scan', 'nothing to scan: pass --snapshot FILE... or --live'],
    [
      ['scan', '--live', '--snapshot', 'x.json'],
      'scan',
      'choose one input: --snapshot FILE... or --live, not both',
    ],
    [
      ['scan', '--snapshot', 'x.json', '--aggregator', 'org'],
      'scan',
      '--aggregator only applies with --live',
    ],
    [['scan', '--snapshot', 'x.json', '--profile', 'dev'], 'scan', '--profile only applies with --live'],
    [
      ['scan', '--live', '--region', 'useast1'],
      'scan',
      '--region "useast1" is not an AWS region name (like eu-west-1)',
    ],
    [
      ['scan', '--snapshot', 'x.json', '--format', 'xml'],
      'scan',
      '--format "xml" is not one of: table, json, sarif, html, junit',
    ],
    [
      ['scan', '--snapshot', 'x.json', '--fail-on', 'warning'],
      'scan',
      '--fail-on "warning" is not one of: non-compliant, none, low, medium, high, critical',
    ],
    [['scan', '--snapshot', 'x.json', '--frobnicate'], 'scan', "unknown option '--frobnicate'"],
    [
      ['scan', '--live', '--inventory', 'describe'],
      'scan',
      '--inventory "describe" is not one of: select, list',
    ],
    [
      ['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--rule', 'public-buckets'],
      'scan',
      '--rule "public-buckets" is not a rule (rules: security-group, required-tags, public-bucket)',
    ],
    [['rules', 'extra'], 'rules', 'unexpected argument "extra"'],
    [['rules', '--format', 'sarif'], 'rules', '--format "sarif" is not one of: table, json'],
    [['deploy'], '', 'unknown command "deploy" (commands: scan, rules, help)'],
    [['help', 'deploy'], '', 'no help for unknown command "deploy" (commands: scan, rules)'],
  ])('%j', async (args, command, message) => {
    await expectUsageError(args, command, message);
  });
});
