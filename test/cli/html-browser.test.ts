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
import { testRule } from '../support/test-rule.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, FIXTURES, REPO, runCli, tempDir } from './support/cli.ts';

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

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

async function open(url: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    await expect(count('COMPLIANT')).resolves.toBe('41');
    await expect(count('NOT_APPLICABLE')).resolves.toBe('1');
    await expect(count('resources')).resolves.toBe('49');

    const sections = page.locator('section.rule');
    await expect(
      sections.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-rule'))),
    ).resolves.toEqual(['security-group', 'required-tags', 'public-bucket']);
    const findings = (rule: string) => page.locator(`section[data-rule="${rule}"] table.findings tbody tr`);
    await expect(findings('security-group').count()).resolves.toBe(5);
    await expect(findings('required-tags').count()).resolves.toBe(17);
    await expect(findings('public-bucket').count()).resolves.toBe(4);

    const windowsJump = page.locator(
      'section[data-rule="security-group"] tr[data-resource-id="sg-0e6a8c0e2f4b6d8a1"]',
    );
    await expect(windowsJump.isVisible()).resolves.toBe(true);
    await expect(windowsJump.locator('li').allInnerTexts()).resolves.toEqual([
      'tcp 3389 open to 0.0.0.0/0 world-open-blocked-port',
      'tcp 3389 open to ::/0 world-open-blocked-port',
    ]);
    await expect(windowsJump.locator('.name').textContent()).resolves.toBe('windows-jump');

    // Compliant and not-applicable resources are folded away until asked for.
    const folded = page.locator('section[data-rule="public-bucket"] table.others');
    await expect(folded.isVisible()).resolves.toBe(false);
    await page.locator('section[data-rule="public-bucket"] details > summary').click();
    await expect(folded.isVisible()).resolves.toBe(true);
    await expect(folded.locator('tbody tr').count()).resolves.toBe(7);

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
