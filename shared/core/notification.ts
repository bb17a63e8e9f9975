/**
 * One formatter for every message Plumbline sends, so that compliance changes and remediations read alike.
 * The output is ready for SNS `Publish` with `MessageStructure: 'json'`: a short text for SMS and chat
 * (`default`, `sms`), a fuller one for email, and message attributes subscribers can filter on.
 */
import { truncate } from './annotation.ts';
import type { Actor } from './cloudtrail.ts';
import type { Compliance } from './model.ts';

export type Outcome = 'applied' | 'planned' | 'partial' | 'failed' | 'no-change' | 'detected' | 'resolved';

export interface NoticeResource {
  type: string;
  id: string;
  name?: string | undefined;
  accountId: string;
  region: string;
}

export interface Notice {
  kind: 'compliance-change' | 'remediation';
  /** What happened, in a few words: `security group drift reverted`, `turned NON_COMPLIANT`. */
  headline: string;
  /** The rule or responder that speaks. */
  source: string;
  resource: NoticeResource;
  compliance?: Compliance | undefined;
  previousCompliance?: Compliance | undefined;
  annotation?: string | undefined;
  /** Who made the change; undefined when it could not be found. */
  actor?: Actor | undefined;
  /** Each change made or planned, one line each: `revoked tcp 22 from 0.0.0.0/0`. */
  changes?: readonly string[] | undefined;
  outcome: Outcome;
  /** When it happened (ISO 8601). */
  when: string;
}

export interface FormattedMessage {
  subject: string;
  /** The JSON document for `MessageStructure: 'json'`. */
  message: string;
  attributes: Record<string, { DataType: 'String'; StringValue: string }>;
}

/** SNS: subjects under 100 characters, ASCII, no line breaks; messages at most 256 KiB in all. */
export const MAX_SUBJECT_LENGTH = 99;
export const MAX_MESSAGE_BYTES = 256 * 1024;
const ATTRIBUTE_ALLOWANCE_BYTES = 2 * 1024;
const SHORT_TEXT_LENGTH = 140;

export function consoleLink(resource: NoticeResource): string {
  const region = resource.region;
  const domain = region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  const query = `resourceId=${encodeURIComponent(resource.id)}&resourceType=${encodeURIComponent(resource.type)}`;
  return `https://${region}.${domain}/config/home?region=${region}#/resources/details?${query}`;
}

export function describeActor(actor: Actor | undefined): string {
  if (!actor?.arn) return 'unknown';
  const call = actor.eventName ? ` via ${actor.eventName}` : '';
  const from = actor.sourceIp ? ` from ${actor.sourceIp}` : '';
  return `${actor.arn}${call}${from}`;
}

export function formatNotice(notice: Notice): FormattedMessage {
  const label = notice.resource.name ? `${notice.resource.id} (${notice.resource.name})` : notice.resource.id;
  const subject = asciiSubject(`Plumbline ${notice.source}: ${label} ${notice.headline}`);
  const short = truncate(
    `${notice.source}: ${label} ${notice.headline}${notice.annotation ? ` - ${notice.annotation}` : ''}`,
    SHORT_TEXT_LENGTH,
    '…',
  );
  const lines = [
    `${notice.headline[0]?.toUpperCase() ?? ''}${notice.headline.slice(1)}`,
    '',
    `Source:      ${notice.source}`,
    `Resource:    ${notice.resource.type} ${label}`,
    `Account:     ${notice.resource.accountId}`,
    `Region:      ${notice.resource.region}`,
    ...(notice.compliance
      ? [
          `Compliance:  ${notice.previousCompliance ? `${notice.previousCompliance} -> ` : ''}${notice.compliance}`,
        ]
      : []),
    ...(notice.annotation ? [`Finding:     ${notice.annotation}`] : []),
    `Changed by:  ${describeActor(notice.actor)}`,
    ...(notice.actor?.eventTime ? [`Changed at:  ${notice.actor.eventTime}`] : []),
    `Outcome:     ${notice.outcome}`,
    `When:        ${notice.when}`,
    `Console:     ${consoleLink(notice.resource)}`,
  ];
  const changes = notice.changes ?? [];
  const attributes = {
    kind: attribute(notice.kind),
    source: attribute(notice.source),
    account: attribute(notice.resource.accountId),
    resourceType: attribute(notice.resource.type),
    outcome: attribute(notice.outcome),
    ...(notice.compliance ? { compliance: attribute(notice.compliance) } : {}),
  };
  const budget = MAX_MESSAGE_BYTES - ATTRIBUTE_ALLOWANCE_BYTES - byteLength(subject);
  const email = fitEmail(
    lines,
    changes,
    (text) => JSON.stringify({ default: short, sms: short, email: text }),
    budget,
  );
  return { subject, message: JSON.stringify({ default: short, sms: short, email }), attributes };
}

/** Adds the change lines that fit in the budget and says how many were left out. */
function fitEmail(
  lines: string[],
  changes: readonly string[],
  wrap: (text: string) => string,
  budget: number,
): string {
  const render = (shown: number) => {
    const omitted = changes.length - shown;
    const changeLines =
      changes.length === 0
        ? []
        : ['', 'Changes:', ...changes.slice(0, shown).map((change) => `  - ${change}`)].concat(
            omitted > 0 ? [`  … and ${omitted} more`] : [],
          );
    return [...lines, ...changeLines].join('\n');
  };
  let low = 0;
  let high = changes.length;
  if (byteLength(wrap(render(high))) <= budget) return render(high);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (byteLength(wrap(render(middle))) <= budget) low = middle;
    else high = middle - 1;
  }
  const text = render(low);
  return byteLength(wrap(text)) <= budget ? text : truncate(text, Math.floor(budget / 8), ' …(truncated)');
}

function asciiSubject(text: string): string {
  const ascii = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}

function attribute(value: string) {
  return { DataType: 'String' as const, StringValue: value };
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
