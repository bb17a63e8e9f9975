/**
 * What a newcomer meets first: the README's way to get a Config snapshot and to run the CLI outside the
 * checkout (run here end to end, as documented: the built single-file bundle from another folder, on the
 * folder layout `aws s3 sync` leaves), and a typo in an option answered with the option meant.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { closestOption } from '../../cli/args.ts';
import { buildCli } from '../../cli/build.ts';
import { rulesFor } from '../../shared/rules/index.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, REPO, runCli, SNAPSHOT_SKIPS, tempDir } from './support/cli.ts';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The README section under a `## ` heading, up to the next one. */
function section(heading: string): string {
  const start = README.indexOf(`## ${heading}\n`);
  expect(start, `README.md has a "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

describe('README: getting a Config snapshot', () => {
  const text = section('Your own account: a Config snapshot');

  it('gives the AWS CLI commands that deliver a snapshot and copy only the snapshots down, with the AWS sources', () => {
    expect(text).toContain('aws configservice deliver-config-snapshot --delivery-channel-name default\n');
    expect(text).toContain(
      'aws s3 sync s3://<bucket>/AWSLogs/<account>/Config/<region>/ ./snapshots/ --exclude "*" --include "*ConfigSnapshot*"\n',
    );
    expect(text).toContain(
      'https://docs.aws.amazon.com/config/latest/developerguide/deliver-snapshot-cli.html',
    );
    expect(text).toContain(
      'https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-snapshot-notification.html',
    );
  });
});

describe('README: running the CLI outside the checkout', () => {
  const text = section('Running the CLI outside the checkout');

  it('says npx plumbline is for the checkout only, and documents the bundle', () => {
    expect(text).toContain('`npx plumbline` works **inside this checkout only**');
    expect(text).toContain('npx tsx cli/build.ts');
    expect(text).toContain('node ~/bin/plumbline.mjs scan --snapshot ./snapshots/ --html report.html');
  });

  it('the built bundle, copied elsewhere, scans a synced snapshot folder from another working folder', async () => {
    const bin = tempDir('plumbline-bin-');
    const bundle = await buildCli(join(bin, 'plumbline.mjs'));
    // The folder `aws s3 sync` leaves: the documented key layout, gzipped as AWS Config delivers it.
    const audits = tempDir('plumbline-audits-');
    const folder = join(audits, 'snapshots', '2026', '11', '20', 'ConfigSnapshot');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, '111122223333_Config_us-east-1_ConfigSnapshot_20261120T000000Z_example.json.gz'),
      gzipSync(readFileSync(join(REPO, EXAMPLE_SNAPSHOT))),
    );
    copyFileSync(join(REPO, EXAMPLE_CONFIG), join(audits, 'plumbline.config.yaml'));
    const node = join(REPO, 'node_modules/.bin/node');
    const args = ['scan', '--snapshot', './snapshots/', '--config', 'plumbline.config.yaml'];
    const result = spawnSync(node, [bundle, ...args, '--html', 'report.html'], {
      cwd: audits,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: audits },
    });
    expect(result.stderr).toBe(
      `${SNAPSHOT_SKIPS}plumbline: wrote the html report to report.html\nplumbline: 34 failing results (--fail-on non-compliant; 34 non-compliant in all)\n`,
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      'Summary: 34 non-compliant · 76 compliant · 3 not applicable (113 evaluations of 57 resources)\n',
    );
    expect(readFileSync(join(audits, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    // The same findings as the sources give for the same files, with every registered rule.
    const sources = await runCli(args, { cwd: audits, rules: rulesFor });
    expect(result.stdout).toBe(sources.stdout);
  }, 180_000);
});

describe('a mistyped option', () => {
  it.each([
    [['scan', '--snapshto', 'x.json'], 'scan', "unknown option '--snapshto' (did you mean --snapshot?)"],
    [
      ['scan', '--snapshot', 'x.json', '--regoin', 'eu-west-1'],
      'scan',
      "unknown option '--regoin' (did you mean --region?)",
    ],
    [
      ['scan', '--snapshot', 'x.json', '--fial-on=high'],
      'scan',
      "unknown option '--fial-on' (did you mean --fail-on?)",
    ],
    [
      ['scan', '--snapshot', 'x.json', '--max-per-rules', '5'],
      'scan',
      "unknown option '--max-per-rules' (did you mean --max-per-rule?)",
    ],
    [['rules', '--confg', 'c.yaml'], 'rules', "unknown option '--confg' (did you mean --config?)"],
    [['scan', '--snapshot', 'x.json', '--frobnicate'], 'scan', "unknown option '--frobnicate'"],
  ])(
    '%j: suggests the nearest known option, or none when nothing is close',
    async (argv, command, message) => {
      const result = await runCli(argv);
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `plumbline ${command}: ${message}\nRun "plumbline ${command} --help" for usage.\n`,
      });
    },
  );

  it('counts a swap of two letters as one edit, and needs a closer match for a short name', () => {
    const known = ['--all', '--json', '--html', '--live', '-o', '-h'];
    expect(closestOption('--lvie', known)).toBe('--live');
    expect(closestOption('--al', known)).toBe('--all');
    expect(closestOption('--jsn', known)).toBe('--json');
    expect(closestOption('--xml', known)).toBeUndefined();
    expect(closestOption('-x', known)).toBeUndefined();
    expect(closestOption('--html=r.html', known)).toBe('--html');
  });
});
