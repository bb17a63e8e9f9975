/**
 * `npm run bench`: prints the figures BENCHMARKS.md records, and writes them to dist/.bench/results.json.
 * Times are reported, never asserted; the deterministic figures (API calls, bundle bytes) are also checked
 * against bench/budgets.json by `npm test` (test/budgets/).
 *
 *   npm run bench                         # every section
 *   npm run bench -- cold calls           # some sections: cold, eval, calls, scale, snapshot
 *   npm run bench -- --runs 31 --counts 10000,100000 --latency 20 --items 100000
 *   npm run bench -- cold --baseline ../other-checkout   # its dist/.bench bundles, interleaved with these
 *   npm run bench -- html --html-items 20000 --html-runs 5   # the HTML report of 20,000 resources in Chromium
 *   npm run bench -- snapshot --snapshot-items 10000,100000   # snapshot scans (default 10k, 100k and 1M items)
 *   npm run bench -- snapshot --snapshot-runs 5   # each floor and scan run 5 times, taking turns (default 3)
 */
import './lib/quiet.ts';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_OUT, discover, ROOT } from './lib/discover.ts';
import { apiCallTable, measureApiCalls } from './sections/api-calls.ts';
import { baselineVariants, buildVariants, coldStartTable, measureColdStarts } from './sections/cold-start.ts';
import { evaluationSpeedTable, measureRule } from './sections/evaluation-speed.ts';
import { htmlReportTable, measureHtmlReport } from './sections/html-report.ts';
import { measurePeriodicScale, periodicScaleTable } from './sections/periodic-scale.ts';
import { measureSnapshotScan, snapshotTable } from './sections/snapshot-scan.ts';

const SECTIONS = ['cold', 'eval', 'calls', 'scale', 'snapshot', 'html'] as const;
type Section = (typeof SECTIONS)[number];

function positiveIntegers(name: string, text: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new Error(`--${name}=${JSON.stringify(text)}: expected positive integers, comma-separated`);
  }
  return values;
}

function options() {
  const { values, positionals } = parseArgs({
    options: {
      runs: { type: 'string', default: '15' },
      counts: { type: 'string', default: '10000,50000,100000' },
      latency: { type: 'string', default: '20' },
      items: { type: 'string', default: '100000' },
      'html-items': { type: 'string', default: '20000' },
      'html-runs': { type: 'string', default: '5' },
      'snapshot-items': { type: 'string', default: '10000,100000,1000000' },
      'snapshot-runs': { type: 'string', default: '3' },
      out: { type: 'string', default: join(BENCH_OUT, 'results.json') },
      baseline: { type: 'string' },
    },
    allowPositionals: true,
  });
  const unknown = positionals.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`Unknown section ${unknown.join(', ')} (known: ${SECTIONS.join(', ')})`);
  return {
    sections: new Set<Section>(positionals.length > 0 ? (positionals as Section[]) : SECTIONS),
    runs: positiveIntegers('runs', values.runs)[0] ?? 15,
    counts: positiveIntegers('counts', values.counts),
    latencyMs: Number(values.latency),
    items: positiveIntegers('items', values.items)[0] ?? 100_000,
    htmlItems: positiveIntegers('html-items', values['html-items'])[0] ?? 20_000,
    htmlRuns: positiveIntegers('html-runs', values['html-runs'])[0] ?? 5,
    snapshotItems: positiveIntegers('snapshot-items', values['snapshot-items']),
    snapshotRuns: positiveIntegers('snapshot-runs', values['snapshot-runs'])[0] ?? 3,
    out: values.out,
    baseline: values.baseline,
  };
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `${commit}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

const progress = (message: string) => process.stderr.write(`  … ${message}\n`);

async function main(): Promise<void> {
  const chosen = options();
  const discovery = await discover();
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    commit: gitCommit(),
  };
  const results: Record<string, unknown> = { environment };
  console.log(
    `# Plumbline benchmarks\n\n${environment.date} · Node ${environment.node} · ${environment.cpu} · ${environment.commit}\n`,
  );
  console.log(
    `Functions: ${discovery.functions.map((target) => `${target.name}${target.standIn ? ' (stand-in)' : ''}`).join(', ')}`,
  );
  for (const problem of discovery.problems) console.log(`Skipped: ${problem}`);

  if (chosen.sections.has('cold')) {
    progress('building both variants of every function');
    const built = await buildVariants(discovery.functions);
    const baseline = chosen.baseline ? baselineVariants(built, chosen.baseline) : [];
    const figures = await measureColdStarts([...built, ...baseline], chosen.runs, progress);
    results.coldStart = figures;
    console.log(`\n## Bundle size and cold start (${chosen.runs} fresh processes each, interleaved)\n`);
    console.log(coldStartTable(figures));
  }
  if (chosen.sections.has('eval')) {
    progress('evaluation speed');
    const figures = discovery.rules.map(measureRule);
    results.evaluationSpeed = figures;
    console.log('\n## Evaluation speed (one core)\n');
    console.log(evaluationSpeedTable(figures));
  }
  if (chosen.sections.has('calls')) {
    progress('API calls per scenario');
    const figures = await measureApiCalls(discovery.functions);
    results.apiCalls = figures.map(({ outcome: _outcome, ...figure }) => figure);
    console.log('\n## API calls per evaluated resource (mocked clients, every command counted)\n');
    console.log(apiCallTable(figures));
  }
  if (chosen.sections.has('scale')) {
    const figures = measurePeriodicScale(discovery.functions, chosen.counts, chosen.latencyMs, progress);
    results.periodicScale = figures;
    console.log(`\n## Periodic run at scale (every Config call answers after ${chosen.latencyMs} ms)\n`);
    console.log(periodicScaleTable(figures));
  }
  if (chosen.sections.has('snapshot')) {
    const figures = await measureSnapshotScan(
      discovery.rules,
      chosen.snapshotItems,
      chosen.snapshotRuns,
      progress,
    );
    results.snapshotScan = figures;
    console.log('\n## Offline snapshot scan\n');
    console.log(snapshotTable(figures));
  }
  if (chosen.sections.has('html')) {
    const figures = await measureHtmlReport(
      discovery.rules,
      chosen.htmlItems,
      chosen.htmlRuns,
      chosen.baseline,
      progress,
    );
    results.htmlReport = figures;
    console.log('\n## HTML report in Chromium\n');
    console.log(htmlReportTable(figures));
  }
  mkdirSync(join(chosen.out, '..'), { recursive: true });
  writeFileSync(chosen.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nFigures written to ${chosen.out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
