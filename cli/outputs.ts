/**
 * Where the reports go: checked before the scan, so that a report never overwrites an input (a snapshot
 * file or the configuration file, through whatever link) or another report, and a missing folder is named
 * rather than created.
 */
import { closeSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../shared/core/model.ts';
import type { ScanCommand } from './args.ts';
import type { ReportOutput } from './format/stream.ts';
import { UsageError } from './io.ts';

interface NamedPath {
  /** How the command line gave it, e.g. `--html s.json`. */
  label: string;
  file: string;
}

/**
 * Refuses an output path that is an input path or another output's path (compared after resolving links,
 * and by device and inode, so hard links count too), and one whose folder does not exist.
 */
export function checkOutputPaths(
  command: Pick<ScanCommand, 'output' | 'extraReports' | 'config'>,
  snapshotFiles: readonly string[],
  cwd: string,
): void {
  const outputs: NamedPath[] = [
    ...(command.output === undefined ? [] : [{ label: `--output ${command.output}`, file: command.output }]),
    ...command.extraReports.map(({ format, file }) => ({ label: `--${format} ${file}`, file })),
  ];
  const inputs: NamedPath[] = [
    ...snapshotFiles.map((file) => ({ label: `--snapshot ${file}`, file })),
    ...(command.config === undefined ? [] : [{ label: `--config ${command.config}`, file: command.config }]),
  ];
  const inputIdentities = new Map<string, NamedPath>();
  for (const input of inputs) {
    for (const identity of identities(resolve(cwd, input.file))) inputIdentities.set(identity, input);
  }
  const outputIdentities = new Map<string, NamedPath>();
  for (const output of outputs) {
    const path = resolve(cwd, output.file);
    const folder = dirname(path);
    if (!isFolder(folder)) {
      throw new UsageError(
        `${output.label}: the folder ${dirname(output.file)} does not exist (create it first)`,
        'scan',
      );
    }
    for (const identity of identities(path)) {
      const input = inputIdentities.get(identity);
      if (input !== undefined) {
        throw new UsageError(
          `${output.label} would overwrite an input (${input.label}); choose another file`,
          'scan',
        );
      }
      const other = outputIdentities.get(identity);
      if (other !== undefined) {
        throw new UsageError(
          `${output.label} and ${other.label} are the same file; choose two files`,
          'scan',
        );
      }
    }
    for (const identity of identities(path)) outputIdentities.set(identity, output);
  }
}

/**
 * The names a path goes by: its real path (links resolved; for a file not yet there, its folder's real path
 * and its name) and, when it exists, its device and inode.
 */
function identities(path: string): string[] {
  try {
    const stats = statSync(path);
    return [`path:${realpathSync(path)}`, `inode:${stats.dev}:${stats.ino}`];
  } catch {
    try {
      return [`path:${join(realpathSync(dirname(path)), basename(path))}`];
    } catch {
      return [`path:${path}`];
    }
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const FILE_BUFFER = 2 ** 20;

/**
 * Text encoded straight into one reused buffer and handed on as bytes when it is full: a report is many
 * small pieces, and joining them into strings before encoding them cost more than the writing.
 */
export function byteBuffered(
  writeBytes: (bytes: Buffer) => void,
  size: number,
): { write(text: string): void; close(): void } {
  const buffer = Buffer.allocUnsafe(size);
  let used = 0;
  const flush = () => {
    if (used > 0) writeBytes(buffer.subarray(0, used));
    used = 0;
  };
  return {
    write(text) {
      // UTF-8 takes at most 3 bytes a UTF-16 code unit.
      if (text.length * 3 > size - used) {
        flush();
        if (text.length * 3 > size) {
          writeBytes(Buffer.from(text, 'utf8'));
          return;
        }
      }
      used += buffer.write(text, used, 'utf8');
    },
    close: flush,
  };
}

/**
 * A report file written as the scan goes: into a temporary file beside it, renamed over the report at the
 * end, so a scan that stops early leaves no half-written report (nor an old one it would seem to be).
 */
export function fileOutput(path: string, file: string, format: string): ReportOutput {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  const failure = (error: unknown) =>
    new InputError(`${file}: cannot write the ${format} report: ${(error as Error).message}`);
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (error) {
    throw failure(error);
  }
  let open = true;
  const buffered = byteBuffered((bytes) => {
    try {
      for (let written = 0; written < bytes.length; ) {
        written += writeSync(fd, bytes, written, bytes.length - written);
      }
    } catch (error) {
      throw failure(error);
    }
  }, FILE_BUFFER);
  return {
    write: (text) => buffered.write(text),
    close() {
      buffered.close();
      closeSync(fd);
      open = false;
      try {
        renameSync(partial, path);
      } catch (error) {
        rmSync(partial, { force: true });
        throw failure(error);
      }
    },
    abort() {
      if (open) closeSync(fd);
      open = false;
      rmSync(partial, { force: true });
    },
  };
}
