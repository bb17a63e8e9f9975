/**
 * The report formats: JSON as the issue specifies it, SARIF validated against the official 2.1.0 schema,
 * JUnit, and the table (plain or coloured). The test-only rule keeps the expected text independent of the
 * real rules' wording; the real rules run through SARIF as well.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatJson } from '../../cli/format/json.ts';
import { formatJunit } from '../../cli/format/junit.ts';
import { formatSarif } from '../../cli/format/sarif.ts';
import { wrap } from '../../cli/format/table.ts';
import { testRule } from '../support/test-rule.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, FIXTURES, REPO, runCli, tempDir } from './support/cli.ts';
import { reportOf } from './support/html-report.ts';
import { sarifValidator } from './support/sarif.ts';

const SMALL = `${FIXTURES}/small-snapshot.json`;
const ESC = '\u001b';
const onlyTestRule = { rules: () => [testRule] };

describe('json', () => {
  it('has the summary and one evaluation per rule and resource, absent values as null', async () => {
    const result = await runCli(['scan', '--snapshot', SMALL, '--format', 'json'], onlyTestRule);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      summary: {
        evaluations: 3,
        resources: 4,
        errors: 0,
        COMPLIANT: 1,
        NON_COMPLIANT: 1,
        NOT_APPLICABLE: 1,
        rules: { 'test-owner-tag': { COMPLIANT: 1, NON_COMPLIANT: 1, NOT_APPLICABLE: 1 } },
      },
      evaluations: [
        {
          rule: 'test-owner-tag',
          resourceType: 'AWS::EC2::Instance',
          resourceId: 'i-0aaa1111bbbb2222c',
          resourceName: null,
          accountId: '111122223333',
          region: 'eu-west-1',
          compliance: 'COMPLIANT',
          annotation: 'tag Owner present',
          reasons: [{ code: 'tag-present', message: 'tag Owner present' }],
          error: null,
        },
        {
          rule: 'test-owner-tag',
          resourceType: 'AWS::EC2::Instance',
          resourceId: 'i-0bbb3333cccc4444d',
          resourceName: null,
          accountId: '111122223333',
          region: 'eu-west-1',
          compliance: 'NON_COMPLIANT',
          annotation: 'missing: Owner',
          reasons: [{ code: 'missing-tag', message: 'missing: Owner' }],
          error: null,
        },
        {
          rule: 'test-owner-tag',
          resourceType: 'AWS::EC2::Volume',
          resourceId: 'vol-0ccc5555dddd6666e',
          resourceName: null,
          accountId: '111122223333',
          region: 'eu-west-1',
          compliance: 'NOT_APPLICABLE',
          annotation: 'resource status is ResourceDeleted',
          reasons: [{ code: 'not-recorded', message: 'resource status is ResourceDeleted' }],
          error: null,
        },
      ],
      errors: [],
      skipped: [],
    });
  });
});

describe('sarif', () => {
  let validate: ValidateFunction;
  beforeAll(() => {
    validate = sarifValidator();
  });

  it('the schema itself rejects what it should (the validator is live)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{}] }] })).toBe(
      false,
    );
  });

  it('is valid SARIF 2.1.0 for the example, with rules, severities, results and locations', async () => {
    const result = await runCli([
      'scan',
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--config',
      EXAMPLE_CONFIG,
      '--format',
      'sarif',
    ]);
    const log = JSON.parse(result.stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('Plumbline');
    expect(
      run.tool.driver.rules.map((rule: { id: string; properties: Record<string, unknown> }) => [
        rule.id,
        rule.properties['security-severity'],
      ]),
    ).toEqual([
      ['security-group', '8.0'],
      ['required-tags', '3.0'],
      ['public-bucket', '9.0'],
    ]);
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(20);
      expect(rule.help.markdown).toContain(`rules.${rule.id}`);
    }
    // One result per non-compliant evaluation; nothing for compliant or not-applicable ones.
    expect(run.results).toHaveLength(26);
    const bastion = run.results.find(
      (r: { properties: { resourceId: string } }) => r.properties.resourceId === 'sg-01a3c5e7092b4d6f8',
    );
    expect(bastion).toMatchObject({
      ruleId: 'security-group',
      ruleIndex: 0,
      level: 'error',
      message: {
        text: 'AWS::EC2::SecurityGroup sg-01a3c5e7092b4d6f8 (legacy-bastion) (111122223333 us-east-1): tcp 22 open to 0.0.0.0/0',
      },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'examples/snapshot.json', uriBaseId: '%SRCROOT%' } },
          logicalLocations: [
            {
              name: 'sg-01a3c5e7092b4d6f8',
              fullyQualifiedName: 'arn:aws:ec2:us-east-1:111122223333:security-group/sg-01a3c5e7092b4d6f8',
              kind: 'resource',
            },
          ],
        },
      ],
    });
    expect(run.results.filter((r: { level: string }) => r.level === 'note')).toHaveLength(17);
  });

  it('points each result at the line where its item starts in the snapshot file', async () => {
    const result = await runCli(['scan', '--snapshot', SMALL, '--format', 'sarif'], onlyTestRule);
    const log = JSON.parse(result.stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].results).toHaveLength(1);
    expect(log.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/cli/small-snapshot.json', uriBaseId: '%SRCROOT%' },
      region: { startLine: 26 },
    });
    const lines = readFileSync(join(REPO, SMALL), 'utf8').split('\n');
    expect(lines[25]).toBe('    {');
    expect(lines.slice(25, 45).join('\n')).toContain('"resourceId": "i-0bbb3333cccc4444d"');
  });

  it('gives stable fingerprints: the same for the same rule and resource, different otherwise', async () => {
    type Result = {
      ruleId: string;
      message: { text: string };
      locations: { physicalLocation: { region: { startLine: number } } }[];
      properties: { resourceId: string; reasons: unknown[] };
      partialFingerprints: Record<string, string>;
    };
    const sarifOf = async (snapshot: string, now?: Date) => {
      const args = ['scan', '--snapshot', snapshot, '--config', EXAMPLE_CONFIG, '--format', 'sarif'];
      const log = JSON.parse((await runCli(args, now ? { now } : {})).stdout);
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
      return { results: log.runs[0].results as Result[], time: log.runs[0].invocations[0].endTimeUtc };
    };
    const print = (r: Result) => r.partialFingerprints['plumblineResource/v1'] as string;
    const key = (r: Result) => `${r.ruleId} ${r.properties.resourceId}`;

    // The next day's snapshot: items in the opposite order, the bastion open on another port, an instance
    // that has lost its tags, and a clone of the bastion under another id.
    const document = JSON.parse(readFileSync(join(REPO, EXAMPLE_SNAPSHOT), 'utf8'));
    const items: Record<string, unknown>[] = document.configurationItems;
    const bastion = items.find((item) => item.resourceId === 'sg-01a3c5e7092b4d6f8') as {
      configuration: { ipPermissions: { fromPort: number; toPort: number }[] };
    };
    const [rule] = bastion.configuration.ipPermissions;
    if (rule === undefined) throw new Error('the bastion opens no port');
    rule.fromPort = 3389;
    rule.toPort = 3389;
    const instance = items.find((item) => item.resourceId === 'i-0d4a6c8e0a2b3d5f7') as { tags: object };
    instance.tags = {};
    const clone = {
      ...structuredClone(bastion),
      resourceId: 'sg-0c10e0000000000aa',
      ARN: 'arn:aws:ec2:us-east-1:111122223333:security-group/sg-0c10e0000000000aa',
    };
    document.configurationItems = [clone, ...items.reverse()];
    const nextDay = join(tempDir(), 'snapshot.json');
    writeFileSync(nextDay, JSON.stringify(document, null, 2));

    const first = await sarifOf(EXAMPLE_SNAPSHOT);
    const second = await sarifOf(nextDay, new Date('2026-11-23T07:30:00.000Z'));

    // The runs do differ: the clock, each item's place in the file, and the finding text and reasons on the
    // same rule and resource.
    expect(second.time).not.toBe(first.time);
    const changed = ['security-group sg-01a3c5e7092b4d6f8', 'required-tags i-0d4a6c8e0a2b3d5f7'];
    for (const name of changed) {
      const before = first.results.find((r) => key(r) === name) as Result;
      const after = second.results.find((r) => key(r) === name) as Result;
      expect(after.message.text).not.toBe(before.message.text);
      expect(after.properties.reasons).not.toEqual(before.properties.reasons);
      // Reordered items sit elsewhere in the file (results are sorted, so the order of results is not).
      expect(after.locations[0]?.physicalLocation.region.startLine).not.toBe(
        before.locations[0]?.physicalLocation.region.startLine,
      );
    }
    // Same rule and resource, same fingerprint, whatever changed around it.
    const firstPrints = new Map(first.results.map((r) => [key(r), print(r)]));
    expect(firstPrints.size).toBe(first.results.length);
    expect(second.results).toHaveLength(first.results.length + 1);
    for (const r of second.results) {
      if (firstPrints.has(key(r))) expect(print(r), key(r)).toBe(firstPrints.get(key(r)));
    }
    // Another resource, another fingerprint: unique within a run, the clone included.
    const secondPrints = second.results.map(print);
    expect(new Set(secondPrints).size).toBe(second.results.length);
    const cloneResult = second.results.find((r) => key(r) === 'security-group sg-0c10e0000000000aa');
    expect(cloneResult).toBeDefined();
    expect(print(cloneResult as Result)).not.toBe(firstPrints.get('security-group sg-01a3c5e7092b4d6f8'));
    for (const value of secondPrints) expect(value).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('junit', () => {
  it('has a suite per rule, a failure per non-compliant resource, skipped for not applicable, escaped text', async () => {
    const result = await runCli(['scan', '--snapshot', SMALL, '--format', 'junit'], onlyTestRule);
    expect(result.stdout).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="plumbline" tests="3" failures="1" errors="0" skipped="1" time="0" timestamp="2026-11-22T10:00:00">
  <testsuite name="test-owner-tag" tests="3" failures="1" errors="0" skipped="1" time="0" timestamp="2026-11-22T10:00:00">
    <properties>
      <property name="description" value="Test-only: instances and volumes carry an owner tag."/>
      <property name="severity" value="3"/>
      <property name="source" value="test/fixtures/cli/small-snapshot.json"/>
    </properties>
    <testcase classname="plumbline.test-owner-tag" name="AWS::EC2::Instance i-0aaa1111bbbb2222c (web &lt;1&gt;) [111122223333 eu-west-1]" time="0"/>
    <testcase classname="plumbline.test-owner-tag" name="AWS::EC2::Instance i-0bbb3333cccc4444d (batch &amp; &quot;co&quot;) [111122223333 eu-west-1]" time="0">
      <failure type="NON_COMPLIANT" message="missing: Owner">[missing-tag] missing: Owner</failure>
    </testcase>
    <testcase classname="plumbline.test-owner-tag" name="AWS::EC2::Volume vol-0ccc5555dddd6666e [111122223333 eu-west-1]" time="0">
      <skipped message="resource status is ResourceDeleted"/>
    </testcase>
  </testsuite>
</testsuites>
`);
  });
});

describe('table', () => {
  const EXPECTED_PLAIN = `Plumbline · test/fixtures/cli/small-snapshot.json · account 111122223333 · eu-west-1 · 4 resources · 1 rule
Non-compliant: 1 (1 low) · 1 compliant · 1 not applicable
  low       test-owner-tag  1 non-compliant

test-owner-tag · severity 3 (low) · 1 non-compliant · 1 compliant · 1 not applicable
  Test-only: instances and volumes carry an owner tag.

  missing: Owner
    i-0bbb3333cccc4444d (batch & "co")  AWS::EC2::Instance

Summary: 1 non-compliant · 1 compliant · 1 not applicable (3 evaluations of 4 resources)
Listed: non-compliant results only; --all lists every evaluation.
`;

  it('is plain text when standard output is not a terminal', async () => {
    const result = await runCli(['scan', '--snapshot', SMALL], onlyTestRule);
    expect(result.stdout).toBe(EXPECTED_PLAIN);
    expect(result.stderr).toBe(
      'plumbline: 1 failing result (--fail-on non-compliant; 1 non-compliant in all)\n',
    );
  });

  it('is coloured on a terminal, and plain again with NO_COLOR or --no-color', async () => {
    const coloured = await runCli(['scan', '--snapshot', SMALL], { ...onlyTestRule, stdoutTTY: true });
    expect(coloured.stdout).toContain('\x1b[31m1 non-compliant\x1b[39m');
    expect(coloured.stdout.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '')).toBe(EXPECTED_PLAIN);
    const noColor = await runCli(['scan', '--snapshot', SMALL], {
      ...onlyTestRule,
      stdoutTTY: true,
      env: { NO_COLOR: '1' },
    });
    expect(noColor.stdout).toBe(EXPECTED_PLAIN);
    const flag = await runCli(['scan', '--snapshot', SMALL, '--no-color'], {
      ...onlyTestRule,
      stdoutTTY: true,
    });
    expect(flag.stdout).toBe(EXPECTED_PLAIN);
    const forced = await runCli(['scan', '--snapshot', SMALL], {
      ...onlyTestRule,
      env: { FORCE_COLOR: '1' },
    });
    expect(forced.stdout).toContain('\x1b[');
  });

  it('--all lists every evaluation with its compliance, non-compliant first', async () => {
    const result = await runCli(['scan', '--snapshot', SMALL, '--all'], onlyTestRule);
    expect(result.stdout).toContain(`  NON_COMPLIANT missing: Owner
    i-0bbb3333cccc4444d (batch & "co")  AWS::EC2::Instance
  COMPLIANT tag Owner present
    i-0aaa1111bbbb2222c (web <1>)       AWS::EC2::Instance
  NOT_APPLICABLE resource status is ResourceDeleted
    vol-0ccc5555dddd6666e               AWS::EC2::Volume
`);
    expect(result.stdout).not.toContain('Listed: non-compliant results only');
  });

  it('wraps findings at word boundaries, never losing or reordering a character', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9:/.,-]{1,40}$/), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 5, max: 60 }),
        (words, limit) => {
          const lines = wrap(words.join(' '), limit);
          for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(limit);
          expect(lines.join('').replace(/ /g, '')).toBe(words.join(''));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('skipped rules', () => {
  // The aggregator's name is the user's text, and it is in the reason.
  const HOSTILE = 'rule root-mfa skipped: the aggregator "a<b>&\u001b\' does not hold it';
  const report = reportOf([], { skipped: [{ rule: 'root-mfa', reason: HOSTILE }] });

  it('json: in the skipped array with its reason, after the errors', () => {
    const json = JSON.parse(formatJson(report));
    expect(json.skipped).toEqual([{ rule: 'root-mfa', reason: HOSTILE }]);
    expect(Object.keys(json)).toEqual(['evaluations', 'errors', 'skipped', 'summary']);
  });

  it('sarif: a warning notification of the invocation, its descriptor the rule, valid SARIF 2.1.0', () => {
    const sarif = JSON.parse(formatSarif(report, { cwd: REPO }));
    expect(sarifValidator()(sarif)).toBe(true);
    expect(sarif.runs[0].invocations[0]).toEqual({
      executionSuccessful: true,
      endTimeUtc: '2026-11-22T10:00:00.000Z',
      toolExecutionNotifications: [
        { level: 'warning', message: { text: HOSTILE }, descriptor: { id: 'root-mfa' } },
      ],
    });
  });

  it('junit: a suite of its own with one skipped test case, counted in the totals, escaped', () => {
    const junit = formatJunit(report);
    expect(junit).toContain(
      '<testsuites name="plumbline" tests="1" failures="0" errors="0" skipped="1" time="0" timestamp="2026-11-22T10:00:00">',
    );
    expect(junit).toContain(
      `  </testsuite>
  <testsuite name="root-mfa" tests="1" failures="0" errors="0" skipped="1" time="0" timestamp="2026-11-22T10:00:00">
    <testcase classname="plumbline.root-mfa" name="rule root-mfa" time="0">
      <skipped message="rule root-mfa skipped: the aggregator &quot;a&lt;b&gt;&amp;\\x1b&apos; does not hold it"/>
    </testcase>
  </testsuite>
</testsuites>
`,
    );
  });
});

describe('extra report files', () => {
  it('writes the main report to --output and each --html/--json/--sarif/--junit file beside it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'out'));
    const result = await runCli(
      [
        'scan',
        '--snapshot',
        SMALL,
        '--output',
        join(dir, 'out/table.txt'),
        '--html',
        join(dir, 'report.html'),
        '--json',
        join(dir, 'report.json'),
        '--sarif',
        join(dir, 'report.sarif'),
        '--junit',
        join(dir, 'junit.xml'),
      ],
      onlyTestRule,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        `plumbline: wrote the table report to ${join(dir, 'out/table.txt')}`,
        `plumbline: wrote the html report to ${join(dir, 'report.html')}`,
        `plumbline: wrote the json report to ${join(dir, 'report.json')}`,
        `plumbline: wrote the sarif report to ${join(dir, 'report.sarif')}`,
        `plumbline: wrote the junit report to ${join(dir, 'junit.xml')}`,
        'plumbline: 1 failing result (--fail-on non-compliant; 1 non-compliant in all)',
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(dir, 'out/table.txt'), 'utf8')).toBe(
      (await runCli(['scan', '--snapshot', SMALL], onlyTestRule)).stdout,
    );
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).summary.NON_COMPLIANT).toBe(1);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<failure type="NON_COMPLIANT"');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('escapes every value in the HTML report', async () => {
    const result = await runCli(['scan', '--snapshot', SMALL, '--format', 'html', '--all'], onlyTestRule);
    expect(result.stdout).toContain('<span class="name">web &lt;1&gt;</span>');
    expect(result.stdout).toContain('<span class="name">batch &amp; &quot;co&quot;</span>');
    expect(result.stdout).not.toContain('web <1>');
    expect(result.stdout).toMatch(
      /content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]{43}='"/,
    );
  });
});

describe('plumbline rules', () => {
  it('lists each rule, its resource types and parameters with defaults and configured values', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ rules: { 'test-owner-tag': { requiredTag: 'Team' } } }));
    expect(await runCli(['rules', '--config', config], onlyTestRule)).toEqual({
      code: 0,
      stderr: '',
      stdout: `test-owner-tag · severity 3 (low)
  Test-only: instances and volumes carry an owner tag.
  Resource types: AWS::EC2::Instance, AWS::EC2::Volume
  Parameters (rules.test-owner-tag in the configuration file):
    requiredTag  The tag key to require. [default: Owner; set: Team]
`,
    });
    const json = await runCli(['rules', '--format', 'json'], onlyTestRule);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        name: 'test-owner-tag',
        description: 'Test-only: instances and volumes carry an owner tag.',
        severity: 3,
        resourceTypes: ['AWS::EC2::Instance', 'AWS::EC2::Volume'],
        accountFacts: [],
        managedRuleDifferences: [],
        parameters: [
          { name: 'requiredTag', description: 'The tag key to require.', default: 'Owner', value: null },
        ],
      },
    ]);
  });
});
