/**
 * Reading what the user points the CLI at: snapshot files (plain or gzipped JSON, or folders of them, as
 * Config delivers them to S3) and the suite configuration (JSON or YAML). Every error names the file and,
 * where there is one, the field.
 */
import { constants as bufferConstants } from 'node:buffer';
import {
  closeSync,
  createReadStream,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { parseDocument } from 'yaml';
import { InputError } from '../shared/core/model.ts';
import { EMPTY_SUITE_CONFIG, parseSuiteConfig, type SuiteConfig } from '../shared/core/suite-config.ts';
import type { SourcedItem, SourcedUnreadable } from './scan.ts';
import { ItemLineTracker, SnapshotDocumentReader } from './snapshot-reader.ts';
import { decodedPieces } from './text-pieces.ts';

/**
 * The most text a configuration file may hold: V8's longest string (2^29 - 24 characters). Snapshots are
 * read as a stream and have no such limit.
 */
export const MAX_TEXT_BYTES = bufferConstants.MAX_STRING_LENGTH;
/**
 * `--max-input-size` by default: what one snapshot file may hold, or expand to when gzipped. Snapshots are
 * streamed, so this bounds time and disk rather than memory; 4 GiB is about 5 million items of a Config
 * snapshot (840 MiB a million in the benchmark; a large account holds tens of thousands), while a gzip bomb
 * still stops early (about two minutes of scanning at the rate measured).
 */
export const DEFAULT_MAX_INPUT_SIZE = 4 * 2 ** 30;
/** The most `--max-input-size` takes. */
export const MAX_INPUT_SIZE = 2 ** 40;

export interface InputLimits {
  /**
   * The most bytes a file may hold, or expand to when gzipped (`--max-input-size`), counted while it is
   * streamed: the stream stops as soon as it passes the limit.
   */
  maxInputSize: number;
}

export const DEFAULT_LIMITS: InputLimits = { maxInputSize: DEFAULT_MAX_INPUT_SIZE };

/** A size in words: `512 MiB`, `64 KiB`, `100 bytes`. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

function limitText(limits: InputLimits): string {
  return `the ${formatSize(limits.maxInputSize)} limit (--max-input-size)`;
}

const SNAPSHOT_FILE = /\.json(\.gz)?$/i;

/** Expands folders into the snapshot files they hold (recursively, sorted); files are kept as named. */
export function snapshotFiles(paths: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch (error) {
      throw new InputError(`${path}: ${fileProblem(error)}`);
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const found = walk(absolute)
      .filter((file) => SNAPSHOT_FILE.test(file))
      .map((file) => join(path, relative(absolute, file)));
    if (found.length === 0) throw new InputError(`${path}: folder holds no .json or .json.gz snapshot file`);
    files.push(...found);
  }
  return files;
}

function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.isFile() ? [path] : [];
    });
}

/** The items of one snapshot file, and those that could not be read (each with where it is). */
export interface SnapshotFileItems {
  items: SourcedItem[];
  unreadable: SourcedUnreadable[];
}

/** One item of a snapshot as read, or why it could not be read, with where it is. */
export type SnapshotEntry = SourcedItem | SourcedUnreadable;

/**
 * Reads one snapshot file whole: {@link streamSnapshotFile} collecting what it reads, for small inputs and
 * tests. The scan itself streams.
 */
export async function readSnapshotFile(
  file: string,
  cwd: string,
  limits: InputLimits = DEFAULT_LIMITS,
): Promise<SnapshotFileItems> {
  const result: SnapshotFileItems = { items: [], unreadable: [] };
  await streamSnapshotFile(file, cwd, limits, (entry) => {
    if ('item' in entry) result.items.push(entry);
    else result.unreadable.push(entry);
  });
  return result;
}

/** What a stream of one file has read so far, for a progress line. */
export interface StreamProgress {
  file: string;
  items: number;
  bytes: number;
}

/** Plain JSON at most this large is parsed once more after a syntax error, for V8's exact position. */
const REPARSE_FOR_POSITION = 64 * 2 ** 20;

const READ_CHUNK = 2 ** 20;

/**
 * Streams one snapshot file, handing each item to `visit` as soon as it is read: gzip is recognised by its
 * magic bytes, whatever the file is called. A plain file larger than the limit is refused before it is
 * read; a gzip stream stops as soon as it expands past the limit (a gzip bomb never takes more than a few
 * chunks of memory). A malformed item is handed on as unreadable and the file's other items are read; a
 * file that cannot be read (missing, corrupt or truncated gzip, not JSON, wrong shape) throws an
 * {@link InputError} naming the file and the cause, after the items read before the problem.
 */
export async function streamSnapshotFile(
  file: string,
  cwd: string,
  limits: InputLimits,
  visit: (entry: SnapshotEntry) => void,
  onProgress?: (progress: StreamProgress) => void,
): Promise<void> {
  const path = resolve(cwd, file);
  const size = fileSize(path, file);
  if (size > limits.maxInputSize) {
    throw new InputError(`${file}: the file holds ${formatSize(size)}, more than ${limitText(limits)}`);
  }
  const gzipped = startsWithGzipMagic(path, file);
  const reader = new SnapshotDocumentReader(file, !gzipped, (reading, line) => {
    const location = { file, line };
    if (reading.item) visit({ item: reading.item, location });
    else visit({ unreadable: reading.unreadable, location });
  });
  const input = createReadStream(path, { highWaterMark: READ_CHUNK });
  const source: Readable = gzipped ? pipeline(input, createGunzip({ chunkSize: 2 ** 17 }), () => {}) : input;
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let first = true;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limits.maxInputSize) {
        source.destroy();
        throw new InputError(
          gzipped
            ? `${file}: the gzip file expands to more than ${limitText(limits)}; refused (a gzip bomb, or a snapshot to split into smaller files)`
            : `${file}: the file holds more than ${limitText(limits)}`,
        );
      }
      for (let text of decodedPieces(decoder, chunk)) {
        if (first && text.length > 0) {
          first = false;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        }
        reader.feed(text);
      }
      onProgress?.({ file, items: reader.items, bytes });
    }
    reader.feed(decoder.end());
    reader.end();
  } catch (error) {
    source.destroy();
    throw streamProblem(error, file, gzipped, size, path);
  }
}

function fileSize(path: string, file: string): number {
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return stats.size;
  } catch (error) {
    throw new InputError(`${file}: ${fileProblem(error)}`);
  }
}

function startsWithGzipMagic(path: string, file: string): boolean {
  const magic = Buffer.alloc(2);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const read = readSync(fd, magic, 0, 2, 0);
    return read === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } catch (error) {
    throw new InputError(`${file}: ${fileProblem(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The cause of a failed stream, as the user can act on it: too large, a gzip file cut short or corrupt, a
 * file that cannot be read, or a JSON syntax error (with V8's exact position when the file is small enough
 * to parse once more).
 */
function streamProblem(error: unknown, file: string, gzipped: boolean, size: number, path: string): Error {
  if (error instanceof InputError) {
    if (!gzipped && size <= REPARSE_FOR_POSITION && error.message.startsWith(`${file}: not valid JSON:`)) {
      return exactJsonProblem(path, file) ?? error;
    }
    return error;
  }
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'Z_BUF_ERROR') {
    return new InputError(`${file}: truncated gzip file (${message}): it ends early; download it again`);
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new InputError(`${file}: corrupt gzip file (${message}); download it again`);
  }
  if (typeof code === 'string') return new InputError(`${file}: ${fileProblem(error)}`);
  return error instanceof Error ? error : new Error(String(error));
}

/** V8's own message for a small plain file that is not JSON, with the position it leaves out. */
function exactJsonProblem(path: string, file: string): InputError | undefined {
  try {
    parseJson(readFileSync(path, 'utf8'), file);
    return undefined;
  } catch (error) {
    return error instanceof InputError ? error : undefined;
  }
}

/** The file's bytes, refusing (before reading it) a file larger than the limit. */
function readBounded(file: string, cwd: string, limits: InputLimits): Buffer {
  const path = resolve(cwd, file);
  try {
    const { size } = statSync(path);
    if (size > limits.maxInputSize) {
      throw new InputError(`${file}: the file holds ${formatSize(size)}, more than ${limitText(limits)}`);
    }
    return readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: ${fileProblem(error)}`);
  }
}

/** The bytes as UTF-8 text; more text than one JavaScript string holds is named as such. */
function decodeText(bytes: Buffer, file: string): string {
  try {
    return bytes.toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') throw error;
    throw new InputError(
      `${file}: ${formatSize(bytes.length)} of text is more than one file can hold (${formatSize(MAX_TEXT_BYTES)}, the JavaScript string limit); split it into smaller files`,
    );
  }
}

function parseJson(text: string, file: string): unknown {
  if (text.trim() === '') throw new InputError(`${file}: the file is empty`);
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON: ${jsonProblem((error as Error).message, json)}`);
  }
}

/**
 * V8's JSON message, with the position where V8 leaves it out: the end of the text when it is cut short, or,
 * for an unexpected character, the place V8's excerpt of the text shows (up to 10 characters either side).
 */
function jsonProblem(message: string, text: string): string {
  if (/at position \d+/.test(message)) return message;
  if (message === 'Unexpected end of JSON input') {
    return `${message} at ${lineColumn(text, text.length)}: the text ends early (a file cut short?)`;
  }
  const position = unexpectedTokenPosition(message, text);
  return position === undefined ? message : `${message} at ${lineColumn(text, position)}`;
}

const CONTEXT = 10;

function unexpectedTokenPosition(message: string, text: string): number | undefined {
  const match = /^Unexpected token '.+', (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/s.exec(message);
  if (match === null) return undefined;
  const [, before, excerpt = '', after] = match;
  // The excerpt starts the text (no leading ...), ends it (no trailing ...), or is found once inside it.
  if (before === undefined && after !== undefined) return excerpt.length - CONTEXT;
  if (before !== undefined && after === undefined) return text.length - excerpt.length + CONTEXT;
  if (before === undefined) return undefined;
  const start = text.indexOf(excerpt);
  if (start < 0 || text.indexOf(excerpt, start + 1) >= 0) return undefined;
  return start + CONTEXT;
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `position ${position} (line ${line} column ${column})`;
}

function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return (error as Error).message;
}

/**
 * The 1-based line on which each element of the document's item array starts (see {@link ItemLineTracker},
 * which the stream feeds piece by piece).
 */
export function itemStartLines(text: string): number[] {
  const tracker = new ItemLineTracker();
  tracker.feed(text);
  return tracker.rest();
}

/**
 * The suite configuration: `.json` files parse as JSON, anything else as YAML (a superset of JSON). Without
 * a file, every rule runs with its defaults.
 */
export function loadSuiteConfig(
  file: string | undefined,
  cwd: string,
  knownRules: readonly string[],
  limits: InputLimits = DEFAULT_LIMITS,
): SuiteConfig {
  if (file === undefined) return EMPTY_SUITE_CONFIG;
  const text = decodeText(readBounded(file, cwd, limits), file);
  return parseSuiteConfig(parseConfigText(text, file), file, knownRules);
}

function parseConfigText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') return parseJson(text, file);
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first] = document.errors;
  if (first !== undefined) {
    throw new InputError(`${file}: not valid YAML: ${first.message.split('\n')[0]?.replace(/:$/, '')}`);
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // The yaml library refuses a document whose aliases expand too far (its maxAliasCount): an alias bomb.
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    throw new InputError(
      `${file}: not valid YAML: its aliases expand too far (${error.message}; the yaml library's maxAliasCount is 100); refused`,
    );
  }
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new InputError(`${file}: expected a mapping with a "rules" key, got ${JSON.stringify(value)}`);
  }
  return value;
}
