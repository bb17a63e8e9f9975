/**
 * The offline scan over a Config snapshot of 100,000 items: a synthetic snapshot file (the shape AWS Config
 * delivers to S3: `{fileVersion, configSnapshotId, configurationItems}`, AWS Config Developer Guide,
 * "Example Configuration Snapshot") of every type the rules evaluate is written to a temporary folder, then
 * - the rules core alone (read, parse, normalise, evaluate every rule: bench/child/snapshot-scan.ts), and
 * - the CLI as shipped (`cli/build.ts` bundle, or `cli/main.ts` through tsx while it has no bundle),
 * each run in a fresh process, timed, with the peak RSS (`/usr/bin/time -v` when installed, else the
 * process's own high-water mark).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_OUT, type DiscoveredRule, ROOT } from '../lib/discover.ts';
import { count, mib, seconds, table } from '../lib/stats.ts';
import { inventoryMix, syntheticItem } from '../lib/synthetic.ts';

export interface SnapshotFigure {
  what: string;
  items: number;
  fileBytes: number;
  wallMs: number;
  peakRss: number;
  detail: string;
  error?: string | undefined;
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
  const write = (text: string) => {
    bytes += writeSync(fd, text);
  };
  write(
    '{"fileVersion":"1.0","configSnapshotId":"7e9d6a38-3f46-4e0c-8bd8-bench00000001","configurationItems":[',
  );
  let first = true;
  for (const [type, n] of inventoryMix(types.length > 0 ? types : ['AWS::EC2::Instance'], items)) {
    for (let index = 0; index < n; index++) {
      write(`${first ? '' : ','}\n${JSON.stringify(syntheticItem(type, index))}`);
      first = false;
    }
  }
  write('\n]}\n');
  closeSync(fd);
  return { file, bytes };
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
  items: number,
  progress: (message: string) => void = () => {},
): Promise<SnapshotFigure[]> {
  progress(`writing a ${count(items)}-item snapshot`);
  const { file, bytes } = writeSnapshot(rules, items);
  try {
    return await scanSnapshot(file, bytes, items, progress);
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

async function scanSnapshot(
  file: string,
  bytes: number,
  items: number,
  progress: (message: string) => void,
): Promise<SnapshotFigure[]> {
  const figures: SnapshotFigure[] = [];
  const env = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', NO_COLOR: '1' };

  progress('rules core over the snapshot');
  const core = timed(
    [process.execPath, '--import', 'tsx', join(ROOT, 'bench/child/snapshot-scan.ts'), file],
    env,
  );
  const coreLine = core.stdout.trim().split('\n').pop() ?? '';
  if (core.status === 0 && coreLine.startsWith('{')) {
    const result = JSON.parse(coreLine) as {
      readAndParseMs: number;
      normaliseMs: number;
      evaluateMs: number;
      wallMs: number;
      peakRss: number;
      rules: string[];
    };
    figures.push({
      what: `rules core (${result.rules.join(', ')})`,
      items,
      fileBytes: bytes,
      wallMs: result.wallMs,
      peakRss: core.peakRss ?? result.peakRss,
      detail: `read+parse ${seconds(result.readAndParseMs)}, normalise ${seconds(result.normaliseMs)}, evaluate ${seconds(result.evaluateMs)}`,
    });
  } else {
    figures.push({
      what: 'rules core',
      items,
      fileBytes: bytes,
      wallMs: 0,
      peakRss: 0,
      detail: '',
      error: firstLines(core.stderr),
    });
  }

  const cli = await cliCommand(progress);
  if (cli === undefined) {
    figures.push({
      what: 'CLI',
      items,
      fileBytes: bytes,
      wallMs: 0,
      peakRss: 0,
      detail: '',
      error: 'cli/main.ts not found',
    });
    return figures;
  }
  progress(`CLI scan (${cli.label})`);
  const report = join(tmpdir(), `plumbline-bench-report-${process.pid}.json`);
  const run = timed(
    [...cli.command, 'scan', '--snapshot', file, '--format', 'json', '--output', report, '--fail-on', 'none'],
    env,
  );
  figures.push({
    what: `CLI scan --format json (${cli.label})`,
    items,
    fileBytes: bytes,
    wallMs: run.wallMs,
    peakRss: run.peakRss ?? 0,
    detail: 'process start to exit, all rules, JSON report written',
    ...(run.status === 0 ? {} : { error: `exit ${run.status}: ${firstLines(run.stderr)}` }),
  });
  rmSync(report, { force: true });
  return figures;
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
  const rows = [['what', 'items', 'file', 'wall time', 'peak RSS', 'detail']];
  for (const figure of figures) {
    rows.push([
      figure.what,
      count(figure.items),
      mib(figure.fileBytes),
      figure.error ? '-' : seconds(figure.wallMs),
      figure.error ? '-' : mib(figure.peakRss),
      figure.error ? `failed: ${figure.error}` : figure.detail,
    ]);
  }
  return table(rows);
}
