/**
 * One CLI run, from arguments to exit code, with its streams passed in: `cli/main.ts` gives it the
 * process's, the tests their own. Exit codes: 0 nothing failing, 1 failing results, 2 bad usage or input.
 */
import { resolve } from 'node:path';
import packageJson from '../package.json' with { type: 'json' };
import { type AnyRule, InputError, PlumblineError, type SuiteSettings } from '../shared/core/model.ts';
import type { SuiteConfig } from '../shared/core/suite-config.ts';
import { printable } from '../shared/core/text.ts';
import { checkResponderSettings, checkSuiteConfig, rulesFor } from '../shared/rules/index.ts';
import { parseCommandLine, type RulesCommand, type ScanCommand } from './args.ts';
import { ACCOUNT_PUBLIC_ACCESS_BLOCK, splitOfflineRules } from './facts.ts';
import { type Format, reportWriter } from './format/index.ts';
import {
  bufferedOutput,
  fileSpool,
  type ReportHeader,
  type ReportTotals,
  type ReportWriter,
} from './format/stream.ts';
import {
  type InputLimits,
  loadSuiteConfig,
  type SnapshotEntry,
  snapshotFiles,
  streamSnapshotFile,
} from './input.ts';
import { type CliIo, colourEnabled, type OutputStream, UsageError } from './io.ts';
import type { LiveClients } from './live.ts';
import { checkOutputPaths, fileOutput } from './outputs.ts';
import { silentProgress, silentSnapshotProgress, snapshotProgress, terminalProgress } from './progress.ts';
import {
  type ReportError,
  type ReportEvaluation,
  ReportTally,
  type ScanSource,
  toReportRule,
} from './report.ts';
import { formatRules } from './rules-command.ts';
import {
  evaluateAll,
  type FactsByAccount,
  latestItems,
  type PreparedRule,
  prepareEachRule,
  prepareRules,
  type SourcedItem,
  type SourcedUnreadable,
  unreadableErrors,
} from './scan.ts';
import { describeFilters, leftOutNote, type ScopeFilters, scopeEntry, scopeInput } from './scope.ts';
import { describeSelection, placeOfFile, selectSnapshots, skippedCounts } from './snapshot-layout.ts';
import {
  CaptureIndex,
  RepeatLog,
  resourceIdentity,
  SinglePassStopped,
  SnapshotScan,
  type SnapshotScanResult,
} from './snapshot-scan.ts';

export const VERSION: string = packageJson.version;

export interface CliDeps {
  /** The rules as the suite settings configure them (`rulesFor`: required-tags' scope follows `tagPolicy`). */
  rules: (settings: SuiteSettings) => readonly AnyRule[];
  /** How a live scan makes its AWS clients; by default the SDK's (cli/live.ts `sdkClients`). */
  clients?: LiveClients | undefined;
  now: () => Date;
}

export const defaultDeps = (): CliDeps => ({ rules: rulesFor, now: () => new Date() });

/**
 * The SDK's clients, loaded when a live scan needs them: a snapshot scan never evaluates the AWS SDK's
 * modules (9 MiB of a small scan's memory; BENCHMARKS.md › Offline snapshot scan).
 */
async function sdkClients(): Promise<LiveClients> {
  return (await import('./live.ts')).sdkClients;
}

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
  const { prepared: allPrepared, refused } = prepareEachRule(
    selected,
    suite,
    command.config ?? 'default rule parameters',
  );
  checkResponders(suite, command.config);
  const found = command.live ? [] : snapshotFiles(command.snapshots, io.cwd);
  // Every file found is an input, read or skipped: no report may overwrite one.
  checkOutputPaths(command, found, io.cwd);
  const files = command.live ? [] : chooseSnapshots(found, command, io);
  for (const error of refused)
    io.stderr.write(`plumbline: ${printable(error.message)} (the rule was not run)\n`);
  // A snapshot or an aggregator holds no IAM credential report nor account summary: the rules needing them
  // are skipped, said so.
  const { runnable: prepared, skipped } = !command.live
    ? splitOfflineRules(allPrepared)
    : command.aggregator !== undefined
      ? splitOfflineRules(allPrepared, `the aggregator ${command.aggregator}`)
      : { runnable: allPrepared, skipped: [] };
  const ran = new Set(prepared.map(({ rule }) => rule.name));
  const rules = selected.filter((rule) => ran.has(rule.name)).map(toReportRule);
  let tally = new ReportTally(rules, command.failOn);
  const header = (source: ScanSource): ReportHeader => ({
    version: VERSION,
    generatedAt: deps.now().toISOString(),
    source,
    rules,
    skipped,
  });
  let reports: OpenReport[] = [];
  let outcome: ScanOutcome;
  try {
    if (command.live) {
      const input = scopeInput(await readLive(command, prepared, io, deps), command);
      reports = openReports(command, header(input.source), io);
      const evaluations = evaluateAll(prepared, input.items, input.factsFor, input.unreadable);
      for (const evaluation of evaluations) passOn(evaluation, tally, reports);
      outcome = {
        resources: input.items.length,
        errors: unreadableErrors(prepared, input.unreadable),
        notes: input.notes,
      };
    } else {
      // (Re)opens the reports: a scan that finds a resource read twice starts them again (see scanSnapshots).
      const begin = () => {
        for (const report of reports) report.abort();
        tally = new ReportTally(rules, command.failOn);
        reports = openReports(command, header({ kind: 'snapshot', files }), io);
        return (evaluation: ReportEvaluation) => passOn(evaluation, tally, reports);
      };
      outcome = await scanSnapshots(files, prepared, io, limits, command, begin, canStartAgain(command));
    }
  } catch (error) {
    for (const report of reports) report.abort();
    throw error;
  }
  for (const note of [...skipped.map(({ reason }) => reason), ...outcome.notes])
    io.stderr.write(`plumbline: note: ${printable(note)}\n`);
  const errors = [...refused, ...outcome.errors];
  const totals: ReportTotals = {
    summary: tally.summary(outcome.resources, errors),
    errors,
    errorResults: tally.errorResults,
  };
  for (const report of reports) report.end(totals, io);
  const itemErrors = reportItemErrors(tally.errorResults, errors, io);
  // Also after a table on a terminal: the table's totals count every non-compliant result, this line the
  // ones --fail-on fails on, which is what the exit code 1 means.
  if (tally.failing > 0) {
    io.stderr.write(
      `plumbline: ${tally.failing} failing result${tally.failing === 1 ? '' : 's'} (--fail-on ${command.failOn}; ${tally.nonCompliant} non-compliant in all)\n`,
    );
  }
  if (refused.length > 0) return 2;
  if (itemErrors > 0 && command.strict) return 2;
  return tally.failing > 0 ? 1 : 0;
}

function passOn(evaluation: ReportEvaluation, tally: ReportTally, reports: readonly OpenReport[]): void {
  tally.add(evaluation);
  for (const report of reports) report.writer.evaluation(evaluation);
}

/**
 * Names on standard error each item that could not be read or judged (the reports carry them as error
 * results); returns how many there were.
 */
function reportItemErrors(
  results: readonly ReportEvaluation[],
  errors: readonly ReportError[],
  io: CliIo,
): number {
  const orphans = errors.filter((error) => error.rule === undefined);
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

/** What a scan found besides its evaluations (which went to the reports as they came). */
interface ScanOutcome {
  resources: number;
  errors: ReportError[];
  notes: string[];
}

/**
 * The snapshot files one after another, each streamed: every item is judged as it is read and its
 * evaluations passed on, so memory does not grow with the snapshot. On a terminal, a progress line shows
 * the items read, the rate and the file.
 */
async function scanSnapshots(
  files: string[],
  prepared: readonly PreparedRule[],
  io: CliIo,
  limits: InputLimits,
  filters: ScopeFilters,
  begin: () => (evaluation: ReportEvaluation) => void,
  canStartAgain: boolean,
): Promise<ScanOutcome> {
  // A Config snapshot names each resource once, and the newest snapshot of each account and region share
  // none, so judge as the files are read, keeping only a log of fingerprints on disk (memory flat however
  // many resources). Should a resource repeat after all, or two block items of one account disagree, the
  // reports are started again and the files read in the exact two passes.
  const repeats = canStartAgain && !sharePlaces(files) ? RepeatLog.open() : undefined;
  if (repeats !== undefined) {
    let again: string;
    try {
      const once = await scanPass(files, prepared, io, limits, filters, begin(), undefined, repeats);
      if (!repeats.hasRepeats()) return once;
      again = rereadNote(
        files,
        `a resource appears more than once in the snapshot${files.length === 1 ? '' : 's'}`,
        'each resource is judged once, at its newest capture',
      );
    } catch (error) {
      if (!(error instanceof SinglePassStopped)) throw error;
      again = rereadNote(files, error.message, error.purpose);
    } finally {
      repeats.dispose();
    }
    const exact = await scanTwice(files, prepared, io, limits, filters, begin());
    return { ...exact, notes: [again, ...exact.notes] };
  }
  // A report already written to standard output cannot be started again (nor can a scan without a temporary
  // folder for the log): one file is judged in a single pass with a capture index in memory (newest so far).
  if (files.length === 1) return scanPass(files, prepared, io, limits, filters, begin());
  return scanTwice(files, prepared, io, limits, filters, begin());
}

function rereadNote(files: readonly string[], reason: string, purpose: string): string {
  const read = files.length === 1 ? 'the file read twice more' : 'the files read twice more';
  return `${reason}: the reports were started again and ${read}, so that ${purpose}`;
}

/** Several snapshots of one account and region (--all-snapshots): they repeat resources, so two passes at once. */
function sharePlaces(files: readonly string[]): boolean {
  const places = new Set<string>();
  for (const file of files) {
    const place = placeOfFile(file);
    if (place === undefined) continue;
    const key = `${place.accountId}|${place.region}`;
    if (places.has(key)) return true;
    places.add(key);
  }
  return false;
}

/**
 * Several files may describe one resource: a first pass finds each resource's newest capture, so that the
 * scan judges that one, whatever the order of the files.
 */
async function scanTwice(
  files: string[],
  prepared: readonly PreparedRule[],
  io: CliIo,
  limits: InputLimits,
  filters: ScopeFilters,
  emit: (evaluation: ReportEvaluation) => void,
): Promise<ScanOutcome> {
  const first = await indexCaptures(files, io, limits, filters);
  return scanPass(files, prepared, io, limits, filters, emit, first);
}

async function scanPass(
  files: string[],
  prepared: readonly PreparedRule[],
  io: CliIo,
  limits: InputLimits,
  filters: ScopeFilters,
  emit: (evaluation: ReportEvaluation) => void,
  first?: { captures: CaptureIndex; blocks: Map<string, SourcedItem> },
  repeats?: RepeatLog,
): Promise<ScanOutcome> {
  const scan = new SnapshotScan(prepared, emit, first?.captures, first?.blocks, repeats);
  let leftOut = 0;
  let result: SnapshotScanResult;
  try {
    await eachSnapshotFile(files, io, limits, 'scanning', (entry) => {
      const scoped = scopeEntry(entry, filters);
      if (scoped === undefined) leftOut++;
      else scan.add(scoped);
    });
    result = scan.finish();
  } finally {
    scan.dispose();
  }
  return leftOut === 0 ? result : { ...result, notes: [...result.notes, leftOutNote(leftOut, filters)] };
}

/** Whether every report can be started again: written to a file (renamed at the end), or only at the end. */
function canStartAgain(command: ScanCommand): boolean {
  return command.output !== undefined || command.format === 'table' || command.format === 'html';
}

/**
 * The first pass over several files: each resource's newest capture, and each account's newest
 * `AWS::S3::AccountPublicAccessBlock` item (so that no bucket has to wait for it in the second pass).
 */
async function indexCaptures(
  files: string[],
  io: CliIo,
  limits: InputLimits,
  filters: ScopeFilters,
): Promise<{ captures: CaptureIndex; blocks: Map<string, SourcedItem> }> {
  const captures = new CaptureIndex();
  const blocks = new Map<string, SourcedItem>();
  await eachSnapshotFile(files, io, limits, 'indexing captures', (entry) => {
    if (!('item' in entry) || scopeEntry(entry, filters) === undefined) return;
    const { item } = entry;
    captures.record(resourceIdentity(item), Date.parse(item.captureTime));
    if (item.resourceType !== ACCOUNT_PUBLIC_ACCESS_BLOCK) return;
    const known = blocks.get(item.accountId);
    if (known === undefined || Date.parse(item.captureTime) > Date.parse(known.item.captureTime)) {
      blocks.set(item.accountId, entry);
    }
  });
  return { captures, blocks };
}

/** Streams the files one after another, with a progress line on a terminal. */
async function eachSnapshotFile(
  files: string[],
  io: CliIo,
  limits: InputLimits,
  step: string,
  visit: (entry: SnapshotEntry) => void,
): Promise<void> {
  const progress = io.stderr.isTTY ? snapshotProgress(io.stderr, files.length, step) : silentSnapshotProgress;
  try {
    for (const [index, file] of files.entries()) {
      await streamSnapshotFile(file, io.cwd, limits, visit, (read) => progress.update(index, read));
    }
  } finally {
    progress.finish();
  }
}

/**
 * The snapshot files to read: in the S3 layout, the newest of each account and region (or all with
 * --all-snapshots) within --account/--region, the choice said on standard error.
 */
function chooseSnapshots(found: readonly string[], command: ScanCommand, io: CliIo): string[] {
  const selection = selectSnapshots(found, { ...command, named: command.snapshots });
  for (const line of describeSelection(selection)) io.stderr.write(`plumbline: ${printable(line)}\n`);
  if (selection.files.length === 0) {
    // Only skipped files: outside the filters, older (impossible without a newer), or history files.
    throw new UsageError(
      `no snapshot file left to read: of ${found.length} found, skipped ${skippedCounts(selection.skipped)}${
        describeFilters(command)
          ? ` (${describeFilters(command)})`
          : ' (a history file named on the command line is read)'
      }`,
      'scan',
    );
  }
  return selection.files;
}

async function readLive(
  command: ScanCommand,
  prepared: readonly PreparedRule[],
  io: CliIo,
  deps: CliDeps,
): Promise<ScanInput> {
  const progress = io.stderr.isTTY ? terminalProgress(io.stderr) : silentProgress;
  if (command.aggregator !== undefined) {
    const { aggregator, accounts, regions, profile } = command;
    const { scanAggregator } = await import('./aggregator.ts');
    const result = await scanAggregator(
      prepared,
      { aggregator, accounts, regions, profile },
      deps.clients ?? (await sdkClients()),
      progress,
    );
    return {
      source: { kind: 'live', regions: [result.region], profile, aggregator },
      items: latestItems(result.items),
      unreadable: result.unreadable,
      factsFor: result.factsFor,
      notes: result.notes,
    };
  }
  const { inventoryStrategyFromEnv } = await import('../shared/aws/config-inventory.ts');
  const { scanLive } = await import('./live.ts');
  const strategy = command.inventory ?? inventoryStrategyFromEnv(io.env);
  const result = await scanLive(
    prepared,
    { regions: command.regions, profile: command.profile, strategy },
    deps.clients ?? (await sdkClients()),
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

/** A report being written: its writer, and where its text goes. */
interface OpenReport {
  writer: ReportWriter;
  end(totals: ReportTotals, io: CliIo): void;
  abort(): void;
}

function openReports(command: ScanCommand, header: ReportHeader, io: CliIo): OpenReport[] {
  return [
    openReport(command.format, command.output, header, command, io),
    ...command.extraReports.map((extra) => openReport(extra.format, extra.file, header, command, io)),
  ];
}

function openReport(
  format: Format,
  file: string | undefined,
  header: ReportHeader,
  command: ScanCommand,
  io: CliIo,
): OpenReport {
  const target: Pick<OutputStream, 'isTTY' | 'columns' | 'rows'> =
    file === undefined ? io.stdout : { isTTY: false };
  const options = {
    colour: colourEnabled(target, io.env, command.colour),
    all: command.all,
    maxPerRule: maxPerRule(command, target),
    columns: target.isTTY ? (target.columns ?? 80) : PLAIN_COLUMNS,
    cwd: io.cwd,
  };
  // The folder was checked before the scan (checkOutputPaths); a missing one is never created.
  const output =
    file === undefined ? bufferedOutput(io.stdout) : fileOutput(resolve(io.cwd, file), file, format);
  const writer = reportWriter(format, header, options, output, fileSpool);
  return {
    writer,
    end(totals) {
      writer.end(totals);
      output.close();
      if (file !== undefined) io.stderr.write(`plumbline: wrote the ${format} report to ${file}\n`);
    },
    abort() {
      writer.abort?.();
      output.abort();
    },
  };
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
