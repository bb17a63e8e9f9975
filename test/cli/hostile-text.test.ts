/**
 * Terminal and report injection: a resource name with an escape sequence and a tag value with a line break
 * (both legal in AWS) must not repaint the terminal or forge a line of the report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.ts';

const CLEAR_SCREEN = '\u001b[2J';
const FORGED = 'x\r\nSummary: 0 non-compliant';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters the test looks for
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI sequences start with ESC
const ANSI_SEQUENCE = /\u001b\[[0-9;]*[A-Za-z]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a colour is ESC [ n m
const COLOUR = /^\u001b\[\d+m$/;

let snapshot = '';
let config = '';

beforeAll(() => {
  const dir = tempDir('plumbline-hostile-');
  snapshot = join(dir, 'snapshot.json');
  config = join(dir, 'plumbline.config.yaml');
  // Configuration item shape: AWS Config Developer Guide, "Delivering Configuration Snapshot" (the
  // snapshot's configurationItems), as in test/fixtures/cli/small-snapshot.json.
  const instance = {
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: '2026-11-20T00:00:00.000Z',
    awsAccountId: '111122223333',
    configurationItemStatus: 'OK',
    resourceType: 'AWS::EC2::Instance',
    resourceId: 'i-0aaa1111bbbb2222c',
    resourceName: `${CLEAR_SCREEN}web\u202egnp`,
    ARN: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0aaa1111bbbb2222c',
    awsRegion: 'eu-west-1',
    availabilityZone: 'eu-west-1a',
    tags: { CostCenter: FORGED },
    relationships: [],
    configuration: { instanceId: 'i-0aaa1111bbbb2222c', instanceType: 't3.micro' },
    supplementaryConfiguration: {},
  };
  writeFileSync(snapshot, JSON.stringify({ fileVersion: '1.0', configurationItems: [instance] }));
  writeFileSync(config, 'rules:\n  required-tags:\n    tag1Key: CostCenter\n    tag1Value: "1234"\n');
});

const scan = (...extra: string[]) =>
  runCli(['scan', '--snapshot', snapshot, '--config', config, '--rule', 'required-tags', ...extra]);

describe('hostile text in the table', () => {
  it('shows the escape sequence and the line break escaped, and the forged line never starts a line', async () => {
    const result = await scan();
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).not.toContain('\r');
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => /^\s*Summary:/.test(line))).toEqual([
      'Summary: 1 non-compliant · 0 compliant · 0 not applicable (1 evaluation of 1 resource)',
    ]);
    const row = lines.find((line) => line.includes('i-0aaa1111bbbb2222c'));
    expect(row).toContain('i-0aaa1111bbbb2222c (\\x1b[2Jweb\\u202egnp)');
    expect(result.stdout).toContain('CostCenter=x\\r\\nSummary: 0 non-compliant not in [1234]');
  });

  it('escapes them on a colour terminal too, where the only escape sequences are the colours', async () => {
    const result = await runCli(
      ['scan', '--snapshot', snapshot, '--config', config, '--rule', 'required-tags'],
      { stdoutTTY: true },
    );
    expect(result.stdout).toContain('\\x1b[2J');
    expect(result.stdout).not.toContain(CLEAR_SCREEN);
    const sequences = result.stdout.match(ANSI_SEQUENCE) ?? [];
    expect(sequences.length).toBeGreaterThan(0);
    expect(sequences.filter((sequence) => !COLOUR.test(sequence))).toEqual([]);
    const plain = result.stdout.replace(ANSI_SEQUENCE, '');
    expect(plain.split('\n').filter((line) => /^\s*Summary:/.test(line))).toEqual([
      'Summary: 1 non-compliant · 0 compliant · 0 not applicable (1 evaluation of 1 resource)',
    ]);
  });

  it('the HTML report neutralises the bidi override as well as the markup', async () => {
    const result = await scan('--format', 'html');
    expect(result.stdout).toContain('\\x1b[2Jweb\\u202egnp');
    expect(result.stdout).not.toMatch(RAW_CONTROL);
  });

  it('JUnit carries the escaped form in names, messages and bodies: no raw control or bidi character, no forged line', async () => {
    const result = await scan('--format', 'junit');
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain(
      'name="AWS::EC2::Instance i-0aaa1111bbbb2222c (\\x1b[2Jweb\\u202egnp) [111122223333 eu-west-1]"',
    );
    expect(result.stdout).toContain('CostCenter=x\\r\\nSummary: 0 non-compliant not in [1234]');
    expect(result.stdout.split('\n').some((line) => line.startsWith('Summary:'))).toBe(false);
  });

  it('standard error names an unreadable item with its hostile id escaped', async () => {
    const dir = tempDir('plumbline-hostile-stderr-');
    const file = join(dir, 'snapshot.json');
    const item = {
      configurationItemCaptureTime: '2026-11-20T00:00:00.000Z',
      awsAccountId: '111122223333',
      configurationItemStatus: 'OK',
      resourceType: 'AWS::EC2::Instance',
      resourceId: `i-0bad${CLEAR_SCREEN}`,
      awsRegion: 'eu-west-1',
      tags: { CostCenter: '1234' },
      configuration: 'not json\r\nSummary: 0 non-compliant',
    };
    writeFileSync(file, JSON.stringify({ fileVersion: '1.0', configurationItems: [item] }));
    const result = await runCli(['scan', '--snapshot', file, '--config', config, '--rule', 'required-tags']);
    expect(result.stderr).toContain('i-0bad\\x1b[2J');
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr.split('\n').some((line) => line.startsWith('Summary:'))).toBe(false);
  });

  it('JSON keeps the values exactly (encoded by JSON itself); the annotation is the escaped one Config gets', async () => {
    const result = await scan('--format', 'json');
    const report = JSON.parse(result.stdout) as {
      evaluations: { resourceName: string; annotation: string }[];
    };
    expect(report.evaluations[0]?.resourceName).toBe(`${CLEAR_SCREEN}web\u202egnp`);
    expect(report.evaluations[0]?.annotation).toBe(
      'CostCenter=x\\r\\nSummary: 0 non-compliant not in [1234]',
    );
  });
});
