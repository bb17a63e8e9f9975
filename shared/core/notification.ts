/**
 * One formatter for every message Plumbline sends, so that compliance changes and remediations read alike.
 * The output is ready for SNS `Publish` with `MessageStructure: 'json'`: a short text for SMS and chat
 * (`default`, `sms`: one SMS segment of GSM 03.38 characters), a fuller one for email, and message attributes
 * subscribers can filter on.
 *
 * SNS limits honoured here (Amazon SNS API Reference, "Publish"): the subject is ASCII, has no line breaks or
 * control characters and is under 100 characters; the message and its attributes together are at most
 * 256 KiB; at most 10 message attributes.
 *
 * Names, tag values and annotations come from resources other people control: in the subject and the email
 * every line goes through `printable` (a value with a line break cannot forge a line of the email); the short
 * text keeps only GSM characters on one line (`gsmText` drops control and format characters).
 */
import { truncate } from './annotation.ts';
import type { Actor } from './cloudtrail.ts';
import type { Compliance } from './model.ts';
import { printable } from './text.ts';

export type Outcome = 'applied' | 'planned' | 'partial' | 'failed' | 'no-change' | 'detected' | 'resolved';

/** A compliance value as AWS Config reports it: a rule verdict, or `INSUFFICIENT_DATA` before one exists. */
export type ComplianceState = Compliance | 'INSUFFICIENT_DATA';

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
  previousCompliance?: ComplianceState | undefined;
  annotation?: string | undefined;
  /** Who made the change; undefined when it could not be found. */
  actor?: Actor | undefined;
  /** Each change made or planned, one line each: `revoked tcp 22 from 0.0.0.0/0`. */
  changes?: readonly string[] | undefined;
  outcome: Outcome;
  /** When it happened (ISO 8601). */
  when: string;
  /**
   * The Config rule concerned, for the `rule` message attribute. Compliance changes default it to `source`;
   * a responder sets it to the rule whose finding it acted on.
   */
  rule?: string | undefined;
  /** The finding that no longer holds, for a resolution (`Previously:` in the email). */
  previousAnnotation?: string | undefined;
  /** Why the actor is unknown, shown beside `unknown`: `CloudTrail lookup failed: AccessDeniedException`. */
  actorNote?: string | undefined;
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
/**
 * One SMS segment: 160 characters of the GSM 03.38 basic character set (one character outside it and the
 * whole message goes as UCS-2, 70 characters a segment). Also short enough for a chat preview.
 */
export const SHORT_TEXT_LENGTH = 160;
const SHORT_TEXT_MARKER = '...';
const TRIM_MARKER = ' …(truncated)';

/**
 * The GSM 03.38 basic character set (3GPP TS 23.038, 6.2.1), without its control characters (LF, CR and
 * the escape to the extension table, whose characters `[ ] { } \ ^ ~ | €` take two places each).
 */
export const GSM_BASIC_CHARACTERS: ReadonlySet<string> = new Set(
  Array.from(
    '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);

/** Stand-ins for characters outside the GSM basic set that Plumbline's texts use, or people type. */
const GSM_REPLACEMENTS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    "'": '‘’‚‛′´`',
    '"': '“”„‟″«»',
    '-': '‐‑‒–—―−~·•',
    '(': '[{',
    ')': ']}',
    '/': '\\|',
    '...': '…',
    '->': '→',
    '=>': '⇒',
    '<-': '←',
    '<->': '↔',
    EUR: '€',
  }).flatMap(([replacement, chars]) => Array.from(chars, (char): [string, string] => [char, replacement])),
);

/**
 * The text in the GSM 03.38 basic character set, on one line: typographic quotes, dashes, arrows and the
 * ellipsis become their ASCII forms, accents the basic set lacks are dropped (`ê` -> `e`), control and
 * format characters go, and anything else becomes `?`.
 */
export function gsmText(text: string): string {
  return Array.from(text.replace(/\s+/gu, ' '), gsmCharacter).join('').replace(/ {2,}/g, ' ').trim();
}

function gsmCharacter(char: string): string {
  if (GSM_BASIC_CHARACTERS.has(char)) return char;
  const replacement = GSM_REPLACEMENTS.get(char);
  if (replacement !== undefined) return replacement;
  if (/^[\p{Cc}\p{Cf}]$/u.test(char)) return '';
  const base = char.normalize('NFKD').replace(/\p{M}/gu, '');
  return base !== '' && Array.from(base).every((part) => GSM_BASIC_CHARACTERS.has(part)) ? base : '?';
}

export function consoleLink(resource: NoticeResource): string {
  const region = resource.region;
  const host = region.startsWith('cn-')
    ? 'console.amazonaws.cn'
    : region.startsWith('us-gov-')
      ? 'console.amazonaws-us-gov.com'
      : `${region}.console.aws.amazon.com`;
  const query = `resourceId=${encodeURIComponent(resource.id)}&resourceType=${encodeURIComponent(resource.type)}`;
  return `https://${host}/config/home?region=${encodeURIComponent(region)}#/resources/details?${query}`;
}

export function describeActor(actor: Actor | undefined): string {
  if (!actor?.arn) return 'unknown';
  const call = actor.eventName ? ` via ${actor.eventName}` : '';
  const from = actor.sourceIp ? ` from ${actor.sourceIp}` : '';
  return `${actor.arn}${call}${from}`;
}

export function formatNotice(notice: Notice): FormattedMessage {
  const label = resourceLabel(notice.resource);
  const subject = asciiSubject(`Plumbline ${notice.source}: ${label} ${notice.headline}`);
  const short = shortText(notice, label);
  const attributes = messageAttributes(notice);
  const wrap = (email: string) => JSON.stringify({ default: short, sms: short, email });
  const budget = MAX_MESSAGE_BYTES - attributesByteLength(attributes) - byteLength(subject);
  const email = fitEmail(emailLines(notice, label).map(printable), notice.changes ?? [], wrap, budget);
  return { subject, message: wrap(email), attributes };
}

function resourceLabel(resource: NoticeResource): string {
  return resource.name && resource.name !== resource.id ? `${resource.id} (${resource.name})` : resource.id;
}

function shortText(notice: Notice, label: string): string {
  const finding = notice.annotation ? ` - ${notice.annotation}` : '';
  const text = gsmText(`${notice.source}: ${label} ${notice.headline}${finding}`);
  return truncate(text, SHORT_TEXT_LENGTH, SHORT_TEXT_MARKER);
}

function ruleOf(notice: Notice): string | undefined {
  return notice.rule ?? (notice.kind === 'compliance-change' ? notice.source : undefined);
}

function emailLines(notice: Notice, label: string): string[] {
  const rule = ruleOf(notice);
  const isComplianceChange = notice.kind === 'compliance-change';
  const actor = describeActor(notice.actor);
  return [
    `${label} ${notice.headline}`,
    '',
    isComplianceChange ? `Rule:        ${notice.source}` : `Source:      ${notice.source}`,
    ...(rule && !isComplianceChange ? [`Rule:        ${rule}`] : []),
    `Resource:    ${notice.resource.type} ${label}`,
    `Account:     ${notice.resource.accountId}`,
    `Region:      ${notice.resource.region}`,
    ...(notice.compliance ? [`Compliance:  ${complianceLine(notice, notice.compliance)}`] : []),
    ...(notice.annotation ? [`Finding:     ${notice.annotation}`] : []),
    ...(notice.previousAnnotation ? [`Previously:  ${notice.previousAnnotation}`] : []),
    `Changed by:  ${actor}${actor === 'unknown' && notice.actorNote ? ` (${notice.actorNote})` : ''}`,
    ...(notice.actor?.eventTime ? [`Changed at:  ${notice.actor.eventTime}`] : []),
    `Outcome:     ${notice.outcome}`,
    `When:        ${notice.when}`,
    `Console:     ${consoleLink(notice.resource)}`,
  ];
}

function complianceLine(notice: Notice, compliance: Compliance): string {
  if (notice.previousCompliance) return `${notice.previousCompliance} -> ${compliance}`;
  return notice.kind === 'compliance-change' ? `${compliance} (first evaluation)` : compliance;
}

function messageAttributes(notice: Notice): FormattedMessage['attributes'] {
  const values: Record<string, string | undefined> = {
    kind: notice.kind,
    source: notice.source,
    rule: ruleOf(notice),
    account: notice.resource.accountId,
    region: notice.resource.region,
    resourceType: notice.resource.type,
    outcome: notice.outcome,
    compliance: notice.compliance,
  };
  const attributes: FormattedMessage['attributes'] = {};
  for (const [name, value] of Object.entries(values)) {
    // SNS rejects empty attribute values; a filter policy cannot match one anyway.
    if (value) attributes[name] = { DataType: 'String', StringValue: value };
  }
  return attributes;
}

/**
 * The email text within `budget` bytes once wrapped: all the change lines that fit (saying how many were
 * left out), and if even the text without changes is too big, that text cut short with a marker.
 */
function fitEmail(
  lines: readonly string[],
  changes: readonly string[],
  wrap: (email: string) => string,
  budget: number,
): string {
  const fits = (text: string) => byteLength(wrap(text)) <= budget;
  const render = (shown: number) => {
    if (changes.length === 0) return lines.join('\n');
    const omitted = changes.length - shown;
    const changeLines = changes.slice(0, shown).map((change) => `  - ${printable(change)}`);
    if (omitted > 0) changeLines.push(`  … and ${omitted} more`);
    return [...lines, '', 'Changes:', ...changeLines].join('\n');
  };
  const all = render(changes.length);
  if (fits(all)) return all;
  const shown = largestFitting(0, changes.length, (count) => fits(render(count)));
  if (shown !== undefined) return render(shown);
  const text = render(0);
  const chars = Array.from(text);
  const kept = largestFitting(0, chars.length, (count) => fits(cutText(chars, count))) ?? 0;
  return cutText(chars, kept);
}

function cutText(chars: readonly string[], count: number): string {
  return `${chars.slice(0, count).join('')}${TRIM_MARKER}`;
}

/** The largest n in [low, high] for which `fits(n)` holds (`fits` monotone), or undefined if none. */
function largestFitting(low: number, high: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(low)) return undefined;
  let lo = low;
  let hi = high;
  while (lo < hi) {
    const middle = Math.ceil((lo + hi) / 2);
    if (fits(middle)) lo = middle;
    else hi = middle - 1;
  }
  return lo;
}

/** Control characters escaped as everywhere (`\n`, `\x1b`), then whatever is not printable ASCII as `?`. */
function asciiSubject(text: string): string {
  const ascii = printable(text)
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}

/** How SNS counts message attributes toward the size limit: name, data type and value, in bytes. */
function attributesByteLength(attributes: FormattedMessage['attributes']): number {
  return Object.entries(attributes).reduce(
    (total, [name, { DataType, StringValue }]) =>
      total + byteLength(name) + byteLength(DataType) + byteLength(StringValue),
    0,
  );
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
