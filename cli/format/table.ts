/**
 * The terminal report: a summary (non-compliant results by severity band, one line per rule), then a section
 * per rule, the most severe first, with identical findings grouped ("missing: CostCenter — 4,812 resources")
 * and the resources under each, at most `maxPerRule` per rule with the rest counted; the totals again last.
 * Colour only when asked (a terminal without NO_COLOR). Every text that comes from the input (names, ids,
 * tag values in findings, file names) goes through `printable`: an escape sequence or a line break in a tag
 * cannot repaint the terminal or forge a line.
 */
import type { Compliance } from '../../shared/core/model.ts';
import { printable } from '../../shared/core/text.ts';
import {
  byAccount,
  type ComplianceCounts,
  describeSource,
  emptyCounts,
  type ReportEvaluation,
  type ReportRule,
  type ReportSummary,
  resourceLabel,
  type ScanReport,
  type SeverityBand,
  severityBand,
  summarise,
  UNKNOWN_ACCOUNT,
} from '../report.ts';

export interface TableOptions {
  colour: boolean;
  /** List compliant and not-applicable evaluations too. */
  all: boolean;
  /** Width to wrap to. */
  columns: number;
  /** The most resources listed per rule (`--max-per-rule`); the rest are counted. Default: every one. */
  maxPerRule?: number | undefined;
}

const ESC = '\x1b[';
type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';
const STYLES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  magenta: [35, 39],
};

type Paint = (style: Style, text: string) => string;

const COMPLIANCE_STYLE: Record<Compliance, Style> = {
  NON_COMPLIANT: 'red',
  COMPLIANT: 'green',
  NOT_APPLICABLE: 'dim',
};

const BAND_STYLE: Record<SeverityBand, Style> = {
  critical: 'magenta',
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
};

const BANDS: readonly SeverityBand[] = ['critical', 'high', 'medium', 'low'];

const COMPLIANCE_ORDER: Record<Compliance, number> = { NON_COMPLIANT: 0, COMPLIANT: 1, NOT_APPLICABLE: 2 };

/** Thousands separators whatever the machine's locale, so the output is the same everywhere. */
const count = (value: number): string => value.toLocaleString('en-US');

export function formatTable(report: ScanReport, options: TableOptions): string {
  const paint: Paint = options.colour
    ? (style, text) => `${ESC}${STYLES[style][0]}m${text}${ESC}${STYLES[style][1]}m`
    : (_style, text) => text;
  const summary = summarise(report);
  const accounts = distinct(report.evaluations.map((evaluation) => evaluation.accountId));
  const regions = distinct(report.evaluations.map((evaluation) => evaluation.region));
  // A single account or region goes in the heading rather than in a column repeating it on every row.
  const scope = [
    accounts.length === 1 ? `account ${accounts[0]}` : undefined,
    regions.length === 1 ? regions[0] : undefined,
  ].filter((part) => part !== undefined);
  // Most severe first; rules of the same severity keep the order they ran in.
  const rules = [...report.rules].sort((a, b) => b.severity - a.severity);
  const lines: string[] = [
    paint(
      'bold',
      [
        'Plumbline',
        printable(describeSource(report.source)),
        ...scope.map(printable),
        plural(report.resources, 'resource'),
        plural(report.rules.length, 'rule'),
      ].join(' · '),
    ),
    ...overview(rules, summary, paint),
    ...(accounts.length > 1 ? accountOverview(report.evaluations, paint) : []),
    '',
  ];
  const layout = { multiAccount: accounts.length > 1, multiRegion: regions.length > 1 };
  for (const rule of rules) {
    const counts = summary.rules[rule.name] ?? emptyCounts();
    lines.push(...ruleHeader(rule, counts, paint, options.columns));
    const rows = report.evaluations
      .filter((evaluation) => evaluation.rule === rule.name)
      .filter((evaluation) => options.all || evaluation.compliance === 'NON_COMPLIANT');
    if (rows.length === 0) {
      const nothing = counts.NON_COMPLIANT + counts.COMPLIANT + counts.NOT_APPLICABLE === 0;
      lines.push(`  ${paint('dim', nothing ? 'no resource of its types was read' : 'no finding')}`, '');
      continue;
    }
    lines.push(
      ...(layout.multiAccount
        ? accountSections(rows, { ...options, ...layout }, paint)
        : findingGroups(rows, { ...options, ...layout }, paint)),
      '',
    );
  }
  for (const error of report.errors) lines.push(`${paint('red', 'ERROR')} ${printable(error.message)}`);
  if (report.errors.length > 0) lines.push('');
  // A skipped rule is named with its reason, so its absence above never reads as a pass.
  for (const { reason } of report.skipped ?? [])
    lines.push(`${paint('yellow', 'SKIPPED')} ${printable(reason)}`);
  if ((report.skipped ?? []).length > 0) lines.push('');
  lines.push(
    `${paint('bold', 'Summary:')} ${paint('red', `${count(summary.NON_COMPLIANT)} non-compliant`)} · ` +
      `${paint('green', `${count(summary.COMPLIANT)} compliant`)} · ${count(summary.NOT_APPLICABLE)} not applicable ` +
      `(${plural(summary.evaluations, 'evaluation')} of ${plural(summary.resources, 'resource')})` +
      (summary.errors > 0 ? ` · ${paint('red', plural(summary.errors, 'error'))}` : ''),
  );
  if (!options.all && summary.COMPLIANT + summary.NOT_APPLICABLE > 0) {
    lines.push(paint('dim', 'Listed: non-compliant results only; --all lists every evaluation.'));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The summary at the top: non-compliant results by severity band, then one line per rule in the order the
 * sections follow, so the worst is named before the first row (the totals come again at the end).
 */
function overview(rules: readonly ReportRule[], summary: ReportSummary, paint: Paint): string[] {
  const byBand = new Map<SeverityBand, number>();
  for (const rule of rules) {
    const failing = summary.rules[rule.name]?.NON_COMPLIANT ?? 0;
    const band = severityBand(rule.severity);
    byBand.set(band, (byBand.get(band) ?? 0) + failing);
  }
  const bands = BANDS.filter((band) => (byBand.get(band) ?? 0) > 0).map((band) =>
    paint(BAND_STYLE[band], `${count(byBand.get(band) ?? 0)} ${band}`),
  );
  const nameWidth = Math.max(0, ...rules.map((rule) => width(rule.name)));
  return [
    `Non-compliant: ${count(summary.NON_COMPLIANT)}${bands.length > 0 ? ` (${bands.join(' · ')})` : ''}` +
      ` · ${count(summary.COMPLIANT)} compliant · ${count(summary.NOT_APPLICABLE)} not applicable` +
      (summary.errors > 0 ? ` · ${paint('red', plural(summary.errors, 'error'))}` : ''),
    ...rules.map((rule) => {
      const band = severityBand(rule.severity);
      const failing = summary.rules[rule.name]?.NON_COMPLIANT ?? 0;
      return (
        `  ${paint(BAND_STYLE[band], pad(band, 8))}  ${pad(rule.name, nameWidth)}  ` +
        (failing > 0 ? paint('red', `${count(failing)} non-compliant`) : paint('green', '0 non-compliant'))
      );
    }),
  ];
}

/** Accounts listed one by one in the overview; the rest are counted. */
export const OVERVIEW_ACCOUNTS = 20;

/**
 * With several accounts, one line per account under the overview, the most non-compliant first: where to
 * start in an organisation.
 */
function accountOverview(evaluations: readonly ReportEvaluation[], paint: Paint): string[] {
  const accounts = byAccount(evaluations)
    .map(([account, members]) => {
      const counts = emptyCounts();
      for (const member of members) counts[member.compliance]++;
      return { account, counts, regions: distinct(members.map((member) => member.region)).length };
    })
    .sort((a, b) => b.counts.NON_COMPLIANT - a.counts.NON_COMPLIANT);
  const width = Math.max(...accounts.map(({ account }) => account.length));
  const lines = accounts.slice(0, OVERVIEW_ACCOUNTS).map(({ account, counts, regions }) => {
    const failing = `${count(counts.NON_COMPLIANT)} non-compliant`;
    return (
      `  ${pad(printable(account), width)}  ${counts.NON_COMPLIANT > 0 ? paint('red', failing) : paint('green', failing)}` +
      ` · ${count(counts.COMPLIANT)} compliant · ${count(counts.NOT_APPLICABLE)} not applicable · ${plural(regions, 'region')}`
    );
  });
  const more = accounts.length - OVERVIEW_ACCOUNTS;
  return [
    `By account (${count(accounts.length)}):`,
    ...lines,
    ...(more > 0 ? [`  ${paint('dim', `… ${plural(more, 'more account')}`)}`] : []),
  ];
}

/**
 * A rule's rows account by account, each under its own heading, the findings grouped within it; the rule's
 * `--max-per-rule` is shared out between the accounts so that every account shows some.
 */
function accountSections(
  rows: ReportEvaluation[],
  options: TableOptions & { multiAccount: boolean; multiRegion: boolean },
  paint: Paint,
): string[] {
  const accounts = byAccount(rows);
  const limits = shareOut(
    accounts.map(([, members]) => members.length),
    options.maxPerRule ?? Number.POSITIVE_INFINITY,
  );
  return accounts.flatMap(([account, members], index) => {
    const failing = members.filter((member) => member.compliance === 'NON_COMPLIANT').length;
    const heading = `${account === UNKNOWN_ACCOUNT ? account : `account ${printable(account)}`} · ${count(failing)} non-compliant${options.all ? ` of ${plural(members.length, 'evaluation')}` : ''}`;
    const limit = limits[index] ?? 0;
    if (limit === 0) {
      return [
        `  ${paint('bold', heading)}`,
        `    ${paint('dim', `… ${plural(members.length, 'resource')} (use --all)`)}`,
      ];
    }
    const groups = findingGroups(members, { ...options, multiAccount: false, maxPerRule: limit }, paint);
    return [`  ${paint('bold', heading)}`, ...groups.map((line) => `  ${line}`)];
  });
}

function ruleHeader(rule: ReportRule, counts: ComplianceCounts, paint: Paint, columns: number): string[] {
  const band = severityBand(rule.severity);
  const failing = `${count(counts.NON_COMPLIANT)} non-compliant`;
  return [
    `${paint('bold', paint('cyan', rule.name))} · severity ${rule.severity} (${paint(BAND_STYLE[band], band)}) · ` +
      `${counts.NON_COMPLIANT > 0 ? paint('red', failing) : paint('green', failing)} · ` +
      `${count(counts.COMPLIANT)} compliant · ${count(counts.NOT_APPLICABLE)} not applicable`,
    ...wrap(rule.description, Math.max(30, columns - 2)).map((line) => `  ${paint('dim', line)}`),
    '',
  ];
}

/** Evaluations of one rule with the same verdict and the same finding (or the same error). */
interface FindingGroup {
  compliance: Compliance;
  error: boolean;
  finding: string;
  members: ReportEvaluation[];
}

/** The finding of an evaluation in words: its reasons, or the annotation when it has none. */
function findingOf(evaluation: ReportEvaluation): string {
  if (evaluation.error !== undefined) return evaluation.reasons[0]?.message ?? evaluation.annotation;
  return evaluation.reasons.length > 0
    ? evaluation.reasons.map((reason) => reason.message).join('; ')
    : evaluation.annotation;
}

/**
 * Identical findings together: errors first (an item that could not be judged), then non-compliant before
 * compliant before not applicable, the most widespread finding first.
 */
export function groupFindings(rows: readonly ReportEvaluation[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const row of rows) {
    const error = row.error !== undefined;
    const finding = findingOf(row);
    const key = JSON.stringify([row.compliance, error, finding]);
    const group = groups.get(key) ?? { compliance: row.compliance, error, finding, members: [] };
    group.members.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].sort(
    (a, b) =>
      Number(b.error) - Number(a.error) ||
      COMPLIANCE_ORDER[a.compliance] - COMPLIANCE_ORDER[b.compliance] ||
      b.members.length - a.members.length ||
      (a.finding < b.finding ? -1 : a.finding > b.finding ? 1 : 0),
  );
}

/**
 * How many resources of each group to list within `limit` for the rule: one from each group in turn, so a
 * finding on 5,000 resources does not hide the finding on one.
 */
export function shareOut(sizes: readonly number[], limit: number): number[] {
  const shown = sizes.map(() => 0);
  let left = limit;
  let active = sizes.map((_, index) => index).filter((index) => (sizes[index] ?? 0) > 0);
  while (left > 0 && active.length > 0) {
    for (const index of active) {
      if (left === 0) break;
      shown[index] = (shown[index] ?? 0) + 1;
      left--;
    }
    active = active.filter((index) => (shown[index] ?? 0) < (sizes[index] ?? 0));
  }
  return shown;
}

interface Column {
  cell: (evaluation: ReportEvaluation) => string;
}

function findingGroups(
  rows: ReportEvaluation[],
  options: TableOptions & { multiAccount: boolean; multiRegion: boolean },
  paint: Paint,
): string[] {
  const groups = groupFindings(rows);
  const shown = shareOut(
    groups.map((group) => group.members.length),
    options.maxPerRule ?? Number.POSITIVE_INFINITY,
  );
  const columns: Column[] = [{ cell: resourceLabel }, { cell: (evaluation) => evaluation.resourceType }];
  if (options.multiAccount) columns.push({ cell: (evaluation) => evaluation.accountId ?? '' });
  if (options.multiRegion) columns.push({ cell: (evaluation) => evaluation.region ?? '' });
  const listed = groups.flatMap((group, index) => group.members.slice(0, shown[index] ?? 0));
  const cellText = (column: Column, row: ReportEvaluation) => printable(column.cell(row));
  const widths = columns.map((column) => Math.max(0, ...listed.map((row) => width(cellText(column, row)))));
  const findingWidth = Math.max(30, options.columns - 2);
  const lines: string[] = [];
  let hiddenGroups = 0;
  let hiddenResources = 0;
  for (const [index, group] of groups.entries()) {
    const size = group.members.length;
    const listedHere = shown[index] ?? 0;
    if (listedHere === 0) {
      hiddenGroups++;
      hiddenResources += size;
      continue;
    }
    const label = group.error ? 'ERROR ' : options.all ? `${group.compliance} ` : '';
    const suffix = size > 1 ? ` — ${plural(size, 'resource')}` : '';
    const wrapped = wrap(`${label}${printable(group.finding)}${suffix}`, findingWidth);
    const [first = '', ...rest] = wrapped;
    const style: Style = group.error ? 'red' : COMPLIANCE_STYLE[group.compliance];
    const painted = label ? `${paint(style, label.trimEnd())}${first.slice(label.trimEnd().length)}` : first;
    lines.push(`  ${painted}`, ...rest.map((line) => `  ${line}`));
    for (const row of group.members.slice(0, listedHere)) {
      const cells = columns.map((column, columnIndex) =>
        pad(cellText(column, row), widths[columnIndex] ?? 0),
      );
      lines.push(`    ${cells.join('  ').trimEnd()}`);
    }
    if (listedHere < size)
      lines.push(`    ${paint('dim', `… ${count(size - listedHere)} more (use --all)`)}`);
  }
  if (hiddenGroups > 0) {
    lines.push(
      `  ${paint('dim', `… ${plural(hiddenGroups, 'more finding')} on ${plural(hiddenResources, 'resource')} (use --all)`)}`,
    );
  }
  return lines;
}

/** Wraps at spaces; a word longer than the width (an ARN, a policy statement id) is cut. */
export function wrap(text: string, limit: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    let rest = word;
    while (width(rest) > limit) {
      if (current) {
        lines.push(current);
        current = '';
      }
      lines.push(Array.from(rest).slice(0, limit).join(''));
      rest = Array.from(rest).slice(limit).join('');
    }
    if (!rest) continue;
    if (!current) current = rest;
    else if (width(current) + 1 + width(rest) <= limit) current = `${current} ${rest}`;
    else {
      lines.push(current);
      current = rest;
    }
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))];
}

function width(text: string): number {
  return Array.from(text).length;
}

function pad(text: string, size: number): string {
  return text + ' '.repeat(Math.max(0, size - width(text)));
}

function plural(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? '' : 's'}`;
}
