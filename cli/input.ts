/**
 * Reading what the user points the CLI at: snapshot files (plain or gzipped JSON, or folders of them, as
 * Config delivers them to S3) and the suite configuration (JSON or YAML). Every error names the file and,
 * where there is one, the field.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseDocument } from 'yaml';
import { InputError } from '../shared/core/model.ts';
import { itemsFromDocument } from '../shared/core/normalise.ts';
import { EMPTY_SUITE_CONFIG, parseSuiteConfig, type SuiteConfig } from '../shared/core/suite-config.ts';
import type { SourcedItem } from './scan.ts';

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

/** Reads one snapshot file: gzip is recognised by its magic bytes, whatever the file is called. */
export function readSnapshotFile(file: string, cwd: string): SourcedItem[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (error) {
    throw new InputError(`${file}: ${fileProblem(error)}`);
  }
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = gzipped ? gunzip(bytes, file) : bytes.toString('utf8');
  const document = parseJson(text, file);
  const items = readItems(document, file);
  // Line numbers point into the file as stored; a gzipped file has none a person could open.
  const lines = gzipped ? [] : itemStartLines(text);
  return items.map((item, index) => ({ item, location: { file, line: lines[index] } }));
}

/** The items of a document; a shape error leads with the file name, then names the field. */
function readItems(document: unknown, file: string) {
  try {
    return itemsFromDocument(document, file);
  } catch (error) {
    if (!(error instanceof InputError) || error.message.startsWith(file)) throw error;
    throw new InputError(`${file}: ${error.message.replace(`${file}: `, '')}`);
  }
}

function gunzip(bytes: Buffer, file: string): string {
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    const reason = (error as Error).message;
    const truncated = /unexpected end/i.test(reason);
    throw new InputError(
      `${file}: ${truncated ? 'truncated gzip file' : 'corrupt gzip file'} (${reason}); download it again`,
    );
  }
}

function parseJson(text: string, file: string): unknown {
  if (text.trim() === '') throw new InputError(`${file}: the file is empty`);
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
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
): SuiteConfig {
  if (file === undefined) return EMPTY_SUITE_CONFIG;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new InputError(`${file}: ${fileProblem(error)}`);
  }
  return parseSuiteConfig(parseConfigText(text, file), file, knownRules);
}

function parseConfigText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') return parseJson(text, file);
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first] = document.errors;
  if (first !== undefined) {
    throw new InputError(`${file}: not valid YAML: ${first.message.split('\n')[0]?.replace(/:$/, '')}`);
  }
  const value: unknown = document.toJS();
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new InputError(`${file}: expected a mapping with a "rules" key, got ${JSON.stringify(value)}`);
  }
  return value;
}
