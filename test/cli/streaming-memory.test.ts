/**
 * The scan's memory does not grow with the snapshot: a child process scans 3,000 and then 30,000 security
 * groups (test/cli/support/heap-probe.ts), sampling its live heap after full collections while the scan
 * runs. Holding the items, their evaluations or the report would take tens of MiB more for the larger one.
 * No timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from './support/cli.ts';

function probe(items: number): { before: number; peak: number; code: number } {
  const child = spawnSync(
    join(REPO, 'node_modules/.bin/node'),
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO, 'test/cli/support/heap-probe.ts'),
      String(items),
      tempDir(),
    ],
    { cwd: REPO, encoding: 'utf8', timeout: 600_000 },
  );
  if (child.status !== 0) throw new Error(`heap probe failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
}

const MiB = 2 ** 20;

describe('a streamed scan holds no item, evaluation or report line once it is written', () => {
  it('scanning ten times the items grows the live heap by less than 8 MiB', () => {
    const small = probe(3_000);
    const large = probe(30_000);
    expect([small.code, large.code]).toEqual([0, 0]);
    const growth = (run: { before: number; peak: number }) => run.peak - run.before;
    // 27,000 more groups of ~2 KiB each, were they kept, would be ~50 MiB more.
    expect(growth(large) - growth(small)).toBeLessThan(8 * MiB);
  }, 900_000);
});
