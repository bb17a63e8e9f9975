/**
 * Command lines and their help. Parsing is strict: an unknown option or a bad value is a usage error
 * (exit code 2) naming the option and the values it accepts.
 */
import { parseArgs } from 'node:util';
import { FORMATS, type Format } from './format/index.ts';
import { DEFAULT_MAX_INPUT_SIZE, formatSize, MAX_INPUT_SIZE } from './input.ts';
import { UsageError } from './io.ts';
import { FAIL_ON_VALUES, type FailOn } from './report.ts';

export const MAIN_HELP = `plumbline: run the Plumbline compliance rules over AWS Config data, offline or live.

Usage:
  plumbline scan --snapshot FILE... [options]   evaluate Config snapshot files, fully offline
  plumbline scan --live [--region R]... [options]  evaluate the account's current configuration (read-only)
  plumbline scan --live --aggregator NAME [options]  every account and region of a Config aggregator
  plumbline rules [--config FILE]               list the rules, their parameters and defaults
  plumbline help [COMMAND]                      show help for a command

Options:
  -h, --help      show help (also after each command)
  -V, --version   print the version

Exit codes: 0 nothing non-compliant, 1 something non-compliant (see scan --fail-on), 2 bad usage or input.
`;

export const SCAN_HELP = `plumbline scan: evaluate every rule over AWS Config data and report the findings.

Usage:
  plumbline scan --snapshot FILE... [options]
  plumbline scan --live [--region REGION]... [--profile NAME] [options]
  plumbline scan --live --aggregator NAME [--account ID,...] [--region REGION,...] [options]

Input (one of):
  --snapshot FILE...    AWS Config snapshot files as delivered to S3 (.json or .json.gz), folders of them,
                        or the JSON output of "aws configservice batch-get-resource-config",
                        "get-resource-config-history" or "select-resource-config". Fully offline.
                        A synced bucket (AWSLogs/<account>/Config/<region>/…/ConfigSnapshot/): the newest
                        snapshot of each account and region is read; ConfigHistory files in it are skipped.
                        select-resource-config needs: SELECT resourceId, resourceName, resourceType, arn,
                        accountId, awsRegion, configurationItemCaptureTime, configurationItemStatus,
                        configuration, supplementaryConfiguration, tags (resourceName and arn optional)
  --live                read the current configuration from AWS Config (read-only calls, standard
                        credential chain); a progress bar is shown on a terminal
  --all-snapshots       with --snapshot: read every snapshot of the layout, not only the newest of each
                        account and region (a resource's newest capture is the one judged)
  --region REGION       with --live: a region to scan; repeat or separate with commas (default: the
                        profile's/AWS_REGION). With --snapshot or --aggregator: only these regions
  --account ID          with --snapshot or --aggregator: only these 12-digit accounts; repeat or separate
                        with commas
  --aggregator NAME     with --live: read every account and region of this AWS Config aggregator
                        (SelectAggregateResourceConfig, read-only) from the region of the profile/AWS_REGION,
                        where the aggregator is; account facts come from the recorded items, as offline
  --profile NAME        with --live: the AWS profile for credentials and region
  --inventory MODE      with --live: "select" (advanced query, the default) or "list"
                        (ListDiscoveredResources + BatchGetResourceConfig), as PLUMBLINE_INVENTORY

Rules:
  --config FILE         the suite configuration (JSON or YAML), the same file deployment uses:
                        {"rules": {"security-group": {...}, ...}, "baselines", "tagPolicy", "responders"}
                        Without it, every rule runs with its defaults.
  --rule NAME           run only this rule; repeat for several (default: all; see "plumbline rules")

Output:
  --format FORMAT       ${FORMATS.join(' | ')} (default: table)
  -o, --output FILE     write the report to FILE instead of standard output
  --html FILE           also write an HTML report to FILE (likewise --json, --sarif, --junit FILE)
  --all                 table: list every evaluation, compliant and not applicable too, with no limit
  --max-per-rule N      table: list at most N resources per rule, the rest counted ("… 120 more");
                        default on a terminal about a screenful, elsewhere (a pipe, a file) every one
  --no-color            no colour in the table (also NO_COLOR=1); colour is only used on a terminal

Limits:
  --max-input-size SIZE the most a snapshot or configuration file may hold, or expand to when gzipped,
                        counted as it is streamed (like 64MiB, 8GiB or 1048576; default ${formatSize(DEFAULT_MAX_INPUT_SIZE)})

Exit status:
  --fail-on LEVEL       when to exit 1: ${FAIL_ON_VALUES.join(' | ')}
                        non-compliant (default): any non-compliant result; none: never (exit 0);
                        low/medium/high/critical: a non-compliant result of a rule at least that severe
  --strict              exit 2 when an item could not be read or judged. Without it such an item is an
                        error result (NON_COMPLIANT, fail closed) in every report and the scan goes on
  Exit codes: 0 nothing failing, 1 failing results, 2 bad usage or bad input (the message names the
  file and the field), a rule refused for a bad parameter (the other rules still run), or with
  --strict an item that could not be read.

Examples:
  plumbline scan --snapshot examples/snapshot.json --config examples/plumbline.config.yaml
  plumbline scan --snapshot AWSLogs/ --format sarif -o plumbline.sarif --fail-on high
  plumbline scan --live --region eu-west-1 --region us-east-1 --html report.html
  plumbline scan --live --aggregator org-all --account 111122223333,444455556666 --html org.html
`;

export const RULES_HELP = `plumbline rules: list the rules, the resource types each evaluates, their parameters and defaults.

Usage:
  plumbline rules [--config FILE] [--format table|json]

Options:
  --config FILE         also show (and validate) the values the configuration file sets
  --format FORMAT       table (default) or json
  -h, --help            show this help
`;

export type ScanCommand = {
  command: 'scan';
  snapshots: string[];
  live: boolean;
  /** `--aggregator`: the Config aggregator a live scan reads every account and region from. */
  aggregator: string | undefined;
  /** `--all-snapshots`: every snapshot of the S3 layout, not only the newest per account and region. */
  allSnapshots: boolean;
  /** With --live alone: the regions to scan; otherwise a filter (empty: every region). */
  regions: string[];
  /** `--account`: only these accounts (empty: every one). */
  accounts: string[];
  profile: string | undefined;
  inventory: 'select' | 'list' | undefined;
  config: string | undefined;
  rules: string[];
  format: Format;
  output: string | undefined;
  extraReports: { format: Format; file: string }[];
  all: boolean;
  /** `--max-per-rule`: undefined lets the output decide (a screenful on a terminal, else every one). */
  maxPerRule: number | undefined;
  colour: boolean | undefined;
  failOn: FailOn;
  /** Exit 2 when an item could not be read or judged. */
  strict: boolean;
  /** Bytes a snapshot or configuration file may hold, or expand to (`--max-input-size`). */
  maxInputSize: number;
};

export type RulesCommand = { command: 'rules'; config: string | undefined; format: 'table' | 'json' };

export type Command = ScanCommand | RulesCommand | { command: 'help'; text: string } | { command: 'version' };

export function parseCommandLine(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help')
    return { command: 'help', text: MAIN_HELP };
  if (first === '-V' || first === '--version') return { command: 'version' };
  if (first === 'help') return { command: 'help', text: helpFor(rest[0]) };
  if (first === 'scan') return parseScan(rest);
  if (first === 'rules') return parseRules(rest);
  throw new UsageError(`unknown command "${first}" (commands: scan, rules, help)`);
}

function helpFor(command: string | undefined): string {
  // `plumbline help --help` asks for help about help: the general help.
  if (command === undefined || command === '-h' || command === '--help') return MAIN_HELP;
  if (command === 'scan') return SCAN_HELP;
  if (command === 'rules') return RULES_HELP;
  throw new UsageError(`no help for unknown command "${command}" (commands: scan, rules)`);
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT_ID = /^\d{12}$/;
/** ConfigurationAggregatorName: 1 to 256 of `[\w-]` (AWS Config API Reference, SelectAggregateResourceConfig). */
const AGGREGATOR_NAME = /^[\w-]{1,256}$/;

/**
 * The values of a repeatable option that also takes commas (`--region a,b --region c`), each checked, the
 * duplicates dropped; an empty item (`a,,b`) is refused rather than ignored.
 */
function listValues(
  values: readonly string[] | undefined,
  option: string,
  pattern: RegExp,
  what: string,
): string[] {
  const items = (values ?? []).flatMap((value) => value.split(',').map((item) => item.trim()));
  for (const item of items) {
    if (item === '') throw new UsageError(`${option} has an empty value (a stray comma?)`, 'scan');
    if (!pattern.test(item)) throw new UsageError(`${option} "${item}" is not ${what}`, 'scan');
  }
  return [...new Set(items)];
}

function aggregatorName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!AGGREGATOR_NAME.test(value)) {
    throw new UsageError(
      `--aggregator "${value}" is not a configuration aggregator name (1 to 256 letters, digits, _ and -)`,
      'scan',
    );
  }
  return value;
}

function parseScan(argv: readonly string[]): ScanCommand | { command: 'help'; text: string } {
  const { values, positionals } = strictParse(
    argv,
    {
      snapshot: { type: 'string', multiple: true },
      live: { type: 'boolean' },
      region: { type: 'string', multiple: true },
      account: { type: 'string', multiple: true },
      aggregator: { type: 'string' },
      'all-snapshots': { type: 'boolean' },
      profile: { type: 'string' },
      inventory: { type: 'string' },
      config: { type: 'string' },
      rule: { type: 'string', multiple: true },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      html: { type: 'string' },
      json: { type: 'string' },
      sarif: { type: 'string' },
      junit: { type: 'string' },
      all: { type: 'boolean' },
      'max-per-rule': { type: 'string' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      'fail-on': { type: 'string' },
      strict: { type: 'boolean' },
      'max-input-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'scan',
  );
  if (values.help) return { command: 'help', text: SCAN_HELP };
  const live = values.live === true;
  // `--snapshot a.json b.json`: the files after the first arrive as positionals.
  const snapshots = [...(values.snapshot ?? []), ...positionals];
  if (live && snapshots.length > 0) {
    throw new UsageError('choose one input: --snapshot FILE... or --live, not both', 'scan');
  }
  if (!live && snapshots.length === 0) {
    throw new UsageError('nothing to scan: pass --snapshot FILE... or --live', 'scan');
  }
  if (!live) {
    for (const option of ['profile', 'inventory', 'aggregator'] as const) {
      if (values[option] !== undefined) throw new UsageError(`--${option} only applies with --live`, 'scan');
    }
  }
  const aggregator = aggregatorName(values.aggregator);
  if (live && values['all-snapshots'])
    throw new UsageError('--all-snapshots only applies with --snapshot', 'scan');
  if (live && aggregator === undefined && values.account !== undefined) {
    throw new UsageError(
      '--account only applies with --snapshot or --live --aggregator (a plain --live scan reads the account of its credentials)',
      'scan',
    );
  }
  if (aggregator !== undefined && values.inventory !== undefined) {
    throw new UsageError(
      '--inventory does not apply with --aggregator (an aggregator is read with advanced queries)',
      'scan',
    );
  }
  const regions = listValues(values.region, '--region', REGION, 'an AWS region name (like eu-west-1)');
  const accounts = listValues(
    values.account,
    '--account',
    ACCOUNT_ID,
    'an AWS account id (12 digits, like 111122223333)',
  );
  const extraReports = (['html', 'json', 'sarif', 'junit'] as const).flatMap((format) => {
    const file = values[format];
    return file === undefined ? [] : [{ format, file }];
  });
  return {
    command: 'scan',
    snapshots,
    live,
    aggregator,
    allSnapshots: values['all-snapshots'] === true,
    regions,
    accounts,
    profile: nonEmpty(values.profile, '--profile', 'scan'),
    inventory: oneOf(values.inventory, ['select', 'list'] as const, '--inventory', 'scan'),
    config: nonEmpty(values.config, '--config', 'scan'),
    rules: values.rule ?? [],
    format: oneOf(values.format, FORMATS, '--format', 'scan') ?? 'table',
    output: nonEmpty(values.output, '--output', 'scan'),
    extraReports,
    all: values.all === true,
    maxPerRule: parseMaxPerRule(values['max-per-rule'], values.all === true),
    colour: values['no-color'] ? false : values.color,
    failOn: oneOf(values['fail-on'], FAIL_ON_VALUES, '--fail-on', 'scan') ?? 'non-compliant',
    strict: values.strict === true,
    maxInputSize: parseSize(values['max-input-size'], '--max-input-size', 'scan') ?? DEFAULT_MAX_INPUT_SIZE,
  };
}

function parseRules(argv: readonly string[]): RulesCommand | { command: 'help'; text: string } {
  const { values, positionals } = strictParse(
    argv,
    {
      config: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'rules',
  );
  if (values.help) return { command: 'help', text: RULES_HELP };
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'rules');
  return {
    command: 'rules',
    config: nonEmpty(values.config, '--config', 'rules'),
    format: oneOf(values.format, ['table', 'json'] as const, '--format', 'rules') ?? 'table',
  };
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

function strictParse<const Options extends OptionSpec>(
  argv: readonly string[],
  options: Options,
  command: string,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages name the option; drop its advice about "--" which does not apply here.
    const message = (error as Error).message.split('. To specify')[0] ?? '';
    const unknown = /^Unknown option '(.+)'$/.exec(message)?.[1];
    if (unknown === undefined) throw new UsageError(message, command);
    const known = Object.entries(options).flatMap(([name, spec]) => [
      `--${name}`,
      ...(spec.short ? [`-${spec.short}`] : []),
    ]);
    const suggestion = closestOption(unknown, known);
    throw new UsageError(
      `unknown option '${unknown}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      command,
    );
  }
}

/**
 * The known option nearest a mistyped one (`--snapshto` → `--snapshot`), when it is close enough to be a typo:
 * at most 2 edits (insert, delete, replace, swap two neighbours), 1 for a name of fewer than 6 letters.
 */
export function closestOption(typed: string, known: readonly string[]): string | undefined {
  // Options take `--name=value` too: only the name can be mistyped.
  const name = typed.split('=')[0] ?? typed;
  let best: { option: string; distance: number } | undefined;
  for (const option of known) {
    const distance = editDistance(name, option);
    if (best === undefined || distance < best.distance) best = { option, distance };
  }
  const letters = name.replace(/^-+/, '').length;
  if (letters < 2 || best === undefined) return undefined;
  return best.distance <= Math.min(2, Math.max(1, Math.floor(letters / 3))) ? best.option : undefined;
}

/** Optimal string alignment distance: Levenshtein with adjacent transpositions counting as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}

function oneOf<const Value extends string>(
  value: string | undefined,
  allowed: readonly Value[],
  option: string,
  command: string,
): Value | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as Value;
  throw new UsageError(`${option} "${value}" is not one of: ${allowed.join(', ')}`, command);
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A size such as `512MiB`, `64 KiB`, `100MB` or `1048576` (bytes), at least 1 byte and at most 1 TiB. */
export function parseSize(value: string | undefined, option: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'none'];
  if (match === null || unit === undefined) {
    throw new UsageError(
      `${option} "${value}" is not a size (like 512MiB, 64KiB, 100MB or 1048576 bytes)`,
      command,
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1) throw new UsageError(`${option} "${value}" must be at least 1 byte`, command);
  if (bytes > MAX_INPUT_SIZE) {
    throw new UsageError(
      `${option} "${value}" is more than ${formatSize(MAX_INPUT_SIZE)}, the most it takes`,
      command,
    );
  }
  return bytes;
}

/** The most a table can usefully list per rule; more is every one anyway. */
const MAX_PER_RULE = 1_000_000;

function parseMaxPerRule(value: string | undefined, all: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (all) {
    throw new UsageError(
      `--max-per-rule ${value} and --all contradict each other (--all lists every evaluation); choose one`,
      'scan',
    );
  }
  const number = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(number) || number < 1 || number > MAX_PER_RULE) {
    throw new UsageError(
      `--max-per-rule "${value}" is not a whole number from 1 to ${MAX_PER_RULE} (--all lists every one)`,
      'scan',
    );
  }
  return number;
}

function nonEmpty(value: string | undefined, option: string, command: string): string | undefined {
  if (value === '') throw new UsageError(`${option} needs a value`, command);
  return value;
}
