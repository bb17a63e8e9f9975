/**
 * A one-line progress bar for long live scans, drawn on stderr and only on a terminal: redirected or
 * piped output stays clean.
 */
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
