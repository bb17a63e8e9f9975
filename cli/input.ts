/**
 * Reading what the user points the CLI at: snapshot files (plain or gzipped JSON, or folders of them, as
 * Config delivers them to S3) and the suite configuration (JSON or YAML). Every error names the file and,
 * where there is one, the field.
 */
import { constants as bufferConstants } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseDocument } from 'yaml';
import { InputError } from '../shared/core/model.ts';
import { type ItemReading, readItemsFromDocument } from '../shared/core/normalise.ts';
import { EMPTY_SUITE_CONFIG, parseSuiteConfig, type SuiteConfig } from '../shared/core/suite-config.ts';
import type { SourcedItem, SourcedUnreadable } from './scan.ts';

/**
 * The most text one file may hold: V8's longest string (2^29 - 24 characters). Until snapshots are read as
 * a stream, a file is parsed as one string, so a larger one cannot be read at all.
 */
export const MAX_TEXT_BYTES = bufferConstants.MAX_STRING_LENGTH;
/**
 * `--max-input-size` by default, and at most: about as much as one file can hold as text (the last 24 bytes
 * below 512 MiB are the string limit's, reported as such).
 */
export const MAX_INPUT_SIZE = 512 * 2 ** 20;
export const DEFAULT_MAX_INPUT_SIZE = MAX_INPUT_SIZE;

export interface InputLimits {
  /** The most bytes a file may hold, or expand to when gzipped (`--max-input-size`). */
  maxInputSize: number;
}

export const DEFAULT_LIMITS: InputLimits = { maxInputSize: DEFAULT_MAX_INPUT_SIZE };

/** A size in words: `512 MiB`, `64 KiB`, `100 bytes`. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
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

/**
 * Reads one snapshot file: gzip is recognised by its magic bytes, whatever the file is called. A file
 * larger than the limit, or expanding beyond it, is refused before it is read or expanded further. A
 * malformed item is returned among the unreadable ones; the file's other items are read.
 */
export function readSnapshotFile(
  file: string,
  cwd: string,
  limits: InputLimits = DEFAULT_LIMITS,
): SnapshotFileItems {
  const bytes = readBounded(file, cwd, limits);
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = decodeText(gzipped ? gunzip(bytes, file, limits) : bytes, file);
  const document = parseJson(text, file);
  const readings = readItems(document, file);
  // Line numbers point into the file as stored; a gzipped file has none a person could open.
  const lines = gzipped ? [] : itemStartLines(text);
  const result: SnapshotFileItems = { items: [], unreadable: [] };
  readings.forEach((reading, index) => {
    const location = { file, line: lines[index] };
    if (reading.item) result.items.push({ item: reading.item, location });
    else result.unreadable.push({ unreadable: reading.unreadable, location });
  });
  return result;
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

/** The items of a document; a shape error leads with the file name, then names the field. */
function readItems(document: unknown, file: string): ItemReading[] {
  try {
    return readItemsFromDocument(document, file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(withFile(error.message, file));
  }
}

/** A message that leads with the file name (once). */
function withFile(message: string, file: string): string {
  return message.startsWith(file) ? message : `${file}: ${message.replace(`${file}: `, '')}`;
}

/**
 * Expands a gzip file, stopping as soon as the output passes the limit (a gzip bomb never takes more
 * memory than the limit). Each failure says its cause: too large, cut short, or corrupt.
 */
function gunzip(bytes: Buffer, file: string, limits: InputLimits): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxInputSize });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputError(
        `${file}: the gzip file expands to more than ${limitText(limits)}; refused (a gzip bomb, or a snapshot to split into smaller files)`,
      );
    }
    if (code === 'Z_BUF_ERROR') {
      throw new InputError(`${file}: truncated gzip file (${message}): it ends early; download it again`);
    }
    throw new InputError(`${file}: corrupt gzip file (${message}); download it again`);
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

const ITEM_ARRAYS = new Set(['configurationItems', 'baseConfigurationItems', 'Results']);

/**
 * The 1-based line on which each element of the document's item array starts, found with a small scanner
 * (strings skipped, depth tracked), so reports can point at the item in the file.
 */
export function itemStartLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let lastKey: string | undefined;
  let inItemArray = false;
  let expectingElement = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\n') {
      line++;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r') continue;
    if (inItemArray && depth === 2 && expectingElement && char !== ']') {
      lines.push(line);
      expectingElement = false;
    }
    if (char === '"') {
      const end = stringEnd(text, index);
      if (depth === 1) lastKey = JSON.parse(text.slice(index, end + 1)) as string;
      index = end;
      continue;
    }
    if (char === '{' || char === '[') {
      depth++;
      if (depth === 2 && char === '[' && lastKey !== undefined && ITEM_ARRAYS.has(lastKey)) {
        inItemArray = true;
        expectingElement = true;
      }
    } else if (char === '}' || char === ']') {
      depth--;
      if (depth === 1) inItemArray = false;
    } else if (char === ',' && inItemArray && depth === 2) {
      expectingElement = true;
    }
  }
  return lines;
}

function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '"') return index;
  }
  return text.length - 1;
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
