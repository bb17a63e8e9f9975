/**
 * One-line progress for long scans, drawn on stderr and only on a terminal: redirected or piped output stays
 * clean. Live scans show a bar of regions; snapshot scans the files, items read, rate and current file.
 */
import { printable } from '../shared/core/text.ts';
import type { OutputStream } from './io.ts';

export interface ProgressState {
  done: number;
  total: number;
  label: string;
  items: number;
}

export interface Progress {
  update(state: ProgressState): void;
  finish(): void;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 80;

export const silentProgress: Progress = { update: () => {}, finish: () => {} };

export function terminalProgress(stream: OutputStream, now: () => number = Date.now): Progress {
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(state) {
      const time = now();
      if (time - lastDraw < REDRAW_MS && state.done < state.total) return;
      lastDraw = time;
      drawn = true;
      stream.write(`\r\x1b[2K${renderProgress(state, stream.columns ?? 80)}`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

export function renderProgress(state: ProgressState, columns: number): string {
  const ratio = state.total === 0 ? 1 : Math.min(1, state.done / state.total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const line = `scanning ▕${bar}▏ ${state.done}/${state.total} regions · ${state.items} items · ${state.label}`;
  return Array.from(line)
    .slice(0, Math.max(20, columns - 1))
    .join('');
}

/** What a snapshot scan has read: files done of all, items, and the file being read. */
export interface SnapshotProgressState {
  /** What the pass does: `scanning`, or `indexing captures` before a scan of several files. */
  step: string;
  file: string;
  fileIndex: number;
  files: number;
  items: number;
  /** Items a second since the scan started. */
  rate: number;
}

export interface SnapshotProgress {
  /** `read`: what the stream of file number `fileIndex` has read so far. */
  update(fileIndex: number, read: { file: string; items: number }): void;
  finish(): void;
}

export const silentSnapshotProgress: SnapshotProgress = { update: () => {}, finish: () => {} };

/**
 * A one-line progress for snapshot scans on a terminal: files, items read, rate and the current file,
 * redrawn at most every 80 ms (the caller gives it only when standard error is a terminal).
 */
export function snapshotProgress(
  stream: OutputStream,
  files: number,
  step = 'scanning',
  now: () => number = Date.now,
): SnapshotProgress {
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let finishedItems = 0;
  let current = { index: 0, items: 0 };
  return {
    update(fileIndex, read) {
      if (fileIndex !== current.index) {
        finishedItems += current.items;
        current = { index: fileIndex, items: 0 };
      }
      current.items = read.items;
      const time = now();
      if (time - lastDraw < REDRAW_MS) return;
      lastDraw = time;
      drawn = true;
      const items = finishedItems + read.items;
      const seconds = (time - started) / 1000;
      const state = {
        step,
        file: read.file,
        fileIndex,
        files,
        items,
        rate: seconds > 0 ? items / seconds : 0,
      };
      stream.write(`\r\x1b[2K${renderSnapshotProgress(state, stream.columns ?? 80)}`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');

export function renderSnapshotProgress(state: SnapshotProgressState, columns: number): string {
  const line = `${state.step} ${state.fileIndex + 1}/${state.files} files · ${count(state.items)} items · ${count(state.rate)} items/s · ${printable(state.file)}`;
  return Array.from(line)
    .slice(0, Math.max(20, columns - 1))
    .join('');
}
