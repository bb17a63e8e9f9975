/**
 * The shortcuts taken on the per-item path of a scan (BENCHMARKS.md › Offline snapshot scan), each against
 * the plain computation it skips: the same answer over generated input, hostile text included.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteBuffered, fileOutput } from '../../cli/outputs.ts';
import { TRUNCATION_MARKER, truncate } from '../../shared/core/annotation.ts';
import { parseCidr } from '../../shared/core/cidr.ts';
import { captureTime } from '../../shared/core/normalise.ts';
import { printable } from '../../shared/core/text.ts';
import { isReservedKey } from '../../shared/rules/required-tags/tags.ts';

/** Text with what printable() escapes, astral characters, surrogate halves and plain ASCII mixed. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('\u0000', '\u001b', '\n', '\u0085', '\u061c', '\u200f', '\u2028', '\u202e', '\u2069'),
      fc.constantFrom('\ud83d\ude00', '\ud800', '\udfff', 'é', '中', '\u2027', '\u202f', '\u206a'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** printable() as it was before its one-scan shortcut: every code point looked at. */
function printableByCodePoint(text: string): string {
  let result = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const unprintable =
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x061c ||
      code === 0x200e ||
      code === 0x200f ||
      (code >= 0x2028 && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069) ||
      (code >= 0xd800 && code <= 0xdfff);
    result += unprintable ? `<${code}>` : char;
  }
  return result;
}

describe('printable: the shortcut for text with nothing to escape', () => {
  it('returns the very text exactly when nothing in it needs escaping', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const clean = printableByCodePoint(text) === text;
        expect(printable(text) === text).toBe(clean);
        // Whatever the path, nothing escapable is left.
        expect(printableByCodePoint(printable(text))).toBe(printable(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('still escapes a lone surrogate and keeps a pair', () => {
    expect(printable('a\ud800b')).toBe('a\\ud800b');
    expect(printable('a\ud83d\ude00b')).toBe('a\ud83d\ude00b');
  });
});

/** truncate() as it was: counted in code points every time. */
function truncateByCodePoint(text: string, limit: number): string {
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  const room = limit - Array.from(TRUNCATION_MARKER).length;
  let cut = chars.slice(0, room).join('');
  const boundary = cut.lastIndexOf('; ');
  if (boundary > room / 2) cut = cut.slice(0, boundary);
  return `${cut}${TRUNCATION_MARKER}`;
}

describe('truncate: the shortcut for text already short enough', () => {
  it('gives what counting code points gives, astral characters included', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 20, max: 40 }), (text, limit) => {
        expect(truncate(text, limit)).toBe(truncateByCodePoint(text, limit));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('captureTime: a time already in toISOString form is kept', () => {
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  /** Config's form with every field over its range and past it (month 13, day 31 in April, hour 24…). */
  const configTime = fc
    .tuple(
      fc
        .constantFrom(0, 1600, 1900, 1970, 2000, 2023, 2024, 2100, 9999)
        .map((y) => String(y).padStart(4, '0')),
      two(14),
      two(32),
      two(25),
      two(61),
      two(61),
      fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
    )
    .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);

  it('answers as parsing and printing it does, for every text Date reads', () => {
    fc.assert(
      fc.property(configTime, (text) => {
        if (Number.isNaN(Date.parse(text))) return;
        expect(captureTime(text)).toBe(new Date(text).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('answers as Date does for the form with any one character changed (separators, digits, letters)', () => {
    const mutated = fc
      .tuple(
        configTime,
        fc.integer({ min: 0, max: 24 }),
        fc.constantFrom('-', ':', 'T', 't', 'a', '9', '0', '+', ' ', '.', 'Z', 'z', '\u0663', '/', ''),
      )
      .map(([text, at, char]) => text.slice(0, at) + char + text.slice(at + 1));
    fc.assert(
      fc.property(mutated, (text) => {
        if (Number.isNaN(Date.parse(text))) expect(() => captureTime(text)).toThrow(RangeError);
        else expect(captureTime(text)).toBe(new Date(text).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('rolls over what Date rolls over, and keeps what is already right', () => {
    expect(captureTime('2024-02-30T10:00:00.000Z')).toBe('2024-03-01T10:00:00.000Z');
    expect(captureTime('2023-02-29T10:00:00.000Z')).toBe('2023-03-01T10:00:00.000Z');
    expect(captureTime('2100-02-29T10:00:00.000Z')).toBe('2100-03-01T10:00:00.000Z');
    expect(captureTime('2024-01-31T24:00:00.000Z')).toBe('2024-02-01T00:00:00.000Z');
    expect(captureTime('2000-02-29T23:59:59.999Z')).toBe('2000-02-29T23:59:59.999Z');
    expect(captureTime('2024-05-14T10:07:31.512+02:00')).toBe('2024-05-14T08:07:31.512Z');
    expect(captureTime(1715681251.512)).toBe('2024-05-14T10:07:31.512Z');
    // Not a time at all: refused as before (the item's validation never lets one through to here).
    expect(() => captureTime('2024-13-01T00:00:00.000Z')).toThrow(RangeError);
    expect(() => captureTime('2024-00-10T00:00:00.000Z')).toThrow(RangeError);
  });
});

describe('parseCidr: parsed blocks remembered', () => {
  it('answers a repeated text as the first time, and its answer cannot be changed by a caller', () => {
    const first = parseCidr(' 10.0.0.1/8 ');
    expect(first).toEqual({ family: 4, prefix: 8, canonical: '10.0.0.0/8', hostBitsSet: true });
    expect(parseCidr(' 10.0.0.1/8 ')).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(parseCidr('10.0.0.256/8')).toBeUndefined();
    expect(parseCidr('10.0.0.256/8')).toBeUndefined();
    // Text longer than any CIDR (blanks around one, or a hostile megabyte) is still answered; it is not kept.
    const long = `${' '.repeat(100)}10.0.0.0/8`;
    expect(parseCidr(long)?.canonical).toBe('10.0.0.0/8');
    expect(parseCidr(long)?.canonical).toBe('10.0.0.0/8');
  });

  it('stays right past its bound (more distinct blocks than it keeps)', () => {
    const texts = Array.from({ length: 5000 }, (_, index) => `10.${index >> 8}.${index & 255}.0/24`);
    for (const text of texts) expect(parseCidr(text)?.canonical).toBe(text);
    expect(parseCidr(texts[0] as string)?.canonical).toBe(texts[0]);
    expect(parseCidr('2001:db8::1/32')).toEqual({
      family: 6,
      prefix: 32,
      canonical: '2001:db8::/32',
      hostBitsSet: true,
    });
  });
});

describe('required-tags: reserved keys found without lowercasing every key', () => {
  it('says a key is reserved exactly when lowercasing it gives a text beginning with aws:', () => {
    // Every case of a, w and s, characters that lowercase to ASCII letters (K Kelvin, İ), long s, and junk.
    const near = fc
      .array(
        fc.constantFrom('a', 'A', 'w', 'W', 's', 'S', ':', '\u212a', '\u0130', '\u017f', 'ａ', 'x', ''),
        { maxLength: 5 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          near,
          hostileText,
          near.map((head) => `${head}:tail`),
        ),
        (key) => {
          expect(isReservedKey(key)).toBe(key.toLowerCase().startsWith('aws:'));
        },
      ),
      { numRuns: 5000 },
    );
    expect(['aws:x', 'AWS:x', 'aWs:', 'Aws:cloudformation:stack-name'].map(isReservedKey)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['aws', 'aws-x', 'xaws:', '\u017fws:'].map(isReservedKey)).toEqual([false, false, false, false]);
  });
});

describe('report files: text encoded into one reused buffer', () => {
  it('writes every piece in order, multibyte text and pieces larger than the buffer included', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 20, arbitrary: hostileText },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                'é'.repeat(400_000),
                '\ud83d\ude00'.repeat(200_000),
                'x'.repeat(2 ** 20 + 1),
              ),
            },
          ),
          { maxLength: 30 },
        ),
        (pieces) => {
          const path = join(mkdtempSync(join(tmpdir(), 'plumbline-out-')), 'report.json');
          const out = fileOutput(path, 'report.json', 'json');
          for (const piece of pieces) out.write(piece);
          out.close();
          const expected = Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'utf8')));
          const written = readFileSync(path);
          // Buffer.equals: a byte-by-byte toEqual of megabytes takes seconds.
          expect(written.length).toBe(expected.length);
          expect(written.equals(expected)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('hands on the bytes of every piece, whole, at any buffer size (pieces straddling its end)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 64 }),
        fc.array(hostileText, { maxLength: 40 }),
        (size, pieces) => {
          const chunks: Buffer[] = [];
          const out = byteBuffered((bytes) => chunks.push(Buffer.from(bytes)), size);
          for (const piece of pieces) out.write(piece);
          out.close();
          // Each piece is encoded on its own, as writing it alone would (half a surrogate pair in one piece
          // is U+FFFD, as UTF-8 has it; a report's pieces are whole JSON or printable() text, no lone halves).
          const expected = Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'utf8')));
          expect(Buffer.concat(chunks).toString('hex')).toBe(expected.toString('hex'));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
