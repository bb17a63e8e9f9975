/**
 * A CLI entry for end-to-end tests: exactly cli/main.ts, except that the three Plumbline rules are passed
 * in explicitly, so the tests do not depend on which rules shared/rules/index.ts has registered yet.
 */
import { sdkClients } from '../../../cli/live.ts';
import { run } from '../../../cli/run.ts';
import { plumblineRules } from './cli.ts';

process.exitCode = await run(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
  { rules: plumblineRules, clients: sdkClients, now: () => new Date() },
);
