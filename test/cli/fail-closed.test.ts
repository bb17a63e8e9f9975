/**
 * The CLI fails closed and goes on: an item that cannot be read or judged is an error result in every
 * format (exit 2 only with --strict); inputs are bounded (--max-input-size, gzip bombs, YAML alias bombs);
 * a report never overwrites an input and never creates a folder.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { securityGroupItem } from '../fixtures/security-group/index.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, runCli, tempDir } from './support/cli.ts';

let dir: string;
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = tempDir('plumbline-fail-closed-');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const BAD_GROUP = 'sg-00000000000000137';
const BAD_PROBLEM = `Invalid security group configuration: ${BAD_GROUP}.configuration.ipPermissions: Invalid input: expected array, received string`;

/** 250 security groups open on 22 to the world as a Config snapshot; one has a CIDR that is not one. */
function groupsSnapshot(): string {
  const items = Array.from({ length: 250 }, (_, index) => {
    const groupId = `sg-${String(index).padStart(17, '0')}`;
    const ipPermissions =
      groupId === BAD_GROUP
        ? 'not a list'
        : [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }] }];
    return {
      ...securityGroupItem(
        {
          groupId,
          ipPermissions,
        },
        {},
      ),
      resourceId: groupId,
    };
  });
  return file('groups.json', JSON.stringify({ fileVersion: '1.0', configurationItems: items }, null, 2));
}

describe('an item that cannot be judged: an error result, the others judged', () => {
  it('250 groups, one whose ipPermissions is not a list: 249 judged and 1 NON_COMPLIANT error result, in every format; exit 2 only with --strict', async () => {
    const snapshot = groupsSnapshot();
    const out = tempDir();
    const reports = {
      json: join(out, 'r.json'),
      sarif: join(out, 'r.sarif'),
      junit: join(out, 'r.xml'),
      html: join(out, 'r.html'),
    };
    const args = ['scan', '--snapshot', snapshot, '--rule', 'security-group'];
    const result = await runCli([
      ...args,
      ...Object.entries(reports).flatMap(([format, path]) => [`--${format}`, path]),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `plumbline: error: security-group: AWS::EC2::SecurityGroup ${BAD_GROUP} (${snapshot}:`,
    );
    expect(result.stderr).toContain(`: ${BAD_PROBLEM} (judged NON_COMPLIANT)\n`);
    expect(result.stderr).toContain(
      'plumbline: 1 item error: the other items were evaluated; --strict makes this exit 2\n',
    );
    // table
    // The error result's group comes first in its rule, its cause on the heading, the resource under it.
    expect(result.stdout).toContain(
      [
        '  baseline rule by rule.',
        '',
        `  ERROR cannot evaluate: Invalid security group configuration: ${BAD_GROUP}.configuration.ipPermissions: Invalid`,
        '  input: expected array, received string',
        `    ${BAD_GROUP} (web-prod)  AWS::EC2::SecurityGroup`,
        '  tcp 22 open to 0.0.0.0/0 — 249 resources',
        '    sg-00000000000000000 (web-prod)  AWS::EC2::SecurityGroup',
      ].join('\n'),
    );
    expect(result.stdout).toContain('Summary: 250 non-compliant · 0 compliant · 0 not applicable');
    expect(result.stdout).toContain('· 1 error');
    // json
    const json = JSON.parse(readFileSync(reports.json, 'utf8'));
    expect(json.summary).toMatchObject({ evaluations: 250, NON_COMPLIANT: 250, errors: 1 });
    const errored = json.evaluations.filter(
      (evaluation: { error: string | null }) => evaluation.error !== null,
    );
    expect(errored).toEqual([
      {
        rule: 'security-group',
        resourceType: 'AWS::EC2::SecurityGroup',
        resourceId: BAD_GROUP,
        resourceName: 'web-prod',
        accountId: '123456789012',
        region: 'us-east-1',
        compliance: 'NON_COMPLIANT',
        annotation: `cannot evaluate: ${BAD_PROBLEM}`,
        reasons: [{ code: 'cannot-evaluate', message: `cannot evaluate: ${BAD_PROBLEM}` }],
        error: BAD_PROBLEM,
      },
    ]);
    expect(
      json.evaluations.filter(
        (evaluation: { annotation: string }) => evaluation.annotation === 'tcp 22 open to 0.0.0.0/0',
      ),
    ).toHaveLength(249);
    // sarif
    const sarif = JSON.parse(readFileSync(reports.sarif, 'utf8'));
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toEqual([
      {
        level: 'error',
        message: { text: `AWS::EC2::SecurityGroup ${BAD_GROUP}: ${BAD_PROBLEM}` },
        associatedRule: { id: 'security-group' },
      },
    ]);
    expect(sarif.runs[0].results).toHaveLength(250);
    // junit
    const junit = readFileSync(reports.junit, 'utf8');
    expect(junit).toContain('tests="250" failures="249" errors="1"');
    expect(junit).toContain(`<error type="CANNOT_EVALUATE" message="cannot evaluate: ${BAD_PROBLEM}">`);
    // html
    const html = readFileSync(reports.html, 'utf8');
    expect(html).toMatch(
      new RegExp(
        `data-resource-id="${BAD_GROUP}">\\n<td><span class="mono id">${BAD_GROUP}</span><br><span class="name">web-prod</span><br><span class="badge NON_COMPLIANT">Error: could not be evaluated</span>`,
      ),
    );
    expect(html).toContain('<span class="count">1</span>Errors</div>');

    expect((await runCli([...args, '--fail-on', 'none'])).code).toBe(0);
    expect((await runCli([...args, '--fail-on', 'none', '--strict'])).code).toBe(2);
  });

  it('an item that does not name its resource: an error of the report, named with the file; the others judged', async () => {
    const snapshot = groupsSnapshot();
    const items = JSON.parse(readFileSync(snapshot, 'utf8')).configurationItems;
    const path = file(
      'no-id.json',
      JSON.stringify({ configurationItems: [{ ...items[0], resourceId: undefined }, items[1]] }),
    );
    const result = await runCli(['scan', '--snapshot', path, '--rule', 'security-group', '--format', 'json']);
    expect(result.code).toBe(1);
    const message = `${path}: Invalid configuration item: configurationItems[0].resourceId: Invalid input: expected string, received undefined`;
    expect(result.stderr).toContain(`plumbline: error: ${message}\n`);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toEqual([{ message, rule: null, file: path, line: 1 }]);
    expect(report.evaluations.map((evaluation: { resourceId: string }) => evaluation.resourceId)).toEqual([
      'sg-00000000000000001',
    ]);
    expect((await runCli(['scan', '--snapshot', path, '--strict', '--fail-on', 'none'])).code).toBe(2);
  });
});

describe('bounded input: --max-input-size, gzip and JSON failures by cause', () => {
  it('a gzip bomb is refused once it expands past the limit, naming the file and the limit', async () => {
    // 8 MiB of spaces in a JSON document compress to a few KiB; the limit of 1 MiB stops the expansion early.
    const bomb = file('bomb.json.gz', gzipSync(`{"configurationItems": [${' '.repeat(8 * 2 ** 20)}]}`));
    const result = await runCli(['scan', '--snapshot', bomb, '--max-input-size', '1MiB']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `plumbline: ${bomb}: the gzip file expands to more than the 1 MiB limit (--max-input-size); refused (a gzip bomb, or a snapshot to split into smaller files)\n`,
    });
  });

  it('a plain file larger than the limit is refused before it is read', async () => {
    const size = readFileSync(EXAMPLE_SNAPSHOT).length;
    const result = await runCli(['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--max-input-size', '4KiB']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `plumbline: ${EXAMPLE_SNAPSHOT}: the file holds ${(size / 1024).toFixed(1)} KiB, more than the 4 KiB limit (--max-input-size)\n`,
    );
  });

  it.each([
    ['abc', '--max-input-size "abc" is not a size (like 512MiB, 64KiB, 100MB or 1048576 bytes)'],
    ['12XB', '--max-input-size "12XB" is not a size (like 512MiB, 64KiB, 100MB or 1048576 bytes)'],
    ['0', '--max-input-size "0" must be at least 1 byte'],
    ['2TiB', '--max-input-size "2TiB" is more than 1 TiB, the most it takes'],
  ])('--max-input-size %s is refused, naming the option and the value', async (value, message) => {
    const result = await runCli(['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--max-input-size', value]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `plumbline scan: ${message}\nRun "plumbline scan --help" for usage.\n`,
    });
  });

  it('--max-input-size takes bytes and binary or decimal units; --help documents it and --strict', async () => {
    for (const value of ['1048576', '1MiB', '1 MiB', '2MB', '512MiB', '8GiB', '1024GiB', '1TiB']) {
      const result = await runCli([
        'scan',
        '--snapshot',
        EXAMPLE_SNAPSHOT,
        '--max-input-size',
        value,
        '--fail-on',
        'none',
      ]);
      expect(result.code, value).toBe(0);
    }
    const help = (await runCli(['scan', '--help'])).stdout;
    expect(help).toContain('--max-input-size SIZE');
    expect(help).toContain('--strict');
  });

  it('a corrupt gzip file and a truncated one are told apart', async () => {
    const whole = gzipSync(readFileSync(EXAMPLE_SNAPSHOT));
    const corrupt = Buffer.from(whole);
    corrupt.fill(0xff, 12, 40);
    const corruptPath = file('corrupt.json.gz', corrupt);
    expect((await runCli(['scan', '--snapshot', corruptPath])).stderr).toMatch(
      /: corrupt gzip file \(invalid [^)]+\); download it again\n$/,
    );
    const cutPath = file('cut.json.gz', whole.subarray(0, 2000));
    expect((await runCli(['scan', '--snapshot', cutPath])).stderr).toBe(
      `plumbline: ${cutPath}: truncated gzip file (unexpected end of file): it ends early; download it again\n`,
    );
  });

  it('a JSON syntax error V8 reports without a position gets one', async () => {
    const path = file('token.json', '{\n  "configurationItems": [\n    {"resourceId": }\n  ]\n}\n');
    const result = await runCli(['scan', '--snapshot', path]);
    expect(result.stderr).toBe(
      `plumbline: ${path}: not valid JSON: Unexpected token '}', ..."ourceId": }\\n  ]\\n}\\n" is not valid JSON at position 47 (line 3 column 20)\n`,
    );
  });

  it('configuration text beyond the JavaScript string limit is named as such, not as a YAML error', async () => {
    // Snapshots are streamed and never held as one string; the configuration file still is.
    const tooLong = Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), {
      code: 'ERR_STRING_TOO_LONG',
    });
    vi.spyOn(Buffer.prototype, 'toString').mockImplementationOnce(() => {
      throw tooLong;
    });
    const result = await runCli(['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^plumbline: ${EXAMPLE_CONFIG}: [\\d.]+ KiB of text is more than one file can hold \\(512\\.0 MiB, the JavaScript string limit\\); split it into smaller files\\n$`,
      ),
    );
  });

  it('a YAML alias bomb is refused naming the file and the cause, not as an unexpected error', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f'].entries()) {
      levels.push(`${name}: &${name} [${Array(10).fill(`*${'abcde'[index]}`).join(', ')}]`);
    }
    const path = file('bomb.yaml', `${levels.join('\n')}\nrules: {}\n`);
    const result = await runCli(['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--config', path]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `plumbline: ${path}: not valid YAML: its aliases expand too far (Excessive alias count indicates a resource exhaustion attack; the yaml library's maxAliasCount is 100); refused\n`,
    });
  });
});

describe('report paths: never over an input, never into a missing folder', () => {
  const usage = (message: string) => ({
    code: 2,
    stdout: '',
    stderr: `plumbline scan: ${message}\nRun "plumbline scan --help" for usage.\n`,
  });

  it('refuses a report over the snapshot, over a link to it, over the configuration, and two reports on one file', async () => {
    const snapshot = file('s.json', readFileSync(EXAMPLE_SNAPSHOT));
    const before = readFileSync(snapshot, 'utf8');
    expect(await runCli(['scan', '--snapshot', snapshot, '--html', snapshot])).toEqual(
      usage(`--html ${snapshot} would overwrite an input (--snapshot ${snapshot}); choose another file`),
    );
    const link = join(dir, 'link.json');
    symlinkSync(snapshot, link);
    expect(await runCli(['scan', '--snapshot', snapshot, '-o', link])).toEqual(
      usage(`--output ${link} would overwrite an input (--snapshot ${snapshot}); choose another file`),
    );
    // The input named through the link, the report through the real path.
    expect(await runCli(['scan', '--snapshot', link, '--json', snapshot])).toEqual(
      usage(`--json ${snapshot} would overwrite an input (--snapshot ${link}); choose another file`),
    );
    const config = file('c.yaml', 'rules: {}\n');
    expect(await runCli(['scan', '--snapshot', snapshot, '--config', config, '--sarif', config])).toEqual(
      usage(`--sarif ${config} would overwrite an input (--config ${config}); choose another file`),
    );
    const report = join(dir, 'r.json');
    expect(
      await runCli(['scan', '--snapshot', snapshot, '--format', 'json', '-o', report, '--json', report]),
    ).toEqual(usage(`--json ${report} and --output ${report} are the same file; choose two files`));
    expect(existsSync(report)).toBe(false);
    expect(readFileSync(snapshot, 'utf8')).toBe(before);
    // An input inside a snapshot folder counts too.
    expect(await runCli(['scan', '--snapshot', dir, '--junit', snapshot])).toEqual(
      usage(`--junit ${snapshot} would overwrite an input (--snapshot ${snapshot}); choose another file`),
    );
  });

  it('says a folder does not exist rather than creating it', async () => {
    const missing = join(dir, 'missing', 'deeper');
    expect(await runCli(['scan', '--snapshot', EXAMPLE_SNAPSHOT, '-o', join(missing, 'r.txt')])).toEqual(
      usage(`--output ${join(missing, 'r.txt')}: the folder ${missing} does not exist (create it first)`),
    );
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
