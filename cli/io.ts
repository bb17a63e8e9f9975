import { PlumblineError } from '../shared/core/model.ts';

/** The streams and environment a CLI run uses, so tests can run it in-process. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  /** A terminal's height: the table lists about a screenful per rule. */
  rows?: number | undefined;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A problem with how the command was called: exit code 2 and a pointer to `--help`. */
export class UsageError extends PlumblineError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Colour on a terminal unless NO_COLOR is set (https://no-color.org), or when FORCE_COLOR asks for it. */
export function colourEnabled(
  stream: Pick<OutputStream, 'isTTY'>,
  env: CliIo['env'],
  flag?: boolean,
): boolean {
  if (flag === false) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}
