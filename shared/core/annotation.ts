import type { Compliance, Reason } from './model.ts';
import { printable } from './text.ts';

export const MAX_ANNOTATION_LENGTH = 256;
export const TRUNCATION_MARKER = ' …(truncated)';

const DEFAULT_ANNOTATION: Record<Compliance, string> = {
  COMPLIANT: 'compliant: no finding',
  NON_COMPLIANT: 'non-compliant',
  NOT_APPLICABLE: 'not applicable',
};

/**
 * The annotation Config shows beside a verdict: the reasons' messages joined with `; `, at most 256
 * characters (cut at a reason boundary where possible, with a marker), never empty. Control characters in
 * the messages (a tag value with a line break) are escaped: Config shows the annotation as it is.
 */
export function buildAnnotation(compliance: Compliance, reasons: readonly Reason[]): string {
  const messages = reasons
    .map((reason) => printable(reason.message.trim()))
    .filter((message) => message !== '');
  const full = messages.length > 0 ? messages.join('; ') : DEFAULT_ANNOTATION[compliance];
  return truncate(full, MAX_ANNOTATION_LENGTH);
}

export function truncate(text: string, limit: number, marker = TRUNCATION_MARKER): string {
  // A string never holds more characters than UTF-16 code units.
  if (text.length <= limit) return text;
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  const room = limit - Array.from(marker).length;
  let cut = chars.slice(0, room).join('');
  const boundary = cut.lastIndexOf('; ');
  if (boundary > room / 2) cut = cut.slice(0, boundary);
  return `${cut}${marker}`;
}
