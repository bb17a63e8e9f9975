/**
 * The offline scan over Config snapshots of growing size (10,000, 100,000 and 1,000,000 items by default):
 * a synthetic snapshot (the shape AWS Config delivers to S3: `{fileVersion, configSnapshotId,
 * configurationItems}`, AWS Config Developer Guide, "Example Configuration Snapshot"; security groups with
 * several rules, buckets with policies and ACLs, tagged instances and the other types the rules read) is
 * written gzipped to a temporary folder, then, side by side, each in a fresh process with its peak RSS
 * (`/usr/bin/time -v` when installed, else the process's own high-water mark):
 * - the parse-only floor: read + gunzip + the same streaming parser, every item assembled
 *   (bench/child/snapshot-scan.ts, bundled with esbuild as the CLI is), timed like the scan, from process
 *   start to exit; its own time from first read to last item is shown beside it (`parse only`), and
 * - the CLI as shipped (`cli/build.ts` bundle, or `cli/main.ts` through tsx while it has no bundle):
 *   `plumbline scan --snapshot <file>.json.gz --format json --output <file>`, every rule, timed from
 *   process start to exit.
 * Both are whole processes, so the ratio compares like with like: each pays for starting Node and loading
 * its code (the CLI's bundle is the larger, and that is part of what a scan costs).
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import { BENCH_OUT, type DiscoveredRule, ROOT } from '../lib/discover.ts';
import { count, median, mib, seconds, table } from '../lib/stats.ts';
import { inventoryMix, syntheticItem } from '../lib/synthetic.ts';

export interface SnapshotFigure {
  items: number;
  /** The snapshot as JSON, and gzipped as the scan reads it. */
  jsonBytes: number;
  gzipBytes: number;
  /** How many times the floor and the scan each ran (taking turns); times are medians, peak RSS the highest. */
  runs: number;
  /** The floor process from start to exit, and its own time from first read to last item. */
  floor: { wallMs: number; parseMs: number; peakRss: number } | { error: string };
  /** `ratioRange`: the lowest and highest scan / floor of a run and the floor run just before it. */
  scan: { wallMs: number; peakRss: number; label: string; ratioRange: [number, number] } | { error: string };
}

const TIME = '/usr/bin/time';

/** Writes the snapshot file item by item (never holding it whole) and returns its path and size. */
export function writeSnapshot(
  rules: readonly DiscoveredRule[],
  items: number,
): { file: string; bytes: number } {
  const types = [...new Set(rules.flatMap(({ rule }) => rule.resourceTypes))];
  const file = join(mkdtempSync(join(tmpdir(), 'plumbline-bench-')), `snapshot-${items}.json`);
  const fd = openSync(file, 'w');
  let bytes = 0;
  let pending: string[] = [];
  const flush = () => {
    bytes += writeSync(fd, pending.join(''));
    pending = [];
  };
  pending.push(
    '{"fileVersion":"1.0","configSnapshotId":"7e9d6a38-3f46-4e0c-8bd8-bench00000001","configurationItems":[',
  );
  let first = true;
  for (const [type, n] of inventoryMix(types.length > 0 ? types : ['AWS::EC2::Instance'], items)) {
    for (let index = 0; index < n; index++) {
      pending.push(`${first ? '' : ','}\n${JSON.stringify(syntheticItem(type, index))}`);
      first = false;
      if (pending.length >= 1000) flush();
    }
  }
  pending.push('\n]}\n');
  flush();
  closeSync(fd);
  return { file, bytes };
}

/** The snapshot gzipped beside it (as Config delivers it to S3); the JSON file is removed. */
async function gzipped(file: string): Promise<{ file: string; bytes: number }> {
  const target = `${file}.gz`;
  await pipeline(createReadStream(file), createGzip({ level: 6 }), createWriteStream(target));
  rmSync(file);
  return { file: target, bytes: statSync(target).size };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  peakRss: number | undefined;
}

/** Runs a command in a fresh process, under `/usr/bin/time -v` when available for the peak RSS. */
function timed(args: string[], env: NodeJS.ProcessEnv): Run {
  const useTime = existsSync(TIME);
  const start = performance.now();
  const child = spawnSync(useTime ? TIME : (args[0] as string), useTime ? ['-v', ...args] : args.slice(1), {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - start;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '');
  return {
    status: child.status,
    stdout: child.stdout ?? '',
    stderr: child.stderr ?? '',
    wallMs,
    peakRss: rss ? Number(rss[1]) * 1024 : undefined,
  };
}

function firstLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+(Command being timed|User time|System time)/.test(line))
    .slice(0, 3)
    .join(' ');
}

export async function measureSnapshotScan(
  rules: readonly DiscoveredRule[],
  sizes: readonly number[],
  runs: number,
  progress: (message: string) => void = () => {},
): Promise<SnapshotFigure[]> {
  const cli = await cliCommand(progress);
  const floorCommand = await floorChild();
  const figures: SnapshotFigure[] = [];
  for (const items of sizes) {
    progress(`writing a ${count(items)}-item snapshot`);
    const json = writeSnapshot(rules, items);
    const gzip = await gzipped(json.file);
    try {
      figures.push(
        await scanSnapshot(gzip.file, items, json.bytes, gzip.bytes, cli, floorCommand, runs, progress),
      );
    } finally {
      rmSync(dirname(gzip.file), { recursive: true, force: true });
    }
  }
  return figures;
}

async function scanSnapshot(
  file: string,
  items: number,
  jsonBytes: number,
  gzipBytes: number,
  cli: { command: string[]; label: string } | undefined,
  floorCommand: readonly string[],
  runs: number,
  progress: (message: string) => void,
): Promise<SnapshotFigure> {
  const env = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', NO_COLOR: '1' };
  const floors: FloorRun[] = [];
  const scans: ScanRun[] = [];
  const report = join(tmpdir(), `plumbline-bench-report-${process.pid}.json`);
  // Floor and scan take turns, so a slow spell of a busy machine falls on both alike.
  for (let run = 1; run <= runs; run++) {
    progress(`parse-only floor over ${count(items)} items (run ${run} of ${runs})`);
    const floorRun = timed([...floorCommand, file], env);
    const floorLine = floorRun.stdout.trim().split('\n').pop() ?? '';
    if (floorRun.status !== 0 || !floorLine.startsWith('{')) {
      return {
        items,
        jsonBytes,
        gzipBytes,
        runs,
        floor: { error: firstLines(floorRun.stderr) },
        scan: { error: 'not run: the floor failed' },
      };
    }
    const own = JSON.parse(floorLine) as { wallMs: number; peakRss: number };
    floors.push({ wallMs: floorRun.wallMs, parseMs: own.wallMs, peakRss: floorRun.peakRss ?? own.peakRss });
    if (cli === undefined) continue;
    progress(`CLI scan of ${count(items)} items (${cli.label}, run ${run} of ${runs})`);
    const scanRun = timed(
      [
        ...cli.command,
        'scan',
        '--snapshot',
        file,
        '--format',
        'json',
        '--output',
        report,
        '--fail-on',
        'none',
      ],
      env,
    );
    rmSync(report, { force: true });
    if (scanRun.status !== 0) {
      return {
        items,
        jsonBytes,
        gzipBytes,
        runs,
        floor: summarised(floors),
        scan: { error: `exit ${scanRun.status}: ${firstLines(scanRun.stderr)}` },
      };
    }
    scans.push({ wallMs: scanRun.wallMs, peakRss: scanRun.peakRss ?? 0 });
  }
  const floor = summarised(floors);
  if (cli === undefined)
    return { items, jsonBytes, gzipBytes, runs, floor, scan: { error: 'cli/main.ts not found' } };
  const ratios = scans.map((scan, index) => scan.wallMs / (floors[index] as FloorRun).wallMs);
  return {
    items,
    jsonBytes,
    gzipBytes,
    runs,
    floor,
    scan: {
      wallMs: median(scans.map((scan) => scan.wallMs)),
      peakRss: Math.max(...scans.map((scan) => scan.peakRss)),
      label: cli.label,
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    },
  };
}

interface FloorRun {
  wallMs: number;
  parseMs: number;
  peakRss: number;
}

interface ScanRun {
  wallMs: number;
  peakRss: number;
}

/** The runs' median times and their highest peak RSS. */
function summarised(floors: readonly FloorRun[]): FloorRun {
  return {
    wallMs: median(floors.map((floor) => floor.wallMs)),
    parseMs: median(floors.map((floor) => floor.parseMs)),
    peakRss: Math.max(...floors.map((floor) => floor.peakRss)),
  };
}

/** The floor child bundled as the CLI is (same esbuild options), so neither pays for tsx at start. */
async function floorChild(): Promise<string[]> {
  const { build } = await import('esbuild');
  const { bundleOptions } = await import('../../esbuild.config.ts');
  const outfile = join(BENCH_OUT, 'floor', 'snapshot-parse.mjs');
  await build({
    ...bundleOptions(),
    entryPoints: [join(ROOT, 'bench/child/snapshot-scan.ts')],
    outfile,
    metafile: false,
  });
  return [process.execPath, outfile];
}

/** The shipped CLI bundle when the CLI has a build script, else its source through tsx. */
async function cliCommand(progress: (message: string) => void) {
  const builder = join(ROOT, 'cli', 'build.ts');
  if (existsSync(builder)) {
    try {
      const { buildCli } = (await import(pathToFileURL(builder).href)) as {
        buildCli: (outfile: string) => Promise<string>;
      };
      progress('bundling the CLI');
      const outfile = await buildCli(join(BENCH_OUT, 'cli', 'plumbline.mjs'));
      return { command: [process.execPath, outfile], label: 'bundle' };
    } catch (error) {
      progress(`CLI bundle failed (${(error as Error).message.split('\n')[0]}); running the source`);
    }
  }
  const main = join(ROOT, 'cli', 'main.ts');
  if (!existsSync(main)) return undefined;
  return { command: [process.execPath, '--import', 'tsx', main], label: 'source via tsx' };
}

export function snapshotTable(figures: readonly SnapshotFigure[]): string {
  const rows = [
    [
      'items',
      'JSON / gzipped',
      'parse only',
      'parse floor',
      'floor peak RSS',
      'CLI scan',
      'scan peak RSS',
      'scan / floor',
      'per run',
      'items/s (scan)',
    ],
  ];
  for (const { items, jsonBytes, gzipBytes, floor, scan } of figures) {
    const floorOk = 'wallMs' in floor ? floor : undefined;
    const scanOk = 'wallMs' in scan ? scan : undefined;
    rows.push([
      count(items),
      `${mib(jsonBytes)} / ${mib(gzipBytes)}`,
      floorOk ? seconds(floorOk.parseMs) : '-',
      floorOk ? seconds(floorOk.wallMs) : `failed: ${'error' in floor ? floor.error : ''}`,
      floorOk ? mib(floorOk.peakRss) : '-',
      scanOk ? seconds(scanOk.wallMs) : `failed: ${'error' in scan ? scan.error : ''}`,
      scanOk ? mib(scanOk.peakRss) : '-',
      floorOk && scanOk ? `${(scanOk.wallMs / floorOk.wallMs).toFixed(2)}×` : '-',
      scanOk ? scanOk.ratioRange.map((ratio) => `${ratio.toFixed(2)}×`).join(' – ') : '-',
      scanOk ? count(Math.round(items / (scanOk.wallMs / 1000))) : '-',
    ]);
  }
  return table(rows);
}
