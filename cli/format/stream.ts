/**
 * Reports written as results arrive: a writer takes each evaluation once, in the order the scan produces
 * them, and what it needs at the end (counts, the report's errors) only then. JSON, SARIF and JUnit keep
 * nothing per evaluation; the table and HTML keep the findings they list (see `retainingWriter`).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  errorResults,
  type ReportError,
  type ReportEvaluation,
  type ReportRule,
  type ReportSummary,
  type ScanReport,
  type ScanSource,
  type SkippedRule,
  summarise,
} from '../report.ts';

/** What a report says before any evaluation. */
export interface ReportHeader {
  version: string;
  generatedAt: string;
  source: ScanSource;
  rules: ReportRule[];
  /** Selected rules that will not run, each with its reason (known before the scan starts). */
  skipped?: readonly SkippedRule[] | undefined;
}

/** What a report says after the last evaluation. */
export interface ReportTotals {
  summary: ReportSummary;
  /** Rules refused and items no evaluation stands for. */
  errors: ReportError[];
  /** The evaluations of items that could not be read or judged (few; kept for the errors sections). */
  errorResults: ReportEvaluation[];
}

export interface ReportWriter {
  evaluation(evaluation: ReportEvaluation): void;
  end(totals: ReportTotals): void;
  /** Releases what the writer holds (temporary files) when the scan stops early. */
  abort?(): void;
}

export interface TextOut {
  write(text: string): void;
}

/** Where a report's text goes: written in large pieces, to the end. */
export interface ReportOutput extends TextOut {
  close(): void;
  abort(): void;
}

/**
 * A JSON document with one array written element by element: the document is given with a placeholder in
 * the array, whose text before and after it frames the elements, indented as `JSON.stringify` indents.
 */
export const ELEMENTS = '\u0000elements\u0000';

export function frame(document: unknown): { before: string; indent: string; after: string } {
  const text = JSON.stringify(document, null, 2);
  const marker = JSON.stringify(ELEMENTS);
  const at = text.indexOf(marker);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  return {
    before: text.slice(0, lineStart),
    indent: text.slice(lineStart, at),
    after: text.slice(at + marker.length),
  };
}

/**
 * The elements of a framed array, written as they come, one a line (a large report stays readable with
 * line tools): the text before them is written with the first one (so a run that fails before any result
 * has written nothing), the text after them by `close`.
 */
export class FramedArray {
  private count = 0;

  constructor(
    private readonly out: TextOut,
    private readonly before: string,
    private readonly indent: string,
  ) {}

  element(value: unknown): void {
    this.out.write(this.count === 0 ? this.before : ',\n');
    this.out.write(`${this.indent}${JSON.stringify(value)}`);
    this.count++;
  }

  /** `after`: the frame's text after the placeholder, from the document as it stands at the end. */
  close(after: string): void {
    if (this.count > 0) this.out.write(after);
    // No element: `[]` on the line that opened the array, as JSON.stringify prints it.
    else this.out.write(`${this.before.replace(/\n$/, '')}${after.replace(/^\n\s*\]/, ']')}`);
  }
}

/** Text kept aside until the end: in memory for a report rendered to a string, else in a temporary file. */
export interface Spool {
  write(text: string): void;
  drainTo(out: TextOut): void;
  dispose(): void;
}

export function memorySpool(): Spool {
  let parts: string[] = [];
  return {
    write: (text) => {
      parts.push(text);
    },
    drainTo: (out) => {
      for (const part of parts) out.write(part);
      parts = [];
    },
    dispose: () => {
      parts = [];
    },
  };
}

const SPOOL_BUFFER = 2 ** 20;

/** A spool in a temporary file (removed by `dispose`), written and read back in 1 MiB pieces. */
export function fileSpool(): Spool {
  const folder = mkdtempSync(join(tmpdir(), 'plumbline-spool-'));
  const path = join(folder, 'spool');
  const fd = openSync(path, 'w+');
  let pending: string[] = [];
  let pendingLength = 0;
  let size = 0;
  let closed = false;
  const flush = () => {
    if (pendingLength === 0) return;
    const bytes = Buffer.from(pending.join(''), 'utf8');
    writeSync(fd, bytes, 0, bytes.length, size);
    size += bytes.length;
    pending = [];
    pendingLength = 0;
  };
  const dispose = () => {
    if (!closed) closeSync(fd);
    closed = true;
    rmSync(folder, { recursive: true, force: true });
  };
  return {
    write(text) {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= SPOOL_BUFFER) flush();
    },
    drainTo(out) {
      flush();
      const buffer = Buffer.alloc(SPOOL_BUFFER);
      const decoder = new TextDecoder('utf8');
      for (let position = 0; position < size; ) {
        const read = readSync(fd, buffer, 0, buffer.length, position);
        if (read === 0) break;
        position += read;
        out.write(decoder.decode(buffer.subarray(0, read), { stream: true }));
      }
      out.write(decoder.decode());
    },
    dispose,
  };
}

/** A whole report through a writer, as one string (a report rendered at once, as tests render them). */
export function renderWhole(report: ScanReport, writerFor: (out: TextOut) => ReportWriter): string {
  const out = stringOutput();
  const writer = writerFor(out);
  for (const evaluation of report.evaluations) writer.evaluation(evaluation);
  writer.end({ summary: summarise(report), errors: report.errors, errorResults: errorResults(report) });
  return out.text();
}

/** Collects a report's text into a string (a report rendered whole, as tests and small outputs use). */
export function stringOutput(): ReportOutput & { text(): string } {
  const parts: string[] = [];
  return {
    write: (text) => {
      parts.push(text);
    },
    close: () => {},
    abort: () => {},
    text: () => parts.join(''),
  };
}

const OUTPUT_BUFFER = 2 ** 16;

/**
 * Text to a stream (standard output, a file) in pieces of `size` characters; a run that stops early has
 * written only whole pieces.
 */
export function bufferedOutput(target: TextOut, size = OUTPUT_BUFFER): ReportOutput {
  let pending: string[] = [];
  let length = 0;
  const flush = () => {
    if (length === 0) return;
    target.write(pending.join(''));
    pending = [];
    length = 0;
  };
  return {
    write(text) {
      pending.push(text);
      length += text.length;
      if (length >= size) flush();
    },
    close: flush,
    abort: () => {
      pending = [];
      length = 0;
    },
  };
}
