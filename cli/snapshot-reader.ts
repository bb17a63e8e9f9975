/**
 * A snapshot document read as a stream of text: stream-json tokenises it, and each element of the item array
 * (`configurationItems` or `baseConfigurationItems`) is assembled, read and handed on alone, so memory holds
 * one item at a time whatever the file's size. Other top-level values (`fileVersion`, `QueryInfo`, a
 * select-resource-config `Results` array, whose checks need the `QueryInfo` printed after it) are kept and
 * checked at the end, with the same errors as reading the whole document at once.
 */
import Assembler from 'stream-json/assembler.js';
import { jsonParser, type Token } from 'stream-json/parser.js';
import { InputError } from '../shared/core/model.ts';
import { type ItemReading, readConfigurationItem, readItemsFromDocument } from '../shared/core/normalise.ts';

/** The keys whose array holds the items, as each supported file shape names it. */
export const ITEM_ARRAYS: ReadonlySet<string> = new Set([
  'configurationItems',
  'baseConfigurationItems',
  'Results',
]);

/** Item arrays read element by element; `Results` rows wait for `QueryInfo` (see above). */
const STREAMED_ARRAYS: ReadonlySet<string> = new Set(['configurationItems', 'baseConfigurationItems']);

const NOT_AN_OBJECT = 'expected a JSON object with configurationItems, baseConfigurationItems or Results';

/** One item as read, with the line its element starts on (plain JSON only). */
export type ReadingVisitor = (reading: ItemReading, line: number | undefined) => void;

/**
 * The 1-based line on which each element of the document's item array starts, found with a small scanner
 * fed the text piece by piece (strings skipped, depth tracked), so reports can point at the item in the file.
 */
export class ItemLineTracker {
  /** The line the scanner has reached. */
  line = 1;
  private depth = 0;
  private lastKey: string | undefined;
  private inItemArray = false;
  private expectingElement = false;
  private inString = false;
  private escaped = false;
  private stringText = '';
  private starts: number[] = [];
  private head = 0;

  feed(text: string): void {
    for (let index = 0; index < text.length; index++) {
      const char = text[index];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === '\\') this.escaped = true;
        else if (char === '"') {
          this.inString = false;
          if (this.depth === 1) this.lastKey = keyOf(this.stringText);
          continue;
        }
        // Only depth-1 strings can name the item array; a longer one names none of them.
        if (this.depth === 1 && this.stringText.length <= 64) this.stringText += char;
        continue;
      }
      if (char === '\n') {
        this.line++;
        continue;
      }
      if (char === ' ' || char === '\t' || char === '\r') continue;
      if (this.inItemArray && this.depth === 2 && this.expectingElement && char !== ']') {
        this.starts.push(this.line);
        this.expectingElement = false;
      }
      if (char === '"') {
        this.inString = true;
        this.stringText = '';
      } else if (char === '{' || char === '[') {
        this.depth++;
        if (this.depth === 2 && char === '[' && this.lastKey !== undefined && ITEM_ARRAYS.has(this.lastKey)) {
          this.inItemArray = true;
          this.expectingElement = true;
        }
      } else if (char === '}' || char === ']') {
        this.depth--;
        if (this.depth === 1) this.inItemArray = false;
      } else if (char === ',' && this.inItemArray && this.depth === 2) {
        this.expectingElement = true;
      }
    }
  }

  /** The start line of the next element not yet taken. */
  next(): number | undefined {
    const line = this.starts[this.head];
    if (line === undefined) return undefined;
    this.head++;
    if (this.head > 4096 && this.head * 2 > this.starts.length) {
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
    return line;
  }

  /** Every start line not yet taken. */
  rest(): number[] {
    const rest = this.starts.slice(this.head);
    this.head = this.starts.length;
    return rest;
  }
}

function keyOf(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

/** The tokens one call of the parser produced (stream-chain's `many`, or `none`). */
function tokensOf(result: unknown): readonly Token[] {
  if (typeof result === 'object' && result !== null && 'values' in result) {
    return (result as { values: Token[] }).values;
  }
  return [];
}

function scalarOf(token: Token): { value: unknown } | undefined {
  switch (token.name) {
    case 'stringValue':
      return { value: token.value };
    case 'numberValue':
      return { value: Number.parseFloat(token.value) };
    case 'nullValue':
      return { value: null };
    case 'trueValue':
      return { value: true };
    case 'falseValue':
      return { value: false };
    default:
      return undefined;
  }
}

/**
 * Reads one snapshot document fed as text: each item is read and passed to `visit` as soon as its element
 * ends. `end()` checks the document was whole and its other fields, and reads a `Results` array. Errors
 * name the file (and the field), as reading the whole document at once does.
 */
export class SnapshotDocumentReader {
  private readonly parse = jsonParser({ packValues: true, streamValues: false });
  private readonly assembler = new Assembler();
  private readonly lines: ItemLineTracker | undefined;
  private depth = 0;
  private started = false;
  private closed = false;
  private key = '';
  private itemsKey: string | undefined;
  private index = 0;
  private assembling: 'item' | 'field' | undefined;
  private readonly fields: Record<string, unknown> = {};

  /**
   * @param file names the file in errors and item problems.
   * @param withLines track the line each item starts on (a gzipped file has none a person could open).
   */
  constructor(
    private readonly file: string,
    withLines: boolean,
    private readonly visit: ReadingVisitor,
  ) {
    this.lines = withLines ? new ItemLineTracker() : undefined;
  }

  /** The number of items read so far. */
  get items(): number {
    return this.index;
  }

  feed(text: string): void {
    const firstLine = this.lines?.line;
    this.lines?.feed(text);
    let tokens: readonly Token[];
    try {
      tokens = tokensOf(this.parse(text));
    } catch (error) {
      const where = firstLine === undefined ? '' : ` (between lines ${firstLine} and ${this.lines?.line})`;
      throw new InputError(`${this.file}: not valid JSON: ${(error as Error).message}${where}`);
    }
    for (const token of tokens) this.consume(token);
  }

  end(): void {
    // A number at the very end is only known to be whole once something follows it.
    this.feed('\n');
    if (!this.started) throw new InputError(`${this.file}: the file is empty`);
    if (!this.closed) {
      throw new InputError(
        `${this.file}: not valid JSON: the text ends early${this.lines ? ` at line ${this.lines.line}` : ''} (a file cut short?)`,
      );
    }
    if (this.itemsKey !== undefined) {
      // The other fields, checked as a whole document's are (an item array of none stands for the items).
      this.readDocument({ ...this.fields, [this.itemsKey]: [] });
      return;
    }
    const readings = this.readDocument(this.fields);
    const lines = this.lines?.rest() ?? [];
    readings.forEach((reading, index) => {
      this.index++;
      this.visit(reading, lines[index]);
    });
  }

  private readDocument(document: Record<string, unknown>): ItemReading[] {
    try {
      return readItemsFromDocument(document, this.file);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError(withFile(error.message, this.file));
    }
  }

  private consume(token: Token): void {
    if (this.assembling !== undefined) {
      this.assembler.consume(token);
      if (this.assembler.done) this.assembled(this.assembler.current);
      return;
    }
    if (this.depth === 0) {
      if (token.name !== 'startObject') throw new InputError(`${this.file}: ${NOT_AN_OBJECT}`);
      this.started = true;
      this.depth = 1;
      return;
    }
    if (this.depth === 1) {
      this.topLevel(token);
      return;
    }
    // depth 2: inside the item array.
    if (token.name === 'endArray') {
      this.depth = 1;
      return;
    }
    this.element(token, 'item');
  }

  private topLevel(token: Token): void {
    if (token.name === 'keyValue') {
      this.key = token.value;
      return;
    }
    if (token.name === 'endObject') {
      this.depth = 0;
      this.closed = true;
      return;
    }
    if (token.name === 'startArray' && STREAMED_ARRAYS.has(this.key)) {
      if (this.itemsKey !== undefined) {
        throw new InputError(
          `${this.file}: holds both ${this.itemsKey} and ${this.key}; expected one array of items`,
        );
      }
      this.itemsKey = this.key;
      this.depth = 2;
      return;
    }
    this.element(token, 'field');
  }

  /** The start of a value: a scalar is whole at once, an object or array is assembled token by token. */
  private element(token: Token, kind: 'item' | 'field'): void {
    const scalar = scalarOf(token);
    if (scalar !== undefined) {
      this.assembled(scalar.value, kind);
      return;
    }
    this.assembling = kind;
    this.assembler.consume(token);
  }

  private assembled(value: unknown, kind = this.assembling): void {
    this.assembling = undefined;
    if (kind === 'field') {
      this.fields[this.key] = value;
      return;
    }
    const line = this.lines?.next();
    const reading = readConfigurationItem(value, `${this.itemsKey}[${this.index}]`);
    this.index++;
    this.visit(reading, line);
  }
}

/** A message that leads with the file name (once). */
export function withFile(message: string, file: string): string {
  return message.startsWith(file) ? message : `${file}: ${message.replace(`${file}: `, '')}`;
}
