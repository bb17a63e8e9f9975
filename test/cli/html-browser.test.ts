/**
 * The HTML report opened in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the summary and the findings render, nothing is fetched, nothing is logged as an error, and a screenshot
 * is saved under test/.artifacts/. Without Chromium they fail in CI (`CI` set, as `.ci/run` does), saying how
 * to install it; on a developer's machine they are skipped with that same advice, so that `npm test` passes on
 * a fresh machine with nothing but the README's commands.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHtml } from '../../cli/format/html.ts';
import { testRule } from '../support/test-rule.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, FIXTURES, REPO, runCli, tempDir } from './support/cli.ts';
import { evaluation, MISSING_COST_CENTER, reportOf, SSH_OPEN, triageReport } from './support/html-report.ts';
import { writeOrganisationBucket } from './support/organisation.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO, 'test/.artifacts');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MISSING_CHROMIUM = `Chromium is not installed at ${CHROMIUM}: install Debian's chromium package (apt-get update && apt-get install -y chromium); .ci/run installs it in CI`;
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;
if (skipBrowser) console.warn(`html-browser tests skipped. ${MISSING_CHROMIUM}`);

let browser: Browser;

beforeAll(async () => {
  if (skipBrowser) return;
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
});

interface XmlElement {
  getAttribute(name: string): string | null;
}

interface XmlParser {
  parseFromString(
    text: string,
    type: string,
  ): { getElementsByTagName(name: string): ArrayLike<XmlElement> & Iterable<XmlElement> };
}

interface DomNode {
  open?: boolean;
  outerHTML: string;
  getBoundingClientRect(): { right: number };
}

/** The page's globals, typed for `page.evaluate` (the project compiles without the DOM library). */
interface BrowserGlobals {
  innerWidth: number;
  document: {
    documentElement: { scrollWidth: number; dataset: Record<string, string | undefined> };
    querySelectorAll(selector: string): Iterable<DomNode>;
  };
}

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

async function open(url: string, width = 1280): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url);
  return { page, problems, requests };
}

describe.skipIf(skipBrowser)('the HTML report in Chromium', () => {
  it('renders the summary and the findings grouped by rule and resource, with no console error', async () => {
    const dir = tempDir();
    const file = join(dir, 'plumbline-report.html');
    const result = await runCli([
      'scan',
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--config',
      EXAMPLE_CONFIG,
      '--format',
      'html',
      '--output',
      file,
    ]);
    expect(result.code).toBe(1);
    const url = pathToFileURL(file).href;
    const { page, problems, requests } = await open(url);

    await expect(page.title()).resolves.toBe('Plumbline report · examples/snapshot.json');
    const count = (compliance: string) =>
      page.locator(`#summary [data-compliance="${compliance}"] .count`).textContent();
    await expect(count('NON_COMPLIANT')).resolves.toBe('26');
    await expect(count('COMPLIANT')).resolves.toBe('46');
    await expect(count('NOT_APPLICABLE')).resolves.toBe('1');
    await expect(count('resources')).resolves.toBe('57');

    // Rules by severity: public-bucket (9, critical), security-group (8, high), required-tags (3, low).
    const sections = page.locator('section.rule');
    await expect(
      sections.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-rule'))),
    ).resolves.toEqual(['public-bucket', 'security-group', 'required-tags']);
    await expect(page.locator('#contents a').allInnerTexts()).resolves.toEqual([
      'Figures',
      'public-bucket',
      'security-group',
      'required-tags',
    ]);
    const findings = (rule: string) =>
      page
        .locator(`section[data-rule="${rule}"] details.finding`)
        .evaluateAll((groups) =>
          groups.map((group) => [
            group.getAttribute('data-finding'),
            group.querySelectorAll('tr.row').length,
          ]),
        );
    await expect(findings('required-tags')).resolves.toEqual([
      ['missing: CostCenter', 4],
      ['missing: CostCenter, Owner, Environment', 4],
      ['missing: CostCenter, Environment', 4],
      ['Environment=production not in [prod, staging, dev]', 2],
      ['missing: CostCenter, Owner', 2],
      ['Environment=qa not in [prod, staging, dev]', 1],
    ]);

    const windowsJump = page.locator(
      'section[data-rule="security-group"] details[data-finding="tcp 3389 open to 0.0.0.0/0"] tr[data-resource-id="sg-0e6a8c0e2f4b6d8a1"]',
    );
    await expect(windowsJump.isVisible()).resolves.toBe(true);
    await expect(windowsJump.locator('.name').textContent()).resolves.toBe('windows-jump');
    await expect(windowsJump.locator('.also').textContent()).resolves.toBe(
      'tcp 3389 open to ::/0 world-open-blocked-port',
    );

    // Compliant and not-applicable resources are folded away until asked for.
    const folded = page.locator('section[data-rule="public-bucket"] details.others tr.row');
    await expect(folded.first().isVisible()).resolves.toBe(false);
    await page.locator('section[data-rule="public-bucket"] details.others > summary').click();
    await expect(folded.first().isVisible()).resolves.toBe(true);
    await expect(folded.count()).resolves.toBe(7);

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'plumbline-report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('shows a rule with nothing to report as such', async () => {
    const dir = tempDir();
    const file = join(dir, 'clean.html');
    const snapshot = JSON.parse(readFileSync(join(REPO, FIXTURES, 'small-snapshot.json'), 'utf8'));
    snapshot.configurationItems = snapshot.configurationItems.slice(0, 1);
    writeFileSync(join(dir, 'clean.json'), JSON.stringify(snapshot));
    const result = await runCli(
      ['scan', '--snapshot', join(dir, 'clean.json'), '--format', 'html', '--output', file],
      {
        rules: () => [testRule],
      },
    );
    expect(result.code).toBe(0);
    const { page, problems } = await open(pathToFileURL(file).href);
    const text = await page.locator('section[data-rule="test-owner-tag"]').textContent();
    expect(text).toContain('0 non-compliant');
    expect(text).toContain('No finding: every resource evaluated is compliant or not applicable.');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('parses the JUnit report as well-formed XML', async () => {
    const result = await runCli(
      ['scan', '--snapshot', `${FIXTURES}/small-snapshot.json`, '--format', 'junit'],
      {
        rules: () => [testRule],
      },
    );
    const page = await browser.newPage();
    const parsed = await page.evaluate((xml) => {
      // The browser's own XML parser (the project compiles without the DOM library, hence the cast).
      const { DOMParser } = globalThis as unknown as { DOMParser: new () => XmlParser };
      const document = new DOMParser().parseFromString(xml, 'application/xml');
      return {
        errors: document.getElementsByTagName('parsererror').length,
        cases: [...document.getElementsByTagName('testcase')].map((node) => node.getAttribute('name')),
        failures: document.getElementsByTagName('failure').length,
      };
    }, result.stdout);
    expect(parsed).toEqual({
      errors: 0,
      cases: [
        'AWS::EC2::Instance i-0aaa1111bbbb2222c (web <1>) [111122223333 eu-west-1]',
        'AWS::EC2::Instance i-0bbb3333cccc4444d (batch & "co") [111122223333 eu-west-1]',
        'AWS::EC2::Volume vol-0ccc5555dddd6666e [111122223333 eu-west-1]',
      ],
      failures: 1,
    });
    await page.close();
  });
});

/** The example scan's HTML report (examples/), written once for the tests below. */
let exampleUrl: string | undefined;
async function exampleReport(): Promise<string> {
  if (exampleUrl) return exampleUrl;
  const file = join(tempDir(), 'example.html');
  const result = await runCli([
    'scan',
    '--snapshot',
    EXAMPLE_SNAPSHOT,
    '--config',
    EXAMPLE_CONFIG,
    '--html',
    file,
    '--fail-on',
    'none',
  ]);
  expect(result.code).toBe(0);
  exampleUrl = pathToFileURL(file).href;
  return exampleUrl;
}

function writeReport(name: string, page: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, page);
  return pathToFileURL(file).href;
}

/** `[label, count]` of each bar of a figure, as drawn. */
function bars(page: Page, figure: string) {
  return page
    .locator(`svg[data-figure="${figure}"] g.bar`)
    .evaluateAll((nodes) =>
      nodes.map((node) => [node.getAttribute('data-label'), Number(node.getAttribute('data-count'))]),
    );
}

/** `rule › finding › resource` of every row a person can see. */
function visibleRows(page: Page) {
  return page
    .locator('details.finding tr.row')
    .evaluateAll((rows) =>
      rows
        .filter((row) => (row as unknown as { checkVisibility(): boolean }).checkVisibility())
        .map(
          (row) =>
            `${row.closest('section')?.getAttribute('data-rule')} › ${row.closest('details')?.getAttribute('data-finding')} › ${row.getAttribute('data-resource-id')}`,
        ),
    );
}

const filterState = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.documentElement.dataset.filter);

describe.skipIf(skipBrowser)('the HTML report as a triage tool, in Chromium', () => {
  it('draws the figures as SVG with the counts of the scan, and a legend in words', async () => {
    const { page, problems } = await open(await exampleReport());
    await expect(bars(page, 'by-rule')).resolves.toEqual([
      ['public-bucket (critical, 9)', 4],
      ['security-group (high, 8)', 5],
      ['required-tags (low, 3)', 17],
    ]);
    await expect(bars(page, 'by-code')).resolves.toEqual([
      ['public-policy (public-bucket)', 2],
      ['account-block-off (public-bucket)', 1],
      ['public-acl (public-bucket)', 1],
      ['world-open-blocked-port (security-group)', 4],
      ['baseline-extra (security-group)', 1],
      ['missing-tag (required-tags)', 14],
      ['tag-value-not-allowed (required-tags)', 3],
    ]);
    const byType = await bars(page, 'by-type');
    expect(byType[0]).toEqual(['AWS::EC2::SecurityGroup', 9]);
    expect(byType.reduce((sum, [, count]) => sum + Number(count), 0)).toBe(26);
    // One account and region: no figure for them.
    await expect(page.locator('svg[data-figure="by-account"]').count()).resolves.toBe(0);
    // The bars are drawn (a pattern fill the CSP lets through), each with its band in words.
    const box = await page.locator('svg[data-figure="by-rule"] rect[data-severity="critical"]').boundingBox();
    expect(box?.width).toBeGreaterThan(10);
    await expect(page.locator('svg[data-figure="by-type"] text.words').first().textContent()).resolves.toBe(
      'high 5 · low 4',
    );
    await expect(page.locator('.legend li').allInnerTexts()).resolves.toEqual([
      'critical (severity 9–10)',
      'high (severity 7–8)',
      'medium (severity 4–6)',
      'low (severity 0–3)',
    ]);
    expect(problems).toEqual([]);
    await page.close();

    const several = await open(writeReport('accounts.html', formatHtml(triageReport())));
    await expect(bars(several.page, 'by-account')).resolves.toEqual([
      ['111122223333 · eu-west-1', 4815],
      ['444455556666 · us-east-1', 1],
    ]);
    expect(several.problems).toEqual([]);
    await several.page.close();
  });

  it('runs its script under the CSP (allowed by hash, no violation) and filters the rows by text and severity', async () => {
    const { page, problems, requests } = await open(await exampleReport());
    await expect(filterState(page)).resolves.toBe('ready');
    await expect(page.locator('#filters').isVisible()).resolves.toBe(true);
    const status = page.locator('#filter-status');
    await expect(status.textContent()).resolves.toBe('All 26 non-compliant evaluations');
    await expect(visibleRows(page)).resolves.toHaveLength(27);

    await page.locator('#filter-text').fill('windows-jump');
    await page.waitForFunction(
      () => (globalThis as unknown as BrowserGlobals).document.documentElement.dataset.filter === 'active',
    );
    await expect(visibleRows(page)).resolves.toEqual([
      'security-group › tcp 3389 open to 0.0.0.0/0 › sg-0e6a8c0e2f4b6d8a1',
      'security-group › tcp 3389 open to ::/0 › sg-0e6a8c0e2f4b6d8a1',
      'required-tags › Environment=production not in [prod, staging, dev] › sg-0e6a8c0e2f4b6d8a1',
    ]);
    await expect(status.textContent()).resolves.toBe('Showing 2 of 26 non-compliant evaluations');
    await expect(page.locator('section[data-rule="public-bucket"]').isVisible()).resolves.toBe(false);

    await page.locator('#filter-text').fill('');
    await page.locator('#filter-severity').selectOption('critical');
    await expect(status.textContent()).resolves.toBe('Showing 4 of 26 non-compliant evaluations');
    await expect(
      page
        .locator('section.rule')
        .evaluateAll((nodes) =>
          nodes
            .filter((node) => !(node as unknown as { hidden: boolean }).hidden)
            .map((node) => node.getAttribute('data-rule')),
        ),
    ).resolves.toEqual(['public-bucket']);
    await expect(visibleRows(page)).resolves.toHaveLength(4);

    await page.locator('#filter-severity').selectOption('');
    await page.locator('#filter-type').selectOption('AWS::S3::Bucket');
    await page.locator('#filter-rule').selectOption('required-tags');
    await expect(visibleRows(page)).resolves.toEqual([
      'required-tags › missing: CostCenter, Owner, Environment › acme-build-cache',
      'required-tags › missing: CostCenter, Environment › acme-legacy-downloads',
    ]);
    await page.locator('#filter-clear').click();
    await expect(filterState(page)).resolves.toBe('ready');
    await expect(visibleRows(page)).resolves.toHaveLength(27);
    expect(problems).toEqual([]);
    expect(requests).toHaveLength(1);
    await page.close();
  });

  it('refuses a script whose text does not match the hash: a CSP violation, and the filters stay hidden', async () => {
    const page = formatHtml(triageReport()).replace("'use strict';", "'use strict'; ");
    const tampered = await open(writeReport('tampered.html', page));
    expect(tampered.problems.join('\n')).toMatch(/Content Security Policy/);
    await expect(filterState(tampered.page)).resolves.toBeUndefined();
    await expect(tampered.page.locator('#filters').isVisible()).resolves.toBe(false);
    await tampered.page.close();
  });

  it('fits a 420 px phone: no horizontal scrolling, every finding and row within the screen', async () => {
    const longName = `acme-${'x'.repeat(58)}`;
    const longFinding = {
      code: 'public-policy',
      message: `policy statement "${'S'.repeat(120)}" (#1) allows s3:GetObject to *`,
    };
    const report = reportOf([
      evaluation('public-bucket', longName, [longFinding], {
        resourceType: 'AWS::S3::Bucket',
        resourceName: longName,
      }),
      evaluation(
        'security-group',
        'sg-0123456789abcdef0',
        [
          SSH_OPEN,
          {
            code: 'world-open-blocked-port',
            message: 'tcp 22,3306,3389,5432 open to 0.0.0.0/0 via all traffic',
          },
        ],
        {
          resourceType: 'AWS::EC2::SecurityGroup',
          resourceName: 'n'.repeat(90),
          accountId: '444455556666',
          region: 'ap-southeast-2',
        },
      ),
      evaluation(
        'required-tags',
        `arn:aws:lambda:eu-west-1:111122223333:function:${'f'.repeat(64)}`,
        [MISSING_COST_CENTER],
        {
          resourceType: 'AWS::Lambda::Function',
        },
      ),
    ]);
    for (const url of [await exampleReport(), writeReport('phone.html', formatHtml(report))]) {
      const { page, problems } = await open(url, 420);
      await page.evaluate(() => {
        const { document } = globalThis as unknown as BrowserGlobals;
        for (const details of document.querySelectorAll('details')) details.open = true;
      });
      const layout = await page.evaluate(() => {
        const { document, innerWidth } = globalThis as unknown as BrowserGlobals;
        const outside = [
          ...document.querySelectorAll('tr.row td, details > summary, svg[data-figure], #filters *'),
        ]
          .filter((node) => node.getBoundingClientRect().right > innerWidth + 0.5)
          .map((node) => node.outerHTML.slice(0, 120));
        return { scrollWidth: document.documentElement.scrollWidth, width: innerWidth, outside };
      });
      expect(layout.outside).toEqual([]);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
      expect(layout.width).toBe(420);
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});

describe.skipIf(skipBrowser)('the HTML report of several accounts, in Chromium', () => {
  it('shows the accounts table and a heading per account in each rule; the account filter hides the other accounts', async () => {
    const file = join(tempDir(), 'organisation.html');
    await runCli([
      'scan',
      '--snapshot',
      writeOrganisationBucket(),
      '--all-snapshots',
      '--html',
      file,
      '--fail-on',
      'none',
    ]);
    const { page, problems } = await open(pathToFileURL(file).href);
    await expect(filterState(page)).resolves.toBe('ready');
    const headings = () =>
      page
        .locator('section[data-rule="security-group"] div.account')
        .evaluateAll((nodes) =>
          nodes
            .filter((node) => (node as unknown as { checkVisibility(): boolean }).checkVisibility())
            .map((node) => node.getAttribute('data-account')),
        );
    await expect(headings()).resolves.toEqual(['111122223333', '444455556666']);
    await expect(page.locator('#accounts tbody tr').count()).resolves.toBe(2);
    await expect(visibleRows(page)).resolves.toHaveLength(8);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-organisation.png'), fullPage: true });

    await page.locator('#filter-account').selectOption('444455556666');
    await expect(filterState(page)).resolves.toBe('active');
    await expect(headings()).resolves.toEqual(['444455556666']);
    await expect(visibleRows(page)).resolves.toEqual(
      ['sg-021a', 'sg-021b', 'sg-022a', 'sg-022b'].map(
        (id) => `security-group › tcp 22 open to 0.0.0.0/0 › ${id.padEnd(20, '0')}`,
      ),
    );
    expect(problems).toEqual([]);
    await page.close();
  });
});
