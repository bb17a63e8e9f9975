import { Logger } from '@aws-lambda-powertools/logger';
import { printable } from '../core/text.ts';

/**
 * Log lines are JSON, which escapes C0 controls but leaves C1 controls, bidi overrides and the line
 * separators U+2028/U+2029 raw: every string logged goes through `printable` too, so a resource name or
 * tag value cannot reorder or split what CloudWatch shows. A stack keeps its line breaks.
 */
export function escapeLogText(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return key === 'stack' ? value.split('\n').map(printable).join('\n') : printable(value);
}

/** One structured JSON logger for every Plumbline function; `POWERTOOLS_SERVICE_NAME` names the function. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'plumbline',
  jsonReplacerFn: escapeLogText,
});
