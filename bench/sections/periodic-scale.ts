/**
 * The periodic run at scale: 10,000 to 100,000 resources against mocked Config calls that each answer after
 * 20 ms, one child process per run so that heaps do not mix. Reports wall time, calls, and peak memory
 * (RSS high-water mark from the kernel, heap sampled every 5 ms), to show memory stays flat as the count grows.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LIVE_ONLY_FACTS, readsLiveOnlyFacts } from '../../cli/facts.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { BENCH_OUT, type FunctionTarget, ROOT } from '../lib/discover.ts';
import { functionEnvironment } from '../lib/environment.ts';
import { count, mib, seconds, table } from '../lib/stats.ts';

export interface ScaleFigure {
  function: string;
  standIn: boolean;
  resources: number;
  latencyMs: number;
  wallMs: number;
  calls: Record<string, number>;
  baselineRss: number;
  /** The heap after imports and a full collection, before the run. */
  baselineHeap: number;
  peakRss: number;
  peakHeap: number;
  /** The heap right after a full collection, highest of the once-a-second samples: what the run holds. */
  peakLiveHeap: number;
  /** Why there is no figure: `failed: …`, or `not run: …`. */
  error?: string | undefined;
}

/**
 * Rules judged from the IAM credential report or account summary do not scale with an inventory: IAM holds at
 * most 5,000 users an account (IAM quotas) and the root user is one per account; they read one report a run
 * (`npm run bench -- calls` counts it). Named in the output rather than run against a made-up inventory.
 */
function notScaled(rule: AnyRule): string | undefined {
  if (!readsLiveOnlyFacts(rule)) return undefined;
  const facts = (rule.accountFacts ?? []).filter((fact) => fact in LIVE_ONLY_FACTS);
  return `not run: judged from ${facts.map((fact) => LIVE_ONLY_FACTS[fact]?.what).join(' and ') || 'the account itself'}, one read a run, not an inventory (IAM allows 5,000 users an account)`;
}

const CHILD = join(ROOT, 'bench', 'child', 'periodic-scan.ts');

export function measurePeriodicScale(
  targets: readonly FunctionTarget[],
  counts: readonly number[],
  latencyMs: number,
  progress: (message: string) => void = () => {},
): ScaleFigure[] {
  const figures: ScaleFigure[] = [];
  for (const target of targets) {
    if (!target.rule) continue;
    const skipped = notScaled(target.rule.rule);
    if (skipped !== undefined) {
      progress(`periodic run: ${target.name} ${skipped}`);
      figures.push({ ...emptyFigure(target, 0, latencyMs), error: skipped });
      continue;
    }
    const env = {
      PATH: process.env.PATH ?? '',
      ...functionEnvironment(join(BENCH_OUT, 'scale-env', target.name), target.name),
    };
    for (const resources of counts) {
      progress(`periodic run: ${target.name}, ${count(resources)} resources, ${latencyMs} ms a call`);
      const child = spawnSync(
        process.execPath,
        [
          '--expose-gc',
          '--import',
          'tsx',
          CHILD,
          target.entry,
          target.rule.rule.name,
          String(resources),
          String(latencyMs),
          target.rule.rule.resourceTypes.join(','),
        ],
        { cwd: ROOT, env, encoding: 'utf8', timeout: 900_000, maxBuffer: 16 * 1024 * 1024 },
      );
      const line = child.stdout.trim().split('\n').pop() ?? '';
      if (child.status !== 0 || !line.startsWith('{')) {
        const error = (child.stderr || `exit ${child.status}`).trim().split('\n').slice(0, 4).join(' ');
        figures.push({ ...emptyFigure(target, resources, latencyMs), error: `failed: ${error}` });
        continue;
      }
      const result = JSON.parse(line) as Omit<ScaleFigure, 'function' | 'standIn'>;
      figures.push({ function: target.name, standIn: target.standIn, ...result });
    }
  }
  return figures;
}

function emptyFigure(target: FunctionTarget, resources: number, latencyMs: number): ScaleFigure {
  return {
    function: target.name,
    standIn: target.standIn,
    resources,
    latencyMs,
    wallMs: 0,
    calls: {},
    baselineRss: 0,
    peakRss: 0,
    peakHeap: 0,
    peakLiveHeap: 0,
    baselineHeap: 0,
  };
}

export function periodicScaleTable(figures: readonly ScaleFigure[]): string {
  const rows = [
    ['function', 'resources', 'wall time', 'calls', 'RSS before', 'peak RSS', 'peak heap', 'live heap held'],
  ];
  for (const figure of figures) {
    const calls = Object.values(figure.calls).reduce((sum, value) => sum + value, 0);
    rows.push([
      `${figure.function}${figure.standIn ? ' (stand-in)' : ''}`,
      figure.resources > 0 ? count(figure.resources) : '-',
      figure.error ?? seconds(figure.wallMs),
      ...(figure.error === undefined
        ? [count(calls), mib(figure.baselineRss), mib(figure.peakRss), mib(figure.peakHeap)]
        : ['-', '-', '-', '-']),
      figure.error ? '-' : `+${mib(Math.max(0, figure.peakLiveHeap - figure.baselineHeap))}`,
    ]);
  }
  return table(rows);
}
