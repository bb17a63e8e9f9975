/**
 * One CLI run, from arguments to exit code, with its streams passed in: `cli/main.ts` gives it the
 * process's, the tests their own. Exit codes: 0 nothing failing, 1 failing results, 2 bad usage or input.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import packageJson from '../package.json' with { type: 'json' };
import { inventoryStrategyFromEnv } from '../shared/aws/config-inventory.ts';
import { type AnyRule, InputError, PlumblineError, type SuiteSettings } from '../shared/core/model.ts';
import type { SuiteConfig } from '../shared/core/suite-config.ts';
import { printable } from '../shared/core/text.ts';
import { checkResponderSettings, checkSuiteConfig, rulesFor } from '../shared/rules/index.ts';
import { parseCommandLine, type RulesCommand, type ScanCommand } from './args.ts';
import { offlineFacts } from './facts.ts';
import { type Format, render } from './format/index.ts';
import { type InputLimits, loadSuiteConfig, readSnapshotFile, snapshotFiles } from './input.ts';
import { type CliIo, colourEnabled, type OutputStream, UsageError } from './io.ts';
import { type LiveClients, scanLive, sdkClients } from './live.ts';
import { checkOutputPaths } from './outputs.ts';
import { silentProgress, terminalProgress } from './progress.ts';
import {
  errorResults,
  failingEvaluations,
  type ReportError,
  type ScanReport,
  type ScanSource,
  summarise,
  toReportRule,
} from './report.ts';
import { formatRules } from './rules-command.ts';
import {
  accountsNeedingFacts,
  evaluateAll,
  type FactsByAccount,
  latestItems,
  neededFacts,
  type PreparedRule,
  prepareEachRule,
  prepareRules,
  type SourcedItem,
  type SourcedUnreadable,
  unreadableErrors,
} from './scan.ts';

export const VERSION: string = packageJson.version;

export interface CliDeps {
  /** The rules as the suite settings configure them (`rulesFor`: required-tags' scope follows `tagPolicy`). */
  rules: (settings: SuiteSettings) => readonly AnyRule[];
  clients: LiveClients;
  now: () => Date;
}

export const defaultDeps = (): CliDeps => ({ rules: rulesFor, clients: sdkClients, now: () => new Date() });

/** Width the table wraps to when standard output is not a terminal. */
const PLAIN_COLUMNS = 120;

export async function run(
  argv: readonly string[],
  io: CliIo,
  deps: CliDeps = defaultDeps(),
): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    switch (command.command) {
      case 'help':
        io.stdout.write(command.text);
        return 0;
      case 'version':
        io.stdout.write(`plumbline ${VERSION}\n`);
        return 0;
      case 'rules':
        return rulesCommand(command, io, deps);
      case 'scan':
        return await scanCommand(command, io, deps);
    }
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    const command = error.command ? ` ${error.command}` : '';
    io.stderr.write(
      `plumbline${command}: ${printable(error.message)}\nRun "plumbline${command} --help" for usage.\n`,
    );
  } else if (error instanceof PlumblineError) {
    io.stderr.write(`plumbline: ${printable(error.message)}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`plumbline: unexpected error: ${printable(message)}\n`);
    if (io.env.PLUMBLINE_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  }
  return 2;
}

function selectRules(all: readonly AnyRule[], names: readonly string[]): AnyRule[] {
  if (names.length === 0) return [...all];
  const known = all.map((rule) => rule.name);
  for (const name of names) {
    if (!known.includes(name)) {
      throw new UsageError(
        `--rule "${name}" is not a rule (rules: ${known.join(', ') || 'none registered'})`,
        'scan',
      );
    }
  }
  return all.filter((rule) => names.includes(rule.name));
}

function ruleNames(deps: CliDeps): string[] {
  return deps.rules({}).map((rule) => rule.name);
}

async function scanCommand(command: ScanCommand, io: CliIo, deps: CliDeps): Promise<number> {
  const limits: InputLimits = { maxInputSize: command.maxInputSize };
  const suite = loadSuiteConfig(command.config, io.cwd, ruleNames(deps), limits);
  const selected = selectRules(configuredRules(deps, suite.settings, command.config), command.rules);
  // A rule with a bad parameter is refused, named, and the others still run (exit 2 at the end).
  const { prepared, refused } = prepareEachRule(selected, suite, command.config ?? 'default rule parameters');
  checkResponders(suite, command.config);
  const files = command.live ? [] : snapshotFiles(command.snapshots, io.cwd);
  checkOutputPaths(command, files, io.cwd);
  for (const error of refused)
    io.stderr.write(`plumbline: ${printable(error.message)} (the rule was not run)\n`);
  const input = command.live
    ? await readLive(command, prepared, io, deps)
    : readSnapshots(files, prepared, io, limits);
  for (const note of input.notes) io.stderr.write(`plumbline: note: ${printable(note)}\n`);
  const ran = new Set(prepared.map(({ rule }) => rule.name));
  const report: ScanReport = {
    version: VERSION,
    generatedAt: deps.now().toISOString(),
    source: input.source,
    rules: selected.filter((rule) => ran.has(rule.name)).map(toReportRule),
    evaluations: evaluateAll(prepared, input.items, input.factsFor, input.unreadable),
    resources: input.items.length,
    errors: [...refused, ...unreadableErrors(prepared, input.unreadable)],
  };
  writeReport(command.format, report, command.output, command, io);
  for (const extra of command.extraReports) writeReport(extra.format, report, extra.file, command, io);
  const itemErrors = reportItemErrors(report, io);
  const failing = failingEvaluations(report, command.failOn);
  // Also after a table on a terminal: the table's totals count every non-compliant result, this line the
  // ones --fail-on fails on, which is what the exit code 1 means.
  if (failing.length > 0) {
    const { NON_COMPLIANT } = summarise(report);
    io.stderr.write(
      `plumbline: ${failing.length} failing result${failing.length === 1 ? '' : 's'} (--fail-on ${command.failOn}; ${NON_COMPLIANT} non-compliant in all)\n`,
    );
  }
  if (refused.length > 0) return 2;
  if (itemErrors > 0 && command.strict) return 2;
  return failing.length > 0 ? 1 : 0;
}

/**
 * Names on standard error each item that could not be read or judged (the reports carry them as error
 * results); returns how many there were.
 */
function reportItemErrors(report: ScanReport, io: CliIo): number {
  const results = errorResults(report);
  const orphans = report.errors.filter((error) => error.rule === undefined);
  for (const result of results) {
    io.stderr.write(
      `plumbline: error: ${result.rule}: ${result.resourceType} ${printable(result.resourceId)}${printable(where(result))}: ${printable(result.error ?? '')} (judged NON_COMPLIANT)\n`,
    );
  }
  for (const orphan of orphans) io.stderr.write(`plumbline: error: ${printable(orphan.message)}\n`);
  const count = results.length + orphans.length;
  if (count > 0) {
    io.stderr.write(
      `plumbline: ${count} item error${count === 1 ? '' : 's'}: the other items were evaluated; --strict makes this exit 2\n`,
    );
  }
  return count;
}

function where(located: Pick<ReportError, 'location'>): string {
  const { location } = located;
  if (location === undefined) return '';
  return ` (${location.file}${location.line === undefined ? '' : `:${location.line}`})`;
}

interface ScanInput {
  source: ScanSource;
  items: SourcedItem[];
  unreadable: SourcedUnreadable[];
  factsFor: FactsByAccount;
  notes: string[];
}

function readSnapshots(
  files: string[],
  prepared: readonly PreparedRule[],
  io: CliIo,
  limits: InputLimits,
): ScanInput {
  const read = files.map((file) => readSnapshotFile(file, io.cwd, limits));
  const items = latestItems(read.flatMap((file) => file.items));
  const unreadable = read.flatMap((file) => file.unreadable);
  const facts = offlineFacts(items, neededFacts(prepared), accountsNeedingFacts(prepared, items));
  return { source: { kind: 'snapshot', files }, items, unreadable, ...facts };
}

async function readLive(
  command: ScanCommand,
  prepared: readonly PreparedRule[],
  io: CliIo,
  deps: CliDeps,
): Promise<ScanInput> {
  const strategy = command.inventory ?? inventoryStrategyFromEnv(io.env);
  const progress = io.stderr.isTTY ? terminalProgress(io.stderr) : silentProgress;
  const result = await scanLive(
    prepared,
    { regions: command.regions, profile: command.profile, strategy },
    deps.clients,
    progress,
  );
  return {
    source: { kind: 'live', regions: result.regions, profile: command.profile },
    items: latestItems(result.items),
    unreadable: result.unreadable,
    factsFor: result.factsFor,
    notes: result.notes,
  };
}

function writeReport(
  format: Format,
  report: ScanReport,
  file: string | undefined,
  command: ScanCommand,
  io: CliIo,
): void {
  const target: Pick<OutputStream, 'isTTY' | 'columns' | 'rows'> =
    file === undefined ? io.stdout : { isTTY: false };
  const text = render(format, report, {
    colour: colourEnabled(target, io.env, command.colour),
    all: command.all,
    maxPerRule: maxPerRule(command, target),
    columns: target.isTTY ? (target.columns ?? 80) : PLAIN_COLUMNS,
    cwd: io.cwd,
  });
  if (file === undefined) {
    io.stdout.write(text);
    return;
  }
  // The folder was checked before the scan (checkOutputPaths); a missing one is never created.
  const path = resolve(io.cwd, file);
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`${file}: cannot write the ${format} report: ${(error as Error).message}`);
  }
  io.stderr.write(`plumbline: wrote the ${format} report to ${file}\n`);
}

/** Resources listed per rule when --max-per-rule is not given and the terminal does not say its height. */
export const DEFAULT_MAX_PER_RULE = 20;

/**
 * `--max-per-rule` when given; else about a screenful on a terminal (its height less the lines around the
 * rows), and every resource on a pipe or in a file, or with --all.
 */
function maxPerRule(
  command: Pick<ScanCommand, 'all' | 'maxPerRule'>,
  target: Pick<OutputStream, 'isTTY' | 'rows'>,
): number | undefined {
  if (command.maxPerRule !== undefined) return command.maxPerRule;
  if (command.all || !target.isTTY) return undefined;
  return target.rows === undefined ? DEFAULT_MAX_PER_RULE : Math.max(10, target.rows - 10);
}

function rulesCommand(command: RulesCommand, io: CliIo, deps: CliDeps): number {
  const suite = loadSuiteConfig(command.config, io.cwd, ruleNames(deps));
  const rules = configuredRules(deps, suite.settings, command.config);
  // Parsing validates the configured values, so a bad one is reported here as in a scan.
  prepareRules(rules, suite, command.config ?? 'default rule parameters');
  checkWholeSuite(suite, command.config);
  io.stdout.write(formatRules(rules, suite, command.format));
  return 0;
}

/**
 * The responder settings of the configuration file, checked as the functions will read them (a scan's rule
 * parameters are checked rule by rule, see prepareEachRule).
 */
function checkResponders(suite: SuiteConfig, configFile: string | undefined): void {
  if (configFile === undefined) return;
  namingTheFile(configFile, () => checkResponderSettings(suite.settings));
}

function namingTheFile(configFile: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof PlumblineError) {
      throw new InputError(`${configFile}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * The configuration file is the deployment's too: its responder settings are checked as the functions will
 * read them, so a scan or `plumbline rules --config` catches what would fail a deployment.
 */
function checkWholeSuite(suite: SuiteConfig, configFile: string | undefined): void {
  if (configFile === undefined) return;
  namingTheFile(configFile, () => checkSuiteConfig(suite));
}

/** The rules under these settings; a malformed setting that shapes a rule's scope names the file. */
function configuredRules(
  deps: CliDeps,
  settings: SuiteSettings,
  configFile: string | undefined,
): readonly AnyRule[] {
  try {
    return deps.rules(settings);
  } catch (error) {
    if (error instanceof PlumblineError) {
      throw new InputError(`${configFile ?? 'default rule parameters'}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
