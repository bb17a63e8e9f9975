import type { ReportEvaluation, ScanReport } from '../report.ts';
import { formatHtml } from './html.ts';
import { formatJson, jsonWriter } from './json.ts';
import { formatJunit, junitWriter } from './junit.ts';
import { formatSarif, sarifWriter } from './sarif.ts';
import type { ReportHeader, ReportTotals, ReportWriter, Spool, TextOut } from './stream.ts';
import { formatTable } from './table.ts';

export const FORMATS = ['table', 'json', 'sarif', 'html', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  /** Colour escapes in the table (a terminal without NO_COLOR). */
  colour: boolean;
  /** The table lists every evaluation, not only the non-compliant ones. */
  all: boolean;
  /** Width the table wraps to. */
  columns: number;
  /** The most resources the table lists per rule (undefined: every one). */
  maxPerRule?: number | undefined;
  /** SARIF locations are relative to this folder. */
  cwd: string;
}

export function render(format: Format, report: ScanReport, options: RenderOptions): string {
  switch (format) {
    case 'table':
      return formatTable(report, options);
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, options);
    case 'html':
      return formatHtml(report);
    case 'junit':
      return formatJunit(report);
  }
}

/**
 * The most compliant and not-applicable evaluations the table and HTML keep to list (the HTML folds them
 * under each rule and says how many more there are); `--all` on the table keeps every one.
 */
export const LISTED_OTHERS = 10_000;

/** A writer for a report in `format`: JSON, SARIF and JUnit streamed, the table and HTML rendered at the end. */
export function reportWriter(
  format: Format,
  header: ReportHeader,
  options: RenderOptions,
  out: TextOut,
  spool: () => Spool,
): ReportWriter {
  switch (format) {
    case 'json':
      return jsonWriter(header, out);
    case 'sarif':
      return sarifWriter(header, options, out);
    case 'junit':
      return junitWriter(header, out, spool);
    case 'table':
    case 'html':
      return retainingWriter(format, header, options, out);
  }
}

/**
 * The table and HTML list findings, so they keep every non-compliant evaluation (error results
 * included); compliant and not-applicable ones only up to {@link LISTED_OTHERS} (every one for `--all`).
 * At the end they are put in report order (rule, then account, region, type and resource) and rendered.
 */
function retainingWriter(
  format: 'table' | 'html',
  header: ReportHeader,
  options: RenderOptions,
  out: TextOut,
): ReportWriter {
  const kept: ReportEvaluation[] = [];
  let others = 0;
  const keepEveryOther = format === 'table' && options.all;
  return {
    evaluation(evaluation) {
      if (evaluation.compliance !== 'NON_COMPLIANT') {
        if (!keepEveryOther && others >= LISTED_OTHERS) return;
        others++;
      }
      kept.push(evaluation);
    },
    end({ summary, errors }: ReportTotals) {
      const order = new Map(header.rules.map((rule, index) => [rule.name, index]));
      kept.sort(
        (a, b) =>
          (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0) ||
          (a.accountId ?? '').localeCompare(b.accountId ?? '') ||
          (a.region ?? '').localeCompare(b.region ?? '') ||
          a.resourceType.localeCompare(b.resourceType) ||
          a.resourceId.localeCompare(b.resourceId),
      );
      const report: ScanReport = {
        ...header,
        evaluations: kept,
        resources: summary.resources,
        errors,
        summary,
      };
      out.write(render(format, report, options));
    },
  };
}
