/**
 * The terminal report: per rule, a table of the non-compliant resources (every evaluation with `all`),
 * each reason on its own line, then the totals. Colour only when asked (a terminal without NO_COLOR).
 * Every text that comes from the input (names, ids, tag values in findings, file names) goes through
 * `printable`: an escape sequence or a line break in a tag cannot repaint the terminal or forge a line.
 */
import type { Compliance } from '../../shared/core/model.ts';
import { printable } from '../../shared/core/text.ts';
import {
  type ComplianceCounts,
  describeSource,
  type ReportEvaluation,
  type ReportRule,
  resourceLabel,
  type ScanReport,
  severityBand,
  summarise,
} from '../report.ts';

export interface TableOptions {
  colour: boolean;
  /** List compliant and not-applicable evaluations too. */
  all: boolean;
  /** Width to wrap to. */
  columns: number;
}

const ESC = '\x1b[';
type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
const STYLES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

type Paint = (style: Style, text: string) => string;

const COMPLIANCE_STYLE: Record<Compliance, Style> = {
  NON_COMPLIANT: 'red',
  COMPLIANT: 'green',
  NOT_APPLICABLE: 'dim',
};

const COMPLIANCE_ORDER: Record<Compliance, number> = { NON_COMPLIANT: 0, COMPLIANT: 1, NOT_APPLICABLE: 2 };

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
    '',
  ];
  const layout = { multiAccount: accounts.length > 1, multiRegion: regions.length > 1 };
  for (const rule of report.rules) {
    const counts = summary.rules[rule.name] ?? { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
    lines.push(...ruleHeader(rule, counts, paint, options.columns));
    const rows = report.evaluations
      .filter((evaluation) => evaluation.rule === rule.name)
      .filter((evaluation) => options.all || evaluation.compliance === 'NON_COMPLIANT')
      .sort((a, b) => COMPLIANCE_ORDER[a.compliance] - COMPLIANCE_ORDER[b.compliance]);
    if (rows.length === 0) {
      const nothing = counts.NON_COMPLIANT + counts.COMPLIANT + counts.NOT_APPLICABLE === 0;
      lines.push(`  ${paint('dim', nothing ? 'no resource of its types was read' : 'no finding')}`, '');
      continue;
    }
    lines.push(...table(rows, { ...options, ...layout }, paint), '');
  }
  for (const error of report.errors) lines.push(`${paint('red', 'ERROR')} ${error.message}`);
  if (report.errors.length > 0) lines.push('');
  lines.push(
    `${paint('bold', 'Summary:')} ${paint('red', `${summary.NON_COMPLIANT} non-compliant`)} · ` +
      `${paint('green', `${summary.COMPLIANT} compliant`)} · ${summary.NOT_APPLICABLE} not applicable ` +
      `(${plural(summary.evaluations, 'evaluation')} of ${plural(summary.resources, 'resource')})` +
      (summary.errors > 0 ? ` · ${paint('red', plural(summary.errors, 'error'))}` : ''),
  );
  if (!options.all && summary.COMPLIANT + summary.NOT_APPLICABLE > 0) {
    lines.push(paint('dim', 'Listed: non-compliant results only; --all lists every evaluation.'));
  }
  return `${lines.join('\n')}\n`;
}

function ruleHeader(rule: ReportRule, counts: ComplianceCounts, paint: Paint, columns: number): string[] {
  const failing = `${counts.NON_COMPLIANT} non-compliant`;
  return [
    `${paint('bold', paint('cyan', rule.name))} · severity ${rule.severity} (${severityBand(rule.severity)}) · ` +
      `${counts.NON_COMPLIANT > 0 ? paint('red', failing) : paint('green', failing)} · ` +
      `${counts.COMPLIANT} compliant · ${counts.NOT_APPLICABLE} not applicable`,
    ...wrap(rule.description, Math.max(30, columns - 2)).map((line) => `  ${paint('dim', line)}`),
    '',
  ];
}

interface Column {
  title: string;
  cell: (evaluation: ReportEvaluation) => string;
  style?: (evaluation: ReportEvaluation) => Style | undefined;
}

function table(
  rows: ReportEvaluation[],
  options: TableOptions & { multiAccount: boolean; multiRegion: boolean },
  paint: Paint,
): string[] {
  const columns: Column[] = [];
  if (options.all) {
    columns.push({
      title: 'COMPLIANCE',
      cell: (evaluation) => evaluation.compliance,
      style: (evaluation) => COMPLIANCE_STYLE[evaluation.compliance],
    });
  }
  columns.push({ title: 'RESOURCE', cell: resourceLabel });
  columns.push({ title: 'TYPE', cell: (evaluation) => evaluation.resourceType });
  if (options.multiAccount)
    columns.push({ title: 'ACCOUNT', cell: (evaluation) => evaluation.accountId ?? '' });
  if (options.multiRegion) columns.push({ title: 'REGION', cell: (evaluation) => evaluation.region ?? '' });
  const cellText = (column: Column, row: ReportEvaluation) => printable(column.cell(row));
  const widths = columns.map((column) =>
    Math.max(column.title.length, ...rows.map((row) => width(cellText(column, row)))),
  );
  const indent = 2;
  const used = indent + widths.reduce((sum, value) => sum + value + 2, 0);
  const findingWidth = Math.max(30, options.columns - used);
  const header = [...columns.map((column, index) => pad(column.title, widths[index] ?? 0)), 'FINDING'].join(
    '  ',
  );
  const lines = [`${' '.repeat(indent)}${paint('dim', header)}`];
  for (const row of rows) {
    const findings = row.reasons.length > 0 ? row.reasons.map((reason) => reason.message) : [row.annotation];
    if (row.error !== undefined) findings[0] = `ERROR ${findings[0]}`;
    const wrapped = findings.flatMap((finding) => wrap(printable(finding), findingWidth));
    const cells = columns.map((column, index) => {
      const text = pad(cellText(column, row), widths[index] ?? 0);
      const style = column.style?.(row);
      return style ? paint(style, text) : text;
    });
    lines.push(`${' '.repeat(indent)}${[...cells, wrapped[0] ?? ''].join('  ')}`);
    const blank = ' '.repeat(used);
    for (const continuation of wrapped.slice(1)) lines.push(`${blank}${continuation}`);
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

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
