/**
 * End to end, as a user runs it: child processes of `tsx cli/main.ts`, of the package's bin, and of the
 * built single-file bundle, with real stdout, stderr and exit codes.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAIN_HELP, RULES_HELP, SCAN_HELP } from '../../cli/args.ts';
import { buildCli } from '../../cli/build.ts';
import { RULES, rulesFor } from '../../shared/rules/index.ts';
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SNAPSHOT,
  REPO,
  runCli,
  SNAPSHOT_SKIPS,
  spawnCli,
  spawnCliWithAllRules,
  spawnScript,
  spawnTsx,
  tempDir,
} from './support/cli.ts';
import { sarifValidator } from './support/sarif.ts';

const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const VERSION = PACKAGE.version;

/**
 * package.json's "start" script, `tsx SCRIPT ARGS…`, split as the shell splits it, with its `--html` report
 * sent to a scratch folder rather than the repository.
 */
function npmStart(): { script: string; args: string[]; html: string } {
  const start: string = PACKAGE.scripts.start;
  // Plain words only, so that splitting on spaces is how the shell splits it.
  expect(start).toMatch(/^[\w./=-]+( [\w./=-]+)*$/);
  const [tsx, script, ...args] = start.split(' ');
  expect(tsx).toBe('tsx');
  const at = args.indexOf('--html') + 1;
  expect(at, 'npm start writes an HTML report').toBeGreaterThan(0);
  const html = join(tempDir(), args[at] as string);
  return { script: script as string, args: args.with(at, html), html };
}

describe('tsx cli/main.ts', () => {
  it('--help on every command', () => {
    expect(spawnCli(['--help'])).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
    expect(spawnCli(['scan', '--help'])).toEqual({ code: 0, stdout: SCAN_HELP, stderr: '' });
    expect(spawnCli(['rules', '-h'])).toEqual({ code: 0, stdout: RULES_HELP, stderr: '' });
  });

  it('help COMMAND, no arguments and --version (in-process: the same run() as above)', async () => {
    expect(await runCli(['help', 'scan'])).toEqual({ code: 0, stdout: SCAN_HELP, stderr: '' });
    expect(await runCli(['help', 'rules'])).toEqual({ code: 0, stdout: RULES_HELP, stderr: '' });
    expect(await runCli([])).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
    expect(await runCli(['help'])).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
    expect(await runCli(['help', '--help'])).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
    expect(await runCli(['help', '-h'])).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
    expect(await runCli(['-V'])).toEqual({ code: 0, stdout: `plumbline ${VERSION}\n`, stderr: '' });
  });

  it('lists the registered rules with their parameters and defaults', () => {
    const result = spawnCli(['rules', '--format', 'json']);
    expect(result.code).toBe(0);
    const rules: { name: string; parameters: { name: string; default: string | null }[] }[] = JSON.parse(
      result.stdout,
    );
    const requiredTags = rules.find((rule) => rule.name === 'required-tags');
    expect(requiredTags?.parameters).toContainEqual(
      expect.objectContaining({ name: 'tag1Key', default: 'CostCenter' }),
    );
  });

  it('exits 2 on bad input, naming the file and the problem', () => {
    const dir = tempDir();
    const whole = gzipSync(readFileSync(join(REPO, EXAMPLE_SNAPSHOT)));
    const truncated = join(dir, 'snapshot.json.gz');
    writeFileSync(truncated, whole.subarray(0, 4000));
    expect(spawnCli(['scan', '--snapshot', truncated])).toEqual({
      code: 2,
      stdout: '',
      stderr: `plumbline: ${truncated}: truncated gzip file (unexpected end of file): it ends early; download it again\n`,
    });
    expect(spawnCli(['scan', '--snapshot', 'missing.json'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'plumbline: missing.json: no such file or folder\n',
    });
  });
});

describe('every format through a child process', () => {
  const scan = (...extra: string[]) =>
    spawnCliWithAllRules(['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG, ...extra]);

  it('table (plain on a pipe), exit 1 for non-compliant results', () => {
    const result = scan();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'plumbline: 26 failing results (--fail-on non-compliant; 26 non-compliant in all)\n',
    );
    expect(result.stdout).not.toContain('\x1b[');
    expect(result.stdout).toContain(
      'Summary: 26 non-compliant · 46 compliant · 1 not applicable (73 evaluations of 57 resources)',
    );
    expect(result.stdout).toContain('sg-0e6a8c0e2f4b6d8a1 (windows-jump)');
  });

  it.each([
    ['json', (text: string) => expect(JSON.parse(text).summary.NON_COMPLIANT).toBe(26)],
    ['sarif', (text: string) => expect(JSON.parse(text).runs[0].results).toHaveLength(26)],
    ['html', (text: string) => expect(text).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/)],
    [
      'junit',
      (text: string) =>
        expect(text).toMatch(
          /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="plumbline" tests="73" failures="26"/,
        ),
    ],
  ])('%s', (format, check) => {
    const result = scan('--format', format);
    expect(result.code).toBe(1);
    check(result.stdout);
  });

  it('--fail-on none exits 0 whatever the findings', () => {
    expect(scan('--format', 'json', '--fail-on', 'none').code).toBe(0);
  });

  it('the demo (npm start, as package.json defines it): prints the table, writes the HTML report, exits 0', () => {
    const { script, args, html } = npmStart();
    expect(script).toBe('cli/main.ts');
    const result = spawnTsx(script, args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Plumbline · examples/snapshot.json · account 111122223333 · us-east-1 · 57 resources · ${RULES.length - 3} rules`,
    );
    // The three IAM rules need facts a snapshot does not hold: skipped, and said so.
    expect(result.stderr).toBe(`${SNAPSHOT_SKIPS}plumbline: wrote the html report to ${html}\n`);
    expect(readFileSync(html, 'utf8')).toContain('<div class="cards" id="summary">');
  });
});

describe('the documentation', () => {
  it('examples/README.md shows the output npm start prints today', async () => {
    const readme = readFileSync(join(REPO, 'examples/README.md'), 'utf8');
    const shown = /```\n(Plumbline · [\s\S]*?)```/.exec(readme)?.[1];
    const result = await runCli(npmStart().args, { rules: rulesFor });
    // When a rule's wording changes, paste the new `npm start` table into examples/README.md.
    expect(shown).toBe(result.stdout);
  });
});

describe('the package bin and the built bundle', () => {
  it('bin/plumbline.mjs runs the CLI from the sources', () => {
    const result = spawnScript(['bin/plumbline.mjs'], ['--version']);
    expect(result).toEqual({ code: 0, stdout: `plumbline ${VERSION}\n`, stderr: '' });
    expect(spawnScript(['bin/plumbline.mjs'], ['scan', '--snapshot', 'missing.json']).code).toBe(2);
  });

  it('bin/plumbline.mjs without the sources runs the bundle, with V8 compile cache kept between runs', async () => {
    // A packed artifact: bin/ and dist/cli/ without cli/main.ts beside them.
    const packed = tempDir('plumbline-packed-');
    mkdirSync(join(packed, 'bin'));
    copyFileSync(join(REPO, 'bin/plumbline.mjs'), join(packed, 'bin/plumbline.mjs'));
    await buildCli(join(packed, 'dist/cli/plumbline.mjs'));
    const scratch = tempDir('plumbline-tmp-');
    const result = spawnScript([join(packed, 'bin/plumbline.mjs')], ['--version'], { TMPDIR: scratch });
    expect(result).toEqual({ code: 0, stdout: `plumbline ${VERSION}\n`, stderr: '' });
    // Node's cache folder under the temporary folder (os.tmpdir()), holding the bundle's compiled code.
    expect(readdirSync(join(scratch, 'node-compile-cache')).length).toBeGreaterThan(0);
  });

  it('the single-file bundle gives the same report as the sources', async () => {
    const bundle = await buildCli(join(tempDir(), 'plumbline.mjs'));
    expect(existsSync(bundle)).toBe(true);
    expect(readFileSync(bundle, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const args = ['scan', '--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG, '--format', 'json'];
    const built = spawnScript([bundle], args);
    expect(built.code).toBe(1);
    expect(JSON.parse(built.stdout)).toEqual(JSON.parse((await runCli(args, { rules: rulesFor })).stdout));
    expect(spawnScript([bundle], ['--help']).stdout).toBe(MAIN_HELP);
    // Every other format through the bundle: SARIF valid against the 2.1.0 schema, JUnit and HTML written.
    const out = tempDir();
    const reports = spawnScript(
      [bundle],
      [
        ...args.slice(0, 5),
        '--format',
        'table',
        '--no-color',
        '--sarif',
        join(out, 'r.sarif'),
        '--junit',
        join(out, 'r.xml'),
        '--html',
        join(out, 'r.html'),
      ],
    );
    expect(reports.code).toBe(1);
    expect(reports.stdout).toContain('Summary: 34 non-compliant · 76 compliant · 3 not applicable');
    const validate = sarifValidator();
    expect(
      validate(JSON.parse(readFileSync(join(out, 'r.sarif'), 'utf8'))),
      JSON.stringify(validate.errors),
    ).toBe(true);
    expect(readFileSync(join(out, 'r.xml'), 'utf8')).toMatch(
      /^<\?xml [^>]*\?>\s*<testsuites[^>]* failures="34"/,
    );
    expect(readFileSync(join(out, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });
});
