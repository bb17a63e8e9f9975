import type { ScanReport } from '../report.ts';
import { formatHtml } from './html.ts';
import { formatJson } from './json.ts';
import { formatJunit } from './junit.ts';
import { formatSarif } from './sarif.ts';
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
