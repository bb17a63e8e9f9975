import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildAnnotation } from '../../shared/core/annotation.ts';
import { InputError, ParameterError } from '../../shared/core/model.ts';
import { formatNotice, type Notice } from '../../shared/core/notification.ts';
import { printable } from '../../shared/core/text.ts';
import { escapeLogText, logger } from '../../shared/lambda/logger.ts';
import { item, judge } from '../required-tags/helpers.ts';

const CLEAR_SCREEN = '\u001b[2J';
const FORGED = 'x\nSummary: 0 non-compliant';
/** Every character printable() must escape, by class (C0, DEL, C1, bidi, separators, lone surrogate). */
const HOSTILE = [
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u061c',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u2029',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\ud800',
  '\udfff',
];
/** What no escaped text may still hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters the test looks for
const RAW_HOSTILE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\p{Cs}/u;

describe('printable', () => {
  it('writes each control, bidi and separator character as a visible escape', () => {
    expect(HOSTILE.map(printable)).toEqual([
      '\\x00',
      '\\x07',
      '\\t',
      '\\n',
      '\\r',
      '\\x1b',
      '\\x7f',
      '\\x85',
      '\\x9b',
      '\\u061c',
      '\\u200e',
      '\\u200f',
      '\\u2028',
      '\\u2029',
      '\\u202a',
      '\\u202b',
      '\\u202c',
      '\\u202d',
      '\\u202e',
      '\\u2066',
      '\\u2067',
      '\\u2068',
      '\\u2069',
      '\\ud800',
      '\\udfff',
    ]);
    expect(printable(`${CLEAR_SCREEN}web`)).toBe('\\x1b[2Jweb');
    expect(printable(FORGED)).toBe('x\\nSummary: 0 non-compliant');
  });

  it('keeps everything else as written, backslashes, accents, emoji and CJK included, and is idempotent', () => {
    const ordinary = 'arn:aws:s3:::b/k\\x1b café 😀 東京 ‘quoted’ — ok';
    expect(printable(ordinary)).toBe(ordinary);
    const once = printable(`a${HOSTILE.join('')}b`);
    expect(once).not.toMatch(RAW_HOSTILE);
    expect(printable(once)).toBe(once);
  });
});

describe('Config annotations', () => {
  it('escape a tag value with a line break and a name with an escape sequence', () => {
    const annotation = buildAnnotation('NON_COMPLIANT', [
      { code: 'x', message: `CostCenter=${FORGED} not in [1234]` },
      { code: 'y', message: `group ${CLEAR_SCREEN}` },
    ]);
    expect(annotation).toBe('CostCenter=x\\nSummary: 0 non-compliant not in [1234]; group \\x1b[2J');
  });

  it('required-tags writes the escaped form for a tag value holding a line break', () => {
    const evaluation = judge(item({ CostCenter: FORGED }), { tag1Key: 'CostCenter', tag1Value: '1234' });
    expect(evaluation.annotation).toBe('CostCenter=x\\nSummary: 0 non-compliant not in [1234]');
    // The structured reason keeps the value exactly as AWS recorded it.
    expect(evaluation.reasons[0]?.details).toMatchObject({ value: FORGED });
  });
});

describe('SNS messages', () => {
  const notice: Notice = {
    kind: 'compliance-change',
    headline: 'turned NON_COMPLIANT',
    source: 'plumbline-required-tags',
    resource: {
      type: 'AWS::EC2::Instance',
      id: 'i-0123456789abcdef0',
      name: `${CLEAR_SCREEN}web\u202egnp`,
      accountId: '123456789012',
      region: 'us-east-1',
    },
    compliance: 'NON_COMPLIANT',
    previousCompliance: 'COMPLIANT',
    annotation: `CostCenter=${FORGED}`,
    changes: [`tagged ${FORGED}`],
    outcome: 'detected',
    when: '2024-05-14T10:07:31.512Z',
  };

  it('escape the subject (printable ASCII, one line) and every line of the email', () => {
    const formatted = formatNotice(notice);
    expect(formatted.subject).toBe(
      'Plumbline plumbline-required-tags: i-0123456789abcdef0 (\\x1b[2Jweb\\u202egnp) turned NON_COMPLIANT',
    );
    const { email = '', sms = '' } = JSON.parse(formatted.message) as Record<string, string>;
    const lines = email.split('\n');
    expect(lines).toContain('Finding:     CostCenter=x\\nSummary: 0 non-compliant');
    expect(lines).toContain('  - tagged x\\nSummary: 0 non-compliant');
    expect(lines[0]).toBe('i-0123456789abcdef0 (\\x1b[2Jweb\\u202egnp) turned NON_COMPLIANT');
    expect(lines.filter((line) => line.startsWith('Summary'))).toEqual([]);
    // Only the email's own line breaks remain; no value adds one.
    expect(email.replace(/\n/g, '')).not.toMatch(RAW_HOSTILE);
    expect(sms).not.toMatch(RAW_HOSTILE);
  });
});

describe('error messages and logs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
  });

  it('ParameterError and InputError messages hold no raw control or bidi character', () => {
    const error = new ParameterError(`tagPolicy.byResourceType.A\u202eB`, `x\u0085${CLEAR_SCREEN}`, 'bad');
    expect(error.message).toBe(
      'Invalid rule parameter tagPolicy.byResourceType.A\\u202eB="x\\x85\\u001b[2J": bad',
    );
    expect(new InputError(`snap\nshot.json: bad ${CLEAR_SCREEN}`).message).toBe(
      'snap\\nshot.json: bad \\x1b[2J',
    );
  });

  it('the Lambda logger escapes what JSON leaves raw (C1, bidi, U+2028) and keeps a stack’s lines', () => {
    expect(escapeLogText('bucket', `a\u202eb\u2028c\u0085`)).toBe('a\\u202eb\\u2028c\\x85');
    expect(escapeLogText('stack', 'Error: x\u202e\n    at f (a.ts:1:1)')).toBe(
      'Error: x\\u202e\n    at f (a.ts:1:1)',
    );
    expect(escapeLogText('count', 3)).toBe(3);

    let output = '';
    logger.setLogLevel('INFO');
    const capture = (chunk: unknown) => {
      output += String(chunk);
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    for (const method of ['log', 'info'] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => capture(args.join(' ')));
    logger.info('bucket excluded', { bucket: `b\u202eexe.txt`, name: FORGED });
    expect(output).toContain('"bucket":"b\\\\u202eexe.txt"');
    expect(output).toContain('"name":"x\\\\nSummary: 0 non-compliant"');
    expect(output).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2028\u2029]/);
  });
});
