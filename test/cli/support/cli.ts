/** Running the CLI in tests: in-process through `run()` with captured streams, or as a child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo, OutputStream } from '../../../cli/io.ts';
import { type LiveClients, sdkClients } from '../../../cli/live.ts';
import { type CliDeps, run } from '../../../cli/run.ts';
import type { AnyRule, SuiteSettings } from '../../../shared/core/model.ts';
import { publicBucketRule } from '../../../shared/rules/public-bucket/index.ts';
import { requiredTagsRuleFor } from '../../../shared/rules/required-tags/index.ts';
import { securityGroupRule } from '../../../shared/rules/security-group/index.ts';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const EXAMPLE_SNAPSHOT = 'examples/snapshot.json';
export const EXAMPLE_CONFIG = 'examples/plumbline.config.yaml';
export const FIXTURES = 'test/fixtures/cli';
export const FIXED_NOW = new Date('2026-11-22T10:00:00.000Z');

/**
 * The three Plumbline rules, built as `rulesFor` builds them (required-tags' scope follows `tagPolicy`),
 * whatever the registry holds at the moment.
 */
export function plumblineRules(settings: SuiteSettings): AnyRule[] {
  return [securityGroupRule, requiredTagsRuleFor(settings), publicBucketRule];
}

/** What a snapshot scan with every registered rule says first: the rules it cannot run, and why. */
export const SNAPSHOT_SKIPS = ['iam-user-mfa', 'iam-console-mfa', 'root-mfa']
  .map(
    (rule) =>
      `plumbline: note: rule ${rule} skipped: it needs ${rule === 'root-mfa' ? 'the IAM account summary' : 'the IAM credential report'}, which a Config snapshot does not hold; scan --live reads it (or deploy the rule as a Config rule)\n`,
  )
  .join('');

export class Capture implements OutputStream {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessOptions {
  rules?: (settings: SuiteSettings) => readonly AnyRule[];
  clients?: LiveClients;
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  /** The clock the run sees (default FIXED_NOW). */
  now?: Date;
}

export async function runCli(argv: string[], options: InProcessOptions = {}): Promise<CliResult> {
  const stdout = new Capture(options.stdoutTTY ?? false, options.stdoutTTY ? 100 : undefined);
  const stderr = new Capture(options.stderrTTY ?? false, options.stderrTTY ? 100 : undefined);
  const io: CliIo = { stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? REPO };
  const deps: CliDeps = {
    rules: options.rules ?? plumblineRules,
    clients: options.clients ?? sdkClients,
    now: () => options.now ?? FIXED_NOW,
  };
  const code = await run(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const NODE = join(REPO, 'node_modules/.bin/node');
const TSX = join(REPO, 'node_modules/tsx/dist/cli.mjs');

/** Runs a script as a user would, with the project's Node 22, and no colour forced either way. */
export function spawnScript(script: string[], args: string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(NODE, [...script, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `tsx SCRIPT …` with the project's tsx, as an npm script runs it. */
export const spawnTsx = (script: string, args: string[], env?: Record<string, string>) =>
  spawnScript([TSX, script], args, env);

/** `tsx cli/main.ts …`: the CLI with the rules registered in shared/rules/index.ts. */
export const spawnCli = (args: string[], env?: Record<string, string>) => spawnTsx('cli/main.ts', args, env);

/** The same `run()` as cli/main.ts, with the three rules whatever the registry holds. */
export const spawnCliWithAllRules = (args: string[], env?: Record<string, string>) =>
  spawnScript([TSX, 'test/cli/support/entry.ts'], args, env);

export function tempDir(prefix = 'plumbline-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
