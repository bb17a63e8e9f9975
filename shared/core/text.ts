/**
 * Text someone else controls (a resource name, a tag value, a policy statement id, an error from AWS) is
 * shown to people in terminals, Config annotations, emails and logs. Written raw, an escape sequence could
 * clear the screen, a line break forge a line ("Summary: 0 non-compliant"), a bidi override reverse what
 * is read. `printable` is the one place that makes such text inert, in a form that shows what was there.
 */

const NAMED_ESCAPES: Readonly<Record<number, string>> = { 9: '\\t', 10: '\\n', 13: '\\r' };

/**
 * Characters escaped: C0 controls (ESC, CR, LF, TAB…), DEL and C1 controls; the bidi embeddings, overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+061C, U+200E, U+200F); the line and paragraph
 * separators U+2028/U+2029; and lone surrogates, which no terminal can show.
 */
function isUnprintable(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

/** Every code unit `isUnprintable` may flag (surrogates by half, so pairs too): the fast check's net. */
const MAY_NEED_ESCAPE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/;

function escapeCode(code: number): string {
  const named = NAMED_ESCAPES[code];
  if (named !== undefined) return named;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The text with every character above written as an escape: `\x1b`, `\n`, `\r`, `\t`, `\x85`, `\u202e`.
 * Everything else, backslashes included, is kept as it is (so an ARN or a path reads unchanged, and the
 * function is idempotent): the escapes are for people, not to be decoded.
 */
export function printable(text: string): string {
  // Most text has nothing to escape: one scan for any candidate (a surrogate pair is one, falsely) first.
  if (!MAY_NEED_ESCAPE.test(text)) return text;
  let result = '';
  let changed = false;
  // for…of walks code points: a surrogate pair is one character, a lone surrogate one on its own.
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (isUnprintable(code)) {
      result += escapeCode(code);
      changed = true;
    } else {
      result += char;
    }
  }
  return changed ? result : text;
}
