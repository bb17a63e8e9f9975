/**
 * Bundle sizes and cold starts. Each function is built twice, in the same run: as deployed (SDK bundled and
 * tree-shaken) and with `@aws-sdk/*` and `@smithy/*` left external (loaded from node_modules, as from the
 * Lambda runtime's own copy). A cold start is a fresh Node 22 process (`process.execPath`) that imports the
 * bundle, which also builds its module-scope clients; `performance.now()` inside the child times the dynamic
 * import. The two variants run interleaved, alternating which goes first, and the median of the runs is kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildFunctions, bundleOptions } from '../../esbuild.config.ts';
import { BENCH_OUT, type FunctionTarget } from '../lib/discover.ts';
import { functionEnvironment, suiteDocument } from '../lib/environment.ts';
import { kib, median, mib, ms, percentile, table } from '../lib/stats.ts';

export type Variant = 'bundled' | 'external';
export const VARIANTS: readonly Variant[] = ['bundled', 'external'];

export interface BuiltVariant {
  function: string;
  standIn: boolean;
  variant: Variant;
  /** `baseline`: a bundle from another checkout (`--baseline`), measured interleaved with this one. */
  build: 'current' | 'baseline';
  bundle: string;
  bytes: number;
  gzipBytes: number;
}

export interface ColdStartFigure {
  function: string;
  standIn: boolean;
  variant: Variant;
  build: 'current' | 'baseline';
  bytes: number;
  gzipBytes: number;
  runs: number;
  importMedianMs: number;
  importP90Ms: number;
  importMinMs: number;
  /** Resident memory right after the import, median (what the function holds before its first event). */
  rssMedianBytes: number;
  errors: string[];
}

/** Builds every target in both variants under dist/.bench/<variant>/<function>/index.mjs. */
export async function buildVariants(targets: readonly FunctionTarget[]): Promise<BuiltVariant[]> {
  const built: BuiltVariant[] = [];
  const real = targets.filter((target) => !target.standIn);
  for (const variant of VARIANTS) {
    const outdir = join(BENCH_OUT, variant);
    const externalSdk = variant === 'external';
    if (real.length > 0) {
      const results = await buildFunctions({
        functions: real.map((target) => target.name),
        outdir,
        externalSdk,
        quiet: true,
        // The configuration is shipped below, validated without the registry (see suiteDocument).
        suiteConfigFile: join(BENCH_OUT, 'no-suite-config.yaml'),
      });
      for (const result of results) {
        writeSuiteConfig(join(result.bundle, '..'));
        built.push({ function: result.name, standIn: false, variant, build: 'current', ...pick(result) });
      }
    }
    for (const target of targets.filter((candidate) => candidate.standIn)) {
      const directory = join(outdir, target.name);
      mkdirSync(directory, { recursive: true });
      const bundle = join(directory, 'index.mjs');
      await build({
        ...bundleOptions(externalSdk),
        entryPoints: [target.entry],
        outfile: bundle,
        metafile: false,
      });
      writeSuiteConfig(directory);
      const bytes = readFileSync(bundle);
      built.push({
        function: target.name,
        standIn: true,
        variant,
        build: 'current',
        bundle,
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: 9 }).length,
      });
    }
  }
  return built;
}

/**
 * The same functions' bundles in another checkout (its `npm run bench -- cold` leaves them in
 * dist/.bench/<variant>/<function>/), to measure before and after in one interleaved run.
 */
export function baselineVariants(built: readonly BuiltVariant[], checkout: string): BuiltVariant[] {
  return built.flatMap((current) => {
    const bundle = join(checkout, 'dist', '.bench', current.variant, current.function, 'index.mjs');
    if (!existsSync(bundle)) return [];
    const bytes = readFileSync(bundle);
    return [
      {
        ...current,
        build: 'baseline' as const,
        bundle,
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: 9 }).length,
      },
    ];
  });
}

function writeSuiteConfig(directory: string): void {
  writeFileSync(join(directory, 'plumbline.config.json'), `${JSON.stringify(suiteDocument(), null, 2)}\n`);
}

function pick(result: { bundle: string; bytes: number; gzipBytes: number }) {
  return { bundle: result.bundle, bytes: result.bytes, gzipBytes: result.gzipBytes };
}

const CHILD_SCRIPT = `
const url = process.argv[1];
const start = performance.now();
const module = await import(url);
const importMs = performance.now() - start;
if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write(JSON.stringify({ importMs, rss: process.memoryUsage().rss }));
`;

interface ChildRun {
  importMs: number;
  rss: number;
}

function coldStart(bundle: string, env: Record<string, string>, cwd: string): ChildRun | string {
  const child = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', CHILD_SCRIPT, pathToFileURL(bundle).href],
    { cwd, env, encoding: 'utf8', timeout: 60_000 },
  );
  if (child.status !== 0)
    return (child.stderr || `exit ${child.status}`).trim().split('\n').slice(0, 3).join(' ');
  try {
    return JSON.parse(child.stdout) as ChildRun;
  } catch {
    return `unexpected output: ${child.stdout.slice(0, 200)}`;
  }
}

export async function measureColdStarts(
  built: readonly BuiltVariant[],
  runs: number,
  progress: (message: string) => void = () => {},
): Promise<ColdStartFigure[]> {
  const byFunction = new Map<string, BuiltVariant[]>();
  for (const variant of built)
    byFunction.set(variant.function, [...(byFunction.get(variant.function) ?? []), variant]);
  const samples = new Map<BuiltVariant, { runs: ChildRun[]; errors: string[] }>(
    built.map((variant) => [variant, { runs: [], errors: [] }]),
  );
  const environments = new Map(
    [...byFunction.keys()].map((name) => [
      name,
      { PATH: process.env.PATH ?? '', ...functionEnvironment(join(BENCH_OUT, 'cold-env', name), name) },
    ]),
  );
  for (let run = 0; run < runs; run++) {
    progress(`cold start run ${run + 1}/${runs}`);
    for (const [name, variants] of byFunction) {
      const order = run % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const result = coldStart(variant.bundle, environments.get(name) ?? {}, join(variant.bundle, '..'));
        const sample = samples.get(variant);
        if (typeof result === 'string') sample?.errors.push(result);
        else sample?.runs.push(result);
      }
    }
  }
  return built.map((variant) => {
    const sample = samples.get(variant) ?? { runs: [], errors: [] };
    const times = sample.runs.map((run) => run.importMs);
    return {
      function: variant.function,
      standIn: variant.standIn,
      variant: variant.variant,
      build: variant.build,
      bytes: variant.bytes,
      gzipBytes: variant.gzipBytes,
      runs: sample.runs.length,
      importMedianMs: median(times),
      importP90Ms: percentile(times, 90),
      importMinMs: Math.min(...times),
      rssMedianBytes: median(sample.runs.map((run) => run.rss)),
      errors: [...new Set(sample.errors)],
    };
  });
}

export function coldStartTable(figures: readonly ColdStartFigure[]): string {
  const rows = [['function', 'variant', 'bundle', 'gzip', 'import median', 'p90', 'min', 'RSS after import']];
  const ordered = [...figures].sort(
    (a, b) =>
      a.variant.localeCompare(b.variant) ||
      a.function.localeCompare(b.function) ||
      (a.build === 'baseline' ? -1 : 1) - (b.build === 'baseline' ? -1 : 1),
  );
  for (const figure of ordered) {
    rows.push([
      `${figure.function}${figure.standIn ? ' (stand-in)' : ''}`,
      `${figure.variant === 'bundled' ? 'SDK bundled' : 'SDK external'}${figure.build === 'baseline' ? ' (baseline)' : ''}`,
      kib(figure.bytes),
      kib(figure.gzipBytes),
      figure.runs > 0 ? ms(figure.importMedianMs) : `failed: ${figure.errors[0] ?? '?'}`,
      figure.runs > 0 ? ms(figure.importP90Ms) : '-',
      figure.runs > 0 ? ms(figure.importMinMs) : '-',
      figure.runs > 0 ? mib(figure.rssMedianBytes) : '-',
    ]);
  }
  return table(rows);
}
