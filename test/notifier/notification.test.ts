import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consoleLink,
  describeActor,
  type FormattedMessage,
  formatNotice,
  MAX_MESSAGE_BYTES,
  type Notice,
} from '../../shared/core/notification.ts';

const detection: Notice = {
  kind: 'compliance-change',
  headline: 'turned NON_COMPLIANT',
  source: 'plumbline-security-group',
  resource: {
    type: 'AWS::EC2::SecurityGroup',
    id: 'sg-0123456789abcdef0',
    name: 'web-prod',
    accountId: '123456789012',
    region: 'us-east-1',
  },
  compliance: 'NON_COMPLIANT',
  previousCompliance: 'COMPLIANT',
  annotation: 'tcp 22 open to 0.0.0.0/0',
  actor: {
    arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
    eventName: 'AuthorizeSecurityGroupIngress',
    sourceIp: '203.0.113.10',
    eventTime: '2024-05-14T10:05:12Z',
  },
  outcome: 'detected',
  when: '2024-05-14T10:07:31.512Z',
};

const CONSOLE =
  'https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/details?resourceId=sg-0123456789abcdef0&resourceType=AWS%3A%3AEC2%3A%3ASecurityGroup';

/** GSM 03.38 basic character set, printable part (3GPP TS 23.038, 6.2.1): one SMS holds 160 of these. */
const GSM_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);

/** Whether the text fits one SMS segment: at most 160 characters, all in the GSM basic set. */
function fitsOneSms(text: string): boolean {
  const chars = Array.from(text);
  return chars.length <= 160 && chars.every((char) => GSM_BASIC.has(char));
}

function parts(formatted: FormattedMessage) {
  return JSON.parse(formatted.message) as Record<string, string>;
}

/** What SNS counts toward its 256 KiB limit: message, subject and each attribute's name, type and value. */
function totalBytes(formatted: FormattedMessage): number {
  const attributes = Object.entries(formatted.attributes).reduce(
    (sum, [name, value]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType) +
      Buffer.byteLength(value.StringValue),
    0,
  );
  return Buffer.byteLength(formatted.message) + Buffer.byteLength(formatted.subject) + attributes;
}

describe('formatNotice: a compliance change', () => {
  it('gives a subject, a short text for SMS and chat, a full email and filterable attributes', () => {
    const formatted = formatNotice(detection);
    expect(formatted.subject).toBe(
      'Plumbline plumbline-security-group: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT',
    );
    const short =
      'plumbline-security-group: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT - tcp 22 open to 0.0.0.0/0';
    expect(parts(formatted)).toEqual({
      default: short,
      sms: short,
      email: [
        'sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT',
        '',
        'Rule:        plumbline-security-group',
        'Resource:    AWS::EC2::SecurityGroup sg-0123456789abcdef0 (web-prod)',
        'Account:     123456789012',
        'Region:      us-east-1',
        'Compliance:  COMPLIANT -> NON_COMPLIANT',
        'Finding:     tcp 22 open to 0.0.0.0/0',
        'Changed by:  arn:aws:sts::123456789012:assumed-role/Admin/alice via AuthorizeSecurityGroupIngress from 203.0.113.10',
        'Changed at:  2024-05-14T10:05:12Z',
        'Outcome:     detected',
        'When:        2024-05-14T10:07:31.512Z',
        `Console:     ${CONSOLE}`,
      ].join('\n'),
    });
    expect(formatted.attributes).toEqual({
      kind: { DataType: 'String', StringValue: 'compliance-change' },
      source: { DataType: 'String', StringValue: 'plumbline-security-group' },
      rule: { DataType: 'String', StringValue: 'plumbline-security-group' },
      account: { DataType: 'String', StringValue: '123456789012' },
      region: { DataType: 'String', StringValue: 'us-east-1' },
      resourceType: { DataType: 'String', StringValue: 'AWS::EC2::SecurityGroup' },
      outcome: { DataType: 'String', StringValue: 'detected' },
      compliance: { DataType: 'String', StringValue: 'NON_COMPLIANT' },
    });
  });

  it('says why the actor is unknown, and what the resolved finding was', () => {
    const email = parts(
      formatNotice({
        ...detection,
        headline: 'is COMPLIANT again',
        compliance: 'COMPLIANT',
        previousCompliance: 'NON_COMPLIANT',
        annotation: undefined,
        previousAnnotation: 'tcp 22 open to 0.0.0.0/0',
        actor: undefined,
        actorNote: 'CloudTrail lookup failed: AccessDeniedException: not authorized',
        outcome: 'resolved',
      }),
    ).email;
    expect(email?.split('\n').slice(6, 11)).toEqual([
      'Compliance:  NON_COMPLIANT -> COMPLIANT',
      'Previously:  tcp 22 open to 0.0.0.0/0',
      'Changed by:  unknown (CloudTrail lookup failed: AccessDeniedException: not authorized)',
      'Outcome:     resolved',
      'When:        2024-05-14T10:07:31.512Z',
    ]);
  });

  it('shows no note beside a known actor, and no name when it is the id (an S3 bucket)', () => {
    const formatted = formatNotice({
      ...detection,
      resource: {
        type: 'AWS::S3::Bucket',
        id: 'reports',
        name: 'reports',
        accountId: '123456789012',
        region: 'eu-west-1',
      },
      actorNote: 'should not show',
    });
    expect(formatted.subject).toBe('Plumbline plumbline-security-group: reports turned NON_COMPLIANT');
    expect(parts(formatted).email).not.toContain('should not show');
    expect(parts(formatted).email).toContain('Resource:    AWS::S3::Bucket reports\n');
  });
});

describe('formatNotice: a remediation', () => {
  it('names the responder as the source and the rule beside it, and lists each change', () => {
    const formatted = formatNotice({
      kind: 'remediation',
      headline: 'security group drift reverted',
      source: 'sg-drift-revert',
      rule: 'plumbline-security-group',
      resource: {
        type: 'AWS::EC2::SecurityGroup',
        id: 'sg-1',
        accountId: '123456789012',
        region: 'us-east-1',
      },
      changes: ['revoked tcp 22 from 0.0.0.0/0', 'revoked tcp 3389 from ::/0'],
      outcome: 'applied',
      when: '2024-05-14T10:05:14Z',
    });
    expect(parts(formatted).email?.split('\n')).toEqual([
      'sg-1 security group drift reverted',
      '',
      'Source:      sg-drift-revert',
      'Rule:        plumbline-security-group',
      'Resource:    AWS::EC2::SecurityGroup sg-1',
      'Account:     123456789012',
      'Region:      us-east-1',
      'Changed by:  unknown',
      'Outcome:     applied',
      'When:        2024-05-14T10:05:14Z',
      'Console:     https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/details?resourceId=sg-1&resourceType=AWS%3A%3AEC2%3A%3ASecurityGroup',
      '',
      'Changes:',
      '  - revoked tcp 22 from 0.0.0.0/0',
      '  - revoked tcp 3389 from ::/0',
    ]);
    expect(formatted.attributes.rule).toEqual({
      DataType: 'String',
      StringValue: 'plumbline-security-group',
    });
    expect(formatted.attributes.compliance).toBeUndefined();
  });

  it('leaves the rule attribute out when a responder names none', () => {
    const formatted = formatNotice({ ...detection, kind: 'remediation', source: 'public-bucket-remediate' });
    expect(Object.keys(formatted.attributes)).toEqual([
      'kind',
      'source',
      'account',
      'region',
      'resourceType',
      'outcome',
      'compliance',
    ]);
  });
});

describe('formatNotice: SNS limits', () => {
  it('keeps the subject ASCII, on one line and under 100 characters', () => {
    const formatted = formatNotice({
      ...detection,
      resource: { ...detection.resource, id: `bucket-${'x'.repeat(120)}`, name: 'ünïcode\nname' },
    });
    expect(formatted.subject).toHaveLength(99);
    expect(formatted.subject).toMatch(/^[\x20-\x7e]+\.\.\.$/);
    expect(formatted.subject.startsWith('Plumbline plumbline-security-group: bucket-xxx')).toBe(true);
  });

  it('trims an oversized change list to what fits within 256 KiB, saying how many were left out', () => {
    const changes = Array.from(
      { length: 5000 },
      (_, i) => `revoked tcp ${i} from 10.${i % 256}.0.0/16 ${'·'.repeat(40)}`,
    );
    const formatted = formatNotice({ ...detection, kind: 'remediation', changes });
    expect(totalBytes(formatted)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const email = parts(formatted).email ?? '';
    const shown = email.split('\n').filter((line) => line.startsWith('  - ')).length;
    expect(shown).toBeGreaterThan(1000);
    expect(shown).toBeLessThan(5000);
    expect(email.endsWith(`\n  … and ${5000 - shown} more`)).toBe(true);
    // The list is cut as late as possible: one more line would not have fitted.
    const withOneMore = formatNotice({
      ...detection,
      kind: 'remediation',
      changes: changes.slice(0, shown + 1),
    });
    expect(parts(withOneMore).email?.endsWith('\n  … and 1 more')).toBe(true);
  });

  it('cuts an oversized text with a marker when even one line is too big', () => {
    const formatted = formatNotice({ ...detection, annotation: `"${'\u0001'.repeat(300_000)}"` });
    expect(totalBytes(formatted)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(totalBytes(formatted)).toBeGreaterThan(MAX_MESSAGE_BYTES - 16);
    const email = parts(formatted).email ?? '';
    expect(email.startsWith('sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT\n')).toBe(true);
    expect(email.endsWith(' …(truncated)')).toBe(true);
    // Control characters have no place in an SMS: the short text drops them.
    expect(parts(formatted).sms).toBe(
      'plumbline-security-group: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT - ""',
    );
  });

  it('keeps the short text to one GSM 03.38 SMS: typographic characters become ASCII, the rest goes', () => {
    const formatted = formatNotice({
      ...detection,
      annotation: 'statement “Public” → *\t— it’s [open] {all} ~ ‘x’ · café ê 5€ ☃…',
    });
    const short =
      'plumbline-security-group: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT - ' +
      "statement \"Public\" -> * - it's (open) (all) - 'x' - café e 5EUR ?...";
    expect(parts(formatted)).toMatchObject({ default: short, sms: short });
    expect(fitsOneSms(short)).toBe(true);
  });

  it('cuts a long short text to 160 GSM characters with an ASCII marker', () => {
    const annotation = Array.from(
      { length: 12 },
      (_, i) => `policy statement “S${i}” (#${i}) allows s3:GetObject → * — ‘public’ · ünïcödé ✓`,
    ).join('; ');
    const sms = parts(formatNotice({ ...detection, annotation })).sms ?? '';
    expect(sms.endsWith('...')).toBe(true);
    expect(sms).not.toContain('…');
    expect(sms.length).toBeGreaterThan(100);
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(fitsOneSms(sms)).toBe(true);
    expect(
      sms.startsWith('plumbline-security-group: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT - '),
    ).toBe(true);
  });

  it('holds for any notice: subject rules, short text, JSON structure, total size', () => {
    const text = fc.string({ unit: 'binary', maxLength: 400 });
    const notice = fc.record({
      kind: fc.constantFrom('compliance-change' as const, 'remediation' as const),
      headline: text,
      source: fc.string({ minLength: 1, maxLength: 128 }),
      resource: fc.record({
        type: fc.constantFrom('AWS::EC2::SecurityGroup', 'AWS::S3::Bucket'),
        id: fc.string({ minLength: 1, maxLength: 200 }),
        name: fc.option(text, { nil: undefined }),
        accountId: fc.stringMatching(/^\d{12}$/),
        region: fc.constantFrom('us-east-1', 'cn-north-1', 'us-gov-west-1'),
      }),
      annotation: fc.option(fc.string({ unit: 'binary', maxLength: 20_000 }), { nil: undefined }),
      changes: fc.option(fc.array(fc.string({ unit: 'binary', maxLength: 3000 }), { maxLength: 120 }), {
        nil: undefined,
      }),
      outcome: fc.constantFrom('applied' as const, 'detected' as const, 'failed' as const),
      when: fc.constant('2024-05-14T10:07:31.512Z'),
    });
    fc.assert(
      fc.property(notice, (generated) => {
        const formatted = formatNotice(generated);
        expect(formatted.subject.length).toBeLessThan(100);
        expect(formatted.subject).toMatch(/^[\x20-\x7e]*$/);
        const message = parts(formatted);
        expect(Object.keys(message)).toEqual(['default', 'sms', 'email']);
        expect(fitsOneSms(message.sms ?? '')).toBe(true);
        expect(message.default).toBe(message.sms);
        expect(totalBytes(formatted)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
        for (const attribute of Object.values(formatted.attributes))
          expect(attribute.StringValue).not.toBe('');
      }),
      { numRuns: 200 },
    );
  });
});

describe('consoleLink and describeActor', () => {
  it.each([
    ['us-east-1', 'https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#'],
    ['cn-north-1', 'https://console.amazonaws.cn/config/home?region=cn-north-1#'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com/config/home?region=us-gov-west-1#'],
  ])('links to the Config resource page in %s', (region, start) => {
    const link = consoleLink({ type: 'AWS::S3::Bucket', id: 'my bucket', accountId: '123456789012', region });
    expect(link).toBe(
      `${start}/resources/details?resourceId=my%20bucket&resourceType=AWS%3A%3AS3%3A%3ABucket`,
    );
  });

  it('names the actor, the call and the source IP, or says unknown', () => {
    expect(describeActor(detection.actor)).toBe(
      'arn:aws:sts::123456789012:assumed-role/Admin/alice via AuthorizeSecurityGroupIngress from 203.0.113.10',
    );
    expect(describeActor({ eventName: 'PutBucketPolicy' })).toBe('unknown');
    expect(describeActor(undefined)).toBe('unknown');
  });
});
