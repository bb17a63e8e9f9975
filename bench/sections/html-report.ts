/**
 * The HTML report at size: a synthetic snapshot (bench/lib/synthetic.ts, as the snapshot section writes
 * it) of `--items` resources is scanned by the CLI with `--html`, and the report is opened in Debian's
 * Chromium (playwright-core, as test/cli/html-browser.test.ts) `runs` times, each in a fresh page:
 * - load: navigation start to the `load` event (parse, style, layout of what is open, the filter script);
 * - first contentful paint, as Chromium reports it;
 * - filter: picking severity "critical" in the filter, then a forced layout, timed inside the page;
 * and, once, the file size, the DOM size, the page height and how far down the first critical section
 * starts. With `--baseline <checkout>`, that checkout's CLI (cli/main.ts through tsx, its own html.ts)
 * writes a report of the same snapshot, measured the same way, interleaved.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { type DiscoveredRule, ROOT } from '../lib/discover.ts';
import { count, median, mib, ms, table } from '../lib/stats.ts';
import { writeSnapshot } from './snapshot-scan.ts';

const CHROMIUM = '/usr/bin/chromium';

export interface HtmlFigure {
  what: string;
  items: number;
  fileBytes: number;
  domNodes: number;
  pageHeight: number;
  /** Where the first critical rule's section starts, as a share of the page height; -1 when none. */
  criticalAt: number;
  criticalTop: number;
  runs: number;
  loadMs: number;
  paintMs: number;
  filterMs: number | undefined;
  error?: string | undefined;
}

interface PageTimes {
  loadMs: number;
  paintMs: number;
  filterMs: number | undefined;
  domNodes: number;
  pageHeight: number;
  criticalAt: number;
  criticalTop: number;
}

interface PageElement {
  value: string;
  offsetHeight: number;
  dataset: Record<string, string | undefined>;
  scrollHeight: number;
  getBoundingClientRect(): { top: number };
  dispatchEvent(event: unknown): boolean;
}

/** The page's globals this section reads (the project compiles without the DOM library). */
interface PageGlobals {
  scrollY: number;
  Event: new (type: string) => unknown;
  performance: {
    now(): number;
    getEntriesByType(type: 'navigation'): { startTime: number; loadEventEnd: number }[];
    getEntriesByName(name: string): { startTime: number }[];
  };
  document: {
    documentElement: PageElement;
    body: PageElement;
    querySelector(selector: string): PageElement | null;
    getElementById(id: string): PageElement | null;
    getElementsByTagName(name: string): { length: number };
  };
}

/** Runs in the page, serialised by playwright. */
function pageTimes(): PageTimes {
  const g = globalThis as unknown as PageGlobals;
  const navigation = g.performance.getEntriesByType('navigation')[0] ?? {
    startTime: 0,
    loadEventEnd: Number.NaN,
  };
  const paint = g.performance.getEntriesByName('first-contentful-paint')[0];
  const root = g.document.documentElement;
  // Both this report and the one before mark a critical rule's section with a `critical` badge.
  const critical = g.document.querySelector('section.rule .badge.critical');
  const top = critical ? critical.getBoundingClientRect().top + g.scrollY : -1;
  let filterMs: number | undefined;
  const severity = g.document.getElementById('filter-severity');
  if (severity && root.dataset.filter === 'ready') {
    const start = g.performance.now();
    severity.value = 'critical';
    severity.dispatchEvent(new g.Event('change'));
    void g.document.body.offsetHeight;
    filterMs = g.performance.now() - start;
  }
  return {
    loadMs: navigation.loadEventEnd - navigation.startTime,
    paintMs: paint ? paint.startTime : Number.NaN,
    filterMs,
    domNodes: g.document.getElementsByTagName('*').length,
    pageHeight: root.scrollHeight,
    criticalAt: top < 0 ? -1 : top / root.scrollHeight,
    criticalTop: top,
  };
}

function writeReport(command: string[], cwd: string, snapshot: string, out: string): string | undefined {
  const run = spawnSync(
    command[0] as string,
    [
      ...command.slice(1),
      'scan',
      '--snapshot',
      snapshot,
      '--html',
      out,
      '--format',
      'json',
      '--output',
      '/dev/null',
      '--fail-on',
      'none',
    ],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return run.status === 0
    ? undefined
    : `exit ${run.status}: ${(run.stderr ?? '').split('\n').slice(0, 3).join(' ')}`;
}

export async function measureHtmlReport(
  rules: readonly DiscoveredRule[],
  items: number,
  runs: number,
  baseline: string | undefined,
  progress: (message: string) => void = () => {},
): Promise<HtmlFigure[]> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  progress(`writing a ${count(items)}-item snapshot`);
  const { file: snapshot } = writeSnapshot(rules, items);
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-bench-html-'));
  const tsx = (checkout: string) => [process.execPath, '--import', 'tsx', join(checkout, 'cli/main.ts')];
  const reports = [
    { what: 'this checkout', command: tsx(ROOT), cwd: ROOT, file: join(dir, 'report.html') },
    ...(baseline
      ? [
          {
            what: `baseline ${baseline}`,
            command: tsx(baseline),
            cwd: baseline,
            file: join(dir, 'baseline.html'),
          },
        ]
      : []),
  ];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    const errors = new Map<string, string>();
    for (const report of reports) {
      progress(`HTML report of ${count(items)} items (${report.what})`);
      const error = writeReport(report.command, report.cwd, snapshot, report.file);
      if (error) errors.set(report.file, error);
    }
    const times = new Map<string, PageTimes[]>(reports.map((report) => [report.file, []]));
    for (let run = 0; run < runs; run++) {
      progress(`opening the reports in Chromium, run ${run + 1} of ${runs}`);
      for (const report of run % 2 === 0 ? reports : [...reports].reverse()) {
        if (errors.has(report.file)) continue;
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(pathToFileURL(report.file).href, { waitUntil: 'load', timeout: 600_000 });
        times.get(report.file)?.push(await page.evaluate(pageTimes));
        await page.close();
      }
    }
    return reports.map((report) => {
      const samples = times.get(report.file) ?? [];
      const first = samples[0];
      const filters = samples.flatMap((sample) => (sample.filterMs === undefined ? [] : [sample.filterMs]));
      return {
        what: report.what,
        items,
        fileBytes: errors.has(report.file) ? 0 : statSync(report.file).size,
        domNodes: first?.domNodes ?? 0,
        pageHeight: first?.pageHeight ?? 0,
        criticalAt: first?.criticalAt ?? -1,
        criticalTop: first?.criticalTop ?? -1,
        runs: samples.length,
        loadMs: median(samples.map((sample) => sample.loadMs)),
        paintMs: median(samples.map((sample) => sample.paintMs)),
        filterMs: filters.length > 0 ? median(filters) : undefined,
        error: errors.get(report.file),
      };
    });
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dirname(snapshot), { recursive: true, force: true });
  }
}

export function htmlReportTable(figures: readonly HtmlFigure[]): string {
  const rows = [
    [
      'report',
      'items',
      'file',
      'DOM elements',
      'page height',
      'first critical section at',
      'load (median)',
      'first paint',
      'filter: severity',
    ],
  ];
  for (const figure of figures) {
    if (figure.error) {
      rows.push([figure.what, count(figure.items), '-', '-', '-', '-', '-', '-', `failed: ${figure.error}`]);
      continue;
    }
    rows.push([
      figure.what,
      count(figure.items),
      mib(figure.fileBytes),
      count(figure.domNodes),
      `${count(figure.pageHeight)} px`,
      figure.criticalAt < 0
        ? 'none'
        : `${count(Math.round(figure.criticalTop))} px (${(figure.criticalAt * 100).toFixed(0)}%)`,
      `${ms(figure.loadMs)} (${figure.runs} runs)`,
      ms(figure.paintMs),
      figure.filterMs === undefined ? 'no filter' : ms(figure.filterMs),
    ]);
  }
  return table(rows);
}
