/**
 * The HTML report's markup, read without a browser (test/cli/html-browser.test.ts opens it in Chromium):
 * severity order, grouped findings and their counts, thousands separators, figures' counts, errors kept
 * in view, and the script hash in the Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatHtml } from '../../cli/format/html.ts';
import {
  evaluation,
  MISSING_COST_CENTER,
  PUBLIC_ACL,
  reportOf,
  SSH_OPEN,
  triageReport,
} from './support/html-report.ts';

const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => match[1]);

/** The markup of one rule's section. */
function section(page: string, rule: string): string {
  const start = page.indexOf(`<section class="rule" id="rule-${rule}"`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf('</section>', start));
}

/** `label → count` of one figure's bars. */
function bars(page: string, figure: string): Record<string, number> {
  const start = page.indexOf(`<svg data-figure="${figure}"`);
  if (start === -1) return {};
  const svg = page.slice(start, page.indexOf('</svg>', start));
  return Object.fromEntries(
    [...svg.matchAll(/<g class="bar" data-label="([^"]*)" data-count="(\d+)">/g)].map((match) => [
      match[1],
      Number(match[2]),
    ]),
  );
}

describe('the HTML report, read as markup', () => {
  const page = formatHtml(triageReport());

  it('orders the rule sections and the contents by severity, critical first', () => {
    expect(all(page, /<section class="rule" id="rule-[^"]+" data-rule="([^"]+)"/g)).toEqual([
      'public-bucket',
      'security-group',
      'required-tags',
    ]);
    expect(all(page, /<section class="rule" [^>]*data-severity="([^"]+)"/g)).toEqual([
      'critical',
      'high',
      'low',
    ]);
    const contents = page.slice(page.indexOf('<nav id="contents"'), page.indexOf('</nav>'));
    expect(all(contents, /<a href="#([^"]+)"/g)).toEqual([
      'errors',
      'figures',
      'rule-public-bucket',
      'rule-security-group',
      'rule-required-tags',
    ]);
    // The summary, contents and figures come before the first section.
    expect(page.indexOf('id="summary"')).toBeLessThan(page.indexOf('<nav id="contents"'));
    expect(page.indexOf('id="figures"')).toBeLessThan(page.indexOf('<section class="rule"'));
  });

  it('groups identical findings with a resource count, with thousands separators', () => {
    const tags = section(page, 'required-tags');
    expect(tags).toContain(
      '<span class="finding">missing: CostCenter</span> <span class="code mono">missing-tag</span> — <span class="resources">4,812 resources</span>',
    );
    expect(all(tags, /<details class="group finding[^"]*" [^>]*data-count="(\d+)"/g)).toEqual(['4812']);
    expect(tags.match(/<tr class="row"/g)).toHaveLength(4812 + 3);
    expect(tags).toContain(
      '4,815 resources evaluated (one evaluation each): 4,812 non-compliant, in 1 distinct finding.',
    );
    // The compliant ones are folded under their own summary, grouped by annotation.
    expect(tags).toContain('<details class="others"><summary>3 compliant and 0 not applicable</summary>');
    expect(tags).toContain(
      '<span class="badge COMPLIANT">Compliant</span> all required tags present — <span class="resources">3 resources</span>',
    );
  });

  it('counts resources and evaluations apart in the summary, with thousands separators', () => {
    const card = (name: string) =>
      new RegExp(`data-compliance="${name}"><span class="count">([^<]+)</span>`).exec(page)?.[1];
    expect(card('NON_COMPLIANT')).toBe('4,816');
    expect(card('COMPLIANT')).toBe('3');
    expect(card('resources')).toBe('4,819');
    expect(card('resources-non-compliant')).toBe('4,816');
    expect(card('errors')).toBe('1');
    expect(page).toContain('4,819 evaluations of 4,819 resources by 3 rules');
    expect(all(page, /<li data-band="\w+" data-count="(\d+)">/g)).toEqual(['1', '3', '0', '4812']);
  });

  it('lists a resource with two findings under each, and the other finding beside it', () => {
    const groups = section(page, 'security-group');
    expect(all(groups, /data-finding="([^"]+)"/g)).toEqual([
      'cannot evaluate: ipPermissions is not a list',
      'tcp 22 open to 0.0.0.0/0',
      'tcp 3389 open to 0.0.0.0/0',
    ]);
    expect(all(groups, /data-resource-id="(sg-0bbb)"/g)).toHaveLength(2);
    expect(groups).toContain(
      '<td class="also">tcp 3389 open to 0.0.0.0/0 <span class="code mono">world-open-blocked-port</span></td>',
    );
    expect(groups).toContain('— <span class="resources">2 resources</span>');
  });

  it('keeps items that could not be judged in view: first in their rule, marked, and in the errors section', () => {
    const groups = section(page, 'security-group');
    expect(groups.indexOf('<details class="group finding error"')).toBeLessThan(
      groups.indexOf('tcp 22 open'),
    );
    expect(groups).toContain('<span class="badge NON_COMPLIANT">Error: could not be evaluated</span>');
    const errors = page.slice(
      page.indexOf('<section class="errors" id="errors">'),
      page.indexOf('</section>', page.indexOf('id="errors"')),
    );
    expect(errors).toContain(
      '<a href="#rule-security-group"><code>security-group</code></a>: 1 item could not be evaluated and is judged NON_COMPLIANT',
    );
    const refused = formatHtml(
      reportOf([], {
        errors: [
          {
            message: 'public-bucket: publicAccess "everything" is not one of read, write, any',
            rule: 'public-bucket',
          },
        ],
      }),
    );
    expect(refused).toContain(
      '<li class="error">public-bucket: publicAccess &quot;everything&quot; is not one of read, write, any</li>',
    );
    expect(refused).toContain('<a href="#errors">Errors: 1 item not judged</a>');
  });

  it('draws the figures with the counts of the report', () => {
    expect(bars(page, 'by-rule')).toEqual({
      'public-bucket (critical, 9)': 1,
      'security-group (high, 8)': 3,
      'required-tags (low, 3)': 4812,
    });
    expect(bars(page, 'by-type')).toEqual({
      'AWS::EC2::Instance': 4812,
      'AWS::EC2::SecurityGroup': 3,
      'AWS::S3::Bucket': 1,
    });
    expect(bars(page, 'by-code')).toEqual({
      'public-acl (public-bucket)': 1,
      'world-open-blocked-port (security-group)': 2,
      'cannot-evaluate (security-group)': 1,
      'missing-tag (required-tags)': 4812,
    });
    expect(bars(page, 'by-account')).toEqual({
      '111122223333 · eu-west-1': 4815,
      '444455556666 · us-east-1': 1,
    });
    // Every segment carries its band in words, not only in colour.
    expect(page).toContain('<text x="0" y="152" class="words">low 4,812</text>');
  });

  it('draws no account figure for one account and region, and sums the types beyond twelve into one bar', () => {
    const types = Array.from({ length: 15 }, (_, index) =>
      evaluation('required-tags', `r-${index}`, [MISSING_COST_CENTER], {
        resourceType: `AWS::Service${index}::Thing`,
      }),
    );
    const small = formatHtml(reportOf(types));
    expect(bars(small, 'by-account')).toEqual({});
    const byType = bars(small, 'by-type');
    expect(Object.keys(byType)).toHaveLength(12);
    expect(byType['4 other types']).toBe(4);
  });

  it('opens small groups and leaves large ones folded', () => {
    expect(section(page, 'required-tags')).toMatch(/<details class="group finding" [^>]*data-count="4812">/);
    expect(section(page, 'public-bucket')).toMatch(
      /<details class="group finding" [^>]*data-count="1" open>/,
    );
  });

  it('allows exactly its inline script by hash, and nothing else', () => {
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '');
    expect(scripts).toHaveLength(1);
    const digest = createHash('sha256')
      .update(scripts[0] ?? '')
      .digest('base64');
    expect(page).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${digest}'"`,
    );
    expect(page).not.toMatch(/<script[^>]*src=|<link |<img |@import|url\(http/);
  });

  it('lists each skipped rule with its reason under the summary cards, escaped, and no section when none', () => {
    const skipped = formatHtml(
      reportOf([], {
        skipped: [
          { rule: 'root-mfa', reason: 'rule root-mfa skipped: it needs the IAM account summary' },
          { rule: 'x<b>', reason: 'aggregator <img src=x>\u202e' },
        ],
      }),
    );
    expect(skipped).toContain(
      [
        '</div>',
        '<section class="skipped" id="skipped">',
        '<h2>Skipped rules</h2>',
        '<ul class="skipped"><li class="skipped"><code>root-mfa</code>: rule root-mfa skipped: it needs the IAM account summary</li>',
        '<li class="skipped"><code>x&lt;b&gt;</code>: aggregator &lt;img src=x&gt;\\u202e</li></ul>',
        '</section>',
      ].join('\n'),
    );
    expect(skipped.indexOf('id="skipped"')).toBeGreaterThan(skipped.indexOf('id="summary"'));
    expect(page).not.toContain('id="skipped"');
  });

  it('escapes hostile text in findings, figures and filter options', () => {
    const hostile = formatHtml(
      reportOf([
        evaluation('required-tags', 'i-1', [{ code: 'missing-tag', message: 'missing: <img src=x>\u202e' }], {
          resourceType: 'AWS::<b>::"x"',
        }),
      ]),
    );
    expect(hostile).not.toContain('<img src=x>');
    expect(hostile).not.toContain('<b>');
    expect(hostile).toContain('data-finding="missing: &lt;img src=x&gt;\\u202e"');
    expect(hostile).toContain('<option value="AWS::&lt;b&gt;::&quot;x&quot;">');
    expect(hostile).toContain('<g class="bar" data-label="AWS::&lt;b&gt;::&quot;x&quot;"');
  });
});

describe('grouping', () => {
  it('puts every non-compliant evaluation in at least one group and counts each once per group', () => {
    const page = formatHtml(
      reportOf([
        evaluation('security-group', 'sg-1', [SSH_OPEN, SSH_OPEN]),
        evaluation('public-bucket', 'b-1', [PUBLIC_ACL]),
        evaluation('public-bucket', 'b-2', [], { annotation: 'unlisted cause' }),
      ]),
    );
    expect(section(page, 'security-group')).toContain('— <span class="resources">1 resource</span>');
    expect(all(section(page, 'public-bucket'), /data-finding="([^"]+)" data-count="(?:\d+)"/g)).toEqual([
      'ACL grants READ to AllUsers',
      'unlisted cause',
    ]);
  });
});
