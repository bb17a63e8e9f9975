/**
 * One self-contained HTML file a person triages from: a summary with jump links, figures (inline SVG) of
 * what is non-compliant by rule, resource type, finding code and account, then one section per rule,
 * most severe first, where identical findings are grouped ("missing: CostCenter — 4,812 resources") and
 * the compliant and not-applicable resources are folded away. A small inline script searches and filters
 * the rows; the Content-Security-Policy allows that script by its hash and nothing else: no other script,
 * no request of any kind, so the file can be mailed or archived as a CI artifact and render the same.
 */
import type { Compliance } from '../../shared/core/model.ts';
import { printable } from '../../shared/core/text.ts';
import {
  byAccount,
  type ComplianceCounts,
  describeSource,
  errorResults,
  type ReportEvaluation,
  type ReportRule,
  type ScanReport,
  type SeverityBand,
  severityBand,
  summarise,
  UNKNOWN_ACCOUNT,
} from '../report.ts';
import {
  BANDS,
  type Bar,
  barChart,
  MAX_BARS,
  patternDefs,
  swatch,
  thousands,
  topBars,
} from './html-figures.ts';
import { FILTER_SCRIPT, scriptHashSource } from './html-script.ts';

const LABEL: Record<Compliance, string> = {
  NON_COMPLIANT: 'Non-compliant',
  COMPLIANT: 'Compliant',
  NOT_APPLICABLE: 'Not applicable',
};

const BAND_RANGE: Record<SeverityBand, string> = {
  critical: '9–10',
  high: '7–8',
  medium: '4–6',
  low: '0–3',
};

/** Groups open when the page loads: small ones, while the rows they show stay within a budget. */
const OPEN_GROUP_ROWS = 20;
const OPEN_ROWS_BUDGET = 400;

const CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa;
  --bad: #cf222e; --bad-bg: #ffebe9; --good: #1a7f37; --good-bg: #dafbe1; --na: #59636e; --na-bg: #eff2f5;
  --critical: #a0111f; --critical-bg: #ffe1e5; --high: #bc4c00; --high-bg: #fff1e5;
  --medium: #7d5b00; --medium-bg: #fff8c5; --low: #0550ae; --low-bg: #ddf4ff; --mark: #fff; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
  --card: #151b23; --bad: #ff7b72; --bad-bg: #3c1618; --good: #3fb950; --good-bg: #12261e; --na: #9198a1; --na-bg: #212830;
  --critical: #ff6b81; --critical-bg: #4a0f1b; --high: #ffa657; --high-bg: #3d2410; --medium: #e3b341;
  --medium-bg: #3a2d08; --low: #79c0ff; --low-bg: #0c2d4f; --mark: #0d1117; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; padding: 1.5rem clamp(.75rem, 4vw, 3rem); background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; overflow-wrap: anywhere; }
header p { margin: .25rem 0; color: var(--muted); }
h1 { margin: 0 0 .5rem; font-size: 1.6rem; }
h2 { margin: 0; font-size: 1.25rem; }
a { color: inherit; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 10rem), 1fr)); gap: .75rem; margin: 1.25rem 0; }
.card { padding: .75rem 1rem; border: 1px solid var(--line); border-radius: 8px; background: var(--card); }
.card .count { display: block; font-size: 1.8rem; font-weight: 600; line-height: 1.1; }
.card.NON_COMPLIANT .count { color: var(--bad); } .card.COMPLIANT .count { color: var(--good); }
.card.NOT_APPLICABLE .count { color: var(--na); }
.card small { display: block; color: var(--muted); }
.bands { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 1rem; padding: 0; list-style: none; }
nav#contents { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1.5rem; }
nav#contents ol { margin: .5rem 0 0; padding-left: 1.25rem; }
nav#contents li { margin: .2rem 0; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; }
.badge.NON_COMPLIANT { color: var(--bad); background: var(--bad-bg); }
.badge.COMPLIANT { color: var(--good); background: var(--good-bg); }
.badge.NOT_APPLICABLE { color: var(--na); background: var(--na-bg); }
.badge.critical { color: var(--critical); background: var(--critical-bg); outline: 2px solid var(--critical); }
.badge.high { color: var(--high); background: var(--high-bg); outline: 1px solid var(--high); }
.badge.medium { color: var(--medium); background: var(--medium-bg); outline: 1px dashed var(--medium); }
.badge.low { color: var(--low); background: var(--low-bg); outline: 1px dotted var(--low); }
.fill-critical { fill: var(--critical); } .fill-high { fill: var(--high); } .fill-medium { fill: var(--medium); }
.fill-low { fill: var(--low); }
.mark { stroke: var(--mark); stroke-width: 1.2; opacity: .75; } .mark.dot { stroke: none; fill: var(--mark); }
svg .outline { stroke: var(--fg); stroke-width: .5; }
svg.defs { position: absolute; width: 0; height: 0; overflow: hidden; }
svg.swatch { vertical-align: -1px; margin-right: .35rem; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: .5rem 0 1rem; padding: 0; list-style: none; color: var(--muted); font-size: .9rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 1rem 2rem; }
.figure { margin: 0; max-width: 34rem; }
.figure figcaption { font-weight: 600; margin-bottom: .25rem; }
.figure svg text { fill: var(--fg); font: 13px system-ui, sans-serif; }
.figure svg text.words { fill: var(--muted); font-size: 11px; }
.figure svg text.total { font-weight: 600; }
#filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; padding: .75rem 1rem; margin: 1.5rem 0;
  border: 1px solid var(--line); border-radius: 8px; background: var(--card); position: sticky; top: 0; z-index: 1; }
#filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); min-width: 0; max-width: 100%; }
#filters input, #filters select, #filters button { font: inherit; font-size: .95rem; max-width: 100%; min-width: 0; }
#filters input { width: 16rem; }
#filter-status { flex-basis: 100%; margin: 0; color: var(--muted); font-size: .9rem; }
div.account { margin-top: 1rem; }
div.account h3 { margin: 0; font-size: 1.05rem; }
div.account:not(:has(details.group:not([hidden]))) { display: none; }
section#accounts { margin: 0 0 1.5rem; }
section.rule, section.errors, section.skipped, section#figures { margin: 0 0 2rem; border-top: 1px solid var(--line); padding-top: 1.25rem; }
section.rule { border-left: 4px solid var(--line); padding-left: .75rem; }
section.rule[data-severity="critical"] { border-left: 6px double var(--critical); }
section.rule[data-severity="high"] { border-left-color: var(--high); }
section.rule[data-severity="medium"] { border-left: 4px dashed var(--medium); }
section.rule[data-severity="low"] { border-left: 4px dotted var(--low); }
.rule-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1rem; }
.rule-head p, .rule-counts { margin: .25rem 0 0; color: var(--muted); flex-basis: 100%; }
.code { color: var(--muted); }
.none { color: var(--good); margin-top: 1rem; }
.id { font-weight: 600; } .name { color: var(--muted); }
details { margin-top: .75rem; } summary { cursor: pointer; }
details.group { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .75rem; }
details.group > summary .finding { font-weight: 600; }
details.group > summary .resources { white-space: nowrap; }
details.group.error { border-color: var(--bad); }
details.others > summary { color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin-top: .5rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
th { font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.also { color: var(--muted); font-size: .9em; }
ul.errors { padding-left: 1.25rem; } li.error { color: var(--bad); }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: 1rem; }
@media (max-width: 40rem) {
  table.rows thead { display: none; }
  table.rows tr, table.rows td { display: block; }
  table.rows tr { padding: .35rem 0; border-bottom: 1px solid var(--line); }
  table.rows td { border: 0; padding: .05rem 0; }
  #filters { position: static; }
  #filters label, #filters input { width: 100%; }
}
`;

interface FindingGroup {
  /** The finding as Plumbline words it: a reason's message. */
  message: string;
  code: string;
  error: boolean;
  evaluations: ReportEvaluation[];
}

interface OtherGroup {
  compliance: Compliance;
  annotation: string;
  evaluations: ReportEvaluation[];
}

interface RuleView {
  rule: ReportRule;
  band: SeverityBand;
  counts: ComplianceCounts;
  findings: FindingGroup[];
  others: OtherGroup[];
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${thousands(count)} ${count === 1 ? one : many}`;

export function formatHtml(report: ScanReport): string {
  const summary = summarise(report);
  const source = describeSource(report.source);
  const index = new Map(report.evaluations.map((evaluation, position) => [evaluation, position]));
  const views = sortBySeverity(report.rules).map((rule) =>
    ruleView(rule, report.evaluations, summary.rules[rule.name]),
  );
  const budget = { rows: OPEN_ROWS_BUDGET };
  const nonCompliant = report.evaluations.filter((evaluation) => evaluation.compliance === 'NON_COMPLIANT');
  const flagged = new Set(nonCompliant.map((evaluation) => resourceKey(evaluation))).size;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src ${scriptHashSource(FILTER_SCRIPT)}">
<title>Plumbline report · ${html(source)}</title>
<style>${CSS}</style>
</head>
<body>
${patternDefs()}
<header>
<h1>Plumbline compliance report</h1>
<p>Source: <span class="mono">${html(source)}</span></p>
<p>Generated ${html(report.generatedAt)} by Plumbline ${html(report.version)} · ${plural(summary.evaluations, 'evaluation')} of ${plural(summary.resources, 'resource')} by ${plural(report.rules.length, 'rule')}</p>
</header>
<main>
<div class="cards" id="summary">
${(['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'] as const)
  .map(
    (compliance) =>
      `<div class="card ${compliance}" data-compliance="${compliance}"><span class="count">${thousands(summary[compliance])}</span>${LABEL[compliance]}<small>evaluations</small></div>`,
  )
  .join('\n')}
<div class="card" data-compliance="resources"><span class="count">${thousands(summary.resources)}</span>Resources<small>read</small></div>
<div class="card NON_COMPLIANT" data-compliance="resources-non-compliant"><span class="count">${thousands(flagged)}</span>Resources<small>with a finding</small></div>
${summary.errors > 0 ? `<div class="card NON_COMPLIANT" data-compliance="errors"><span class="count">${thousands(summary.errors)}</span>Errors</div>` : ''}
</div>
${skippedSection(report)}${bandCounts(views)}
${accountsTable(report.evaluations)}
${contents(report, views)}
${figures(views, nonCompliant)}
${filters(report, views, nonCompliant.length)}
${errorsSection(report)}${views.map((view) => ruleSection(view, index, budget)).join('\n')}
</main>
<footer>Each finding names the exact cause, as the Config rule's annotation does. Rules are ordered by severity, most severe first; identical findings are grouped, and a resource with several findings appears under each. Compliant and not-applicable resources are folded under each rule. Counts are evaluations (one per rule and resource) unless they say resources.</footer>
<script>${FILTER_SCRIPT}</script>
</body>
</html>
`;
}

/** Most severe first; rules of equal severity keep the order they ran in. */
function sortBySeverity(rules: readonly ReportRule[]): ReportRule[] {
  return [...rules].sort((a, b) => b.severity - a.severity);
}

const resourceKey = (evaluation: ReportEvaluation) =>
  JSON.stringify([evaluation.accountId, evaluation.region, evaluation.resourceType, evaluation.resourceId]);

function ruleView(
  rule: ReportRule,
  evaluations: readonly ReportEvaluation[],
  counts: ComplianceCounts | undefined,
): RuleView {
  const own = evaluations.filter((evaluation) => evaluation.rule === rule.name);
  return {
    rule,
    band: severityBand(rule.severity),
    counts: counts ?? { NON_COMPLIANT: 0, COMPLIANT: 0, NOT_APPLICABLE: 0 },
    findings: findingGroups(own.filter((evaluation) => evaluation.compliance === 'NON_COMPLIANT')),
    others: otherGroups(own.filter((evaluation) => evaluation.compliance !== 'NON_COMPLIANT')),
  };
}

/**
 * One group per distinct finding (reason code and message); an evaluation with several reasons is in
 * each of their groups. Items that could not be judged come first, then the largest groups.
 */
export function findingGroups(findings: readonly ReportEvaluation[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const evaluation of findings) {
    const reasons =
      evaluation.reasons.length > 0 ? evaluation.reasons : [{ code: '', message: evaluation.annotation }];
    const seen = new Set<string>();
    for (const reason of reasons) {
      const key = JSON.stringify([reason.code, reason.message]);
      if (seen.has(key)) continue;
      seen.add(key);
      const group = groups.get(key) ?? {
        message: reason.message,
        code: reason.code,
        error: false,
        evaluations: [],
      };
      group.error ||= evaluation.error !== undefined;
      group.evaluations.push(evaluation);
      groups.set(key, group);
    }
  }
  return [...groups.values()].sort(
    (a, b) => Number(b.error) - Number(a.error) || b.evaluations.length - a.evaluations.length,
  );
}

function otherGroups(others: readonly ReportEvaluation[]): OtherGroup[] {
  const groups = new Map<string, OtherGroup>();
  for (const evaluation of others) {
    const key = JSON.stringify([evaluation.compliance, evaluation.annotation]);
    const group = groups.get(key) ?? {
      compliance: evaluation.compliance,
      annotation: evaluation.annotation,
      evaluations: [],
    };
    group.evaluations.push(evaluation);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.evaluations.length - a.evaluations.length);
}

function bandBadge(band: SeverityBand, severity?: number): string {
  return `<span class="badge ${band}" data-band="${band}">${band.toUpperCase()}${severity === undefined ? '' : ` · severity ${severity}`}</span>`;
}

/** Non-compliant evaluations per severity band, each a link to its first rule. */
function bandCounts(views: readonly RuleView[]): string {
  const items = BANDS.map((band) => {
    const rules = views.filter((view) => view.band === band);
    const count = rules.reduce((sum, view) => sum + view.counts.NON_COMPLIANT, 0);
    const first = rules[0];
    const text = `${bandBadge(band)} ${thousands(count)} non-compliant`;
    return `<li data-band="${band}" data-count="${count}">${first ? `<a href="#rule-${html(first.rule.name)}">${text}</a>` : text}</li>`;
  });
  return `<ul class="bands" id="by-severity" aria-label="Non-compliant evaluations by severity">${items.join('')}</ul>`;
}

function contents(report: ScanReport, views: readonly RuleView[]): string {
  const items = views.map(
    (view) =>
      `<li><a href="#rule-${html(view.rule.name)}"><code>${html(view.rule.name)}</code></a> ${bandBadge(view.band)} ${thousands(view.counts.NON_COMPLIANT)} non-compliant of ${plural(evaluated(view), 'evaluation')}${view.findings.length > 0 ? ` · ${plural(view.findings.length, 'distinct finding')}` : ''}</li>`,
  );
  const errorCount = errorResults(report).length + report.errors.length;
  const head = [
    ...(errorCount > 0
      ? [`<li><a href="#errors">Errors: ${plural(errorCount, 'item')} not judged</a></li>`]
      : []),
    '<li><a href="#figures">Figures</a></li>',
  ];
  return `<nav id="contents" aria-label="Contents"><h2>Contents</h2><ol>\n${[...head, ...items].join('\n')}\n</ol></nav>`;
}

const evaluated = (view: RuleView) =>
  view.counts.NON_COMPLIANT + view.counts.COMPLIANT + view.counts.NOT_APPLICABLE;

function figures(views: readonly RuleView[], nonCompliant: readonly ReportEvaluation[]): string {
  const legend = `<ul class="legend" aria-label="Severity legend">${BANDS.map((band) => `<li>${swatch(band)}${band} (severity ${BAND_RANGE[band]})</li>`).join('')}</ul>`;
  if (nonCompliant.length === 0) {
    return `<section id="figures"><h2>Figures</h2><p class="none">No non-compliant evaluation: nothing to chart.</p></section>`;
  }
  const bandOf = new Map(views.map((view) => [view.rule.name, view.band]));
  const byRule: Bar[] = views.map((view) => ({
    label: `${view.rule.name} (${view.band}, ${view.rule.severity})`,
    segments: [{ band: view.band, value: view.counts.NON_COMPLIANT }],
  }));
  const stacked = (key: (evaluation: ReportEvaluation) => string) => {
    const bars = new Map<string, Map<SeverityBand, number>>();
    for (const evaluation of nonCompliant) {
      const band = bandOf.get(evaluation.rule) ?? 'low';
      const bar = bars.get(key(evaluation)) ?? new Map<SeverityBand, number>();
      bar.set(band, (bar.get(band) ?? 0) + 1);
      bars.set(key(evaluation), bar);
    }
    return [...bars]
      .map(([label, values]) => ({
        label,
        segments: BANDS.filter((band) => values.has(band)).map((band) => ({
          band,
          value: values.get(band) ?? 0,
        })),
      }))
      .sort((a, b) => sum(b) - sum(a) || a.label.localeCompare(b.label));
  };
  const byCode: Bar[] = views.flatMap((view) => {
    const counts = new Map<string, Set<ReportEvaluation>>();
    for (const group of view.findings) {
      const label = group.code || '(no code)';
      const set = counts.get(label) ?? new Set<ReportEvaluation>();
      for (const evaluation of group.evaluations) set.add(evaluation);
      counts.set(label, set);
    }
    return [...counts]
      .map(([code, set]) => ({
        label: `${code} (${view.rule.name})`,
        segments: [{ band: view.band, value: set.size }],
      }))
      .sort((a, b) => sum(b) - sum(a));
  });
  const byPlace = stacked((evaluation) => `${evaluation.accountId ?? '?'} · ${evaluation.region ?? '?'}`);
  const charts = [
    barChart('by-rule', 'Non-compliant evaluations by rule and severity', byRule, html),
    barChart(
      'by-type',
      'Non-compliant evaluations by resource type',
      topBars(
        stacked((evaluation) => evaluation.resourceType),
        MAX_BARS,
        (count) => `${count} other types`,
      ),
      html,
    ),
    barChart(
      'by-code',
      'Non-compliant evaluations by finding code',
      topBars(byCode, MAX_BARS, (count) => `${count} other codes`),
      html,
    ),
    ...(byPlace.length > 1
      ? [
          barChart(
            'by-account',
            'Non-compliant evaluations by account and region',
            topBars(byPlace, MAX_BARS, (count) => `${count} other accounts and regions`),
            html,
          ),
        ]
      : []),
  ];
  return `<section id="figures"><h2>Figures</h2>\n${legend}\n<div class="figures">\n${charts.join('\n')}\n</div></section>`;
}

const sum = (bar: Bar) => bar.segments.reduce((total, segment) => total + segment.value, 0);

function options(values: Iterable<string>): string {
  return [...new Set(values)]
    .sort()
    .map((value) => `<option value="${html(value)}">${html(value)}</option>`)
    .join('');
}

/** Shown by the script once it runs: without it (a viewer that blocks scripts) no dead controls are shown. */
function filters(report: ScanReport, views: readonly RuleView[], nonCompliant: number): string {
  const places = report.evaluations.flatMap((evaluation) =>
    evaluation.accountId === undefined
      ? []
      : [
          evaluation.accountId,
          ...(evaluation.region ? [`${evaluation.accountId} ${evaluation.region}`] : []),
        ],
  );
  const rules = views.map(
    (view) => `<option value="${html(view.rule.name)}">${html(view.rule.name)}</option>`,
  );
  const bands = BANDS.map((band) => `<option value="${band}">${band}</option>`);
  return `<div id="filters" role="search" hidden>
<label>Search<input type="search" id="filter-text" placeholder="resource, finding, tag…" autocomplete="off"></label>
<label>Rule<select id="filter-rule"><option value="">all rules</option>${rules.join('')}</select></label>
<label>Severity<select id="filter-severity"><option value="">all severities</option>${bands.join('')}</select></label>
<label>Resource type<select id="filter-type"><option value="">all types</option>${options(report.evaluations.map((evaluation) => evaluation.resourceType))}</select></label>
<label>Account · region<select id="filter-account"><option value="">all accounts</option>${options(places)}</select></label>
<button type="button" id="filter-clear">Clear</button>
<p id="filter-status" role="status" data-total="${nonCompliant}">All ${thousands(nonCompliant)} non-compliant evaluations</p>
</div>`;
}

function ruleSection(view: RuleView, index: Map<ReportEvaluation, number>, budget: { rows: number }): string {
  const { rule, band, counts } = view;
  const total = evaluated(view);
  const accounts = byAccount(view.findings.flatMap((group) => group.evaluations));
  const body =
    view.findings.length > 0
      ? accounts.length > 1
        ? accounts.map(([account, members]) => accountFindings(account, members, index, budget)).join('\n')
        : view.findings.map((group) => findingGroup(group, index, budget)).join('\n')
      : `<p class="none">${total > 0 ? 'No finding: every resource evaluated is compliant or not applicable.' : 'No resource of its types was read.'}</p>`;
  const listed = view.others.reduce((sum, group) => sum + group.evaluations.length, 0);
  const unlisted = counts.COMPLIANT + counts.NOT_APPLICABLE - listed;
  // A large scan keeps only so many compliant rows (LISTED_OTHERS in format/index.ts): say how many more.
  const others = `${view.others.map((group) => otherGroup(group)).join('\n')}${unlisted > 0 ? `\n<p class="none">${plural(unlisted, 'more evaluation')} not listed (the report lists the first ${thousands(listed)} compliant and not-applicable ones)</p>` : ''}`;
  return `<section class="rule" id="rule-${html(rule.name)}" data-rule="${html(rule.name)}" data-severity="${band}">
<div class="rule-head">
<h2><code>${html(rule.name)}</code></h2>
${bandBadge(band, rule.severity)}
<span class="badge NON_COMPLIANT">${thousands(counts.NON_COMPLIANT)} non-compliant</span>
<span class="badge COMPLIANT">${thousands(counts.COMPLIANT)} compliant</span>
<span class="badge NOT_APPLICABLE">${thousands(counts.NOT_APPLICABLE)} not applicable</span>
<p>${html(rule.description)}</p>
<p class="rule-counts">${plural(total, 'resource')} evaluated (one evaluation each): ${thousands(counts.NON_COMPLIANT)} non-compliant${view.findings.length > 0 ? `, in ${plural(view.findings.length, 'distinct finding')}` : ''}.</p>
</div>
${body}
${view.others.length > 0 || unlisted > 0 ? `<details class="others"><summary>${thousands(counts.COMPLIANT)} compliant and ${thousands(counts.NOT_APPLICABLE)} not applicable</summary>\n${others}\n</details>` : ''}
</section>`;
}

/** A rule's findings in one account, under the account's heading (with several accounts in the report). */
function accountFindings(
  account: string,
  evaluations: readonly ReportEvaluation[],
  index: Map<ReportEvaluation, number>,
  budget: { rows: number },
): string {
  const title =
    account === UNKNOWN_ACCOUNT ? 'Account unknown' : `Account <span class="mono">${html(account)}</span>`;
  const groups = findingGroups(evaluations).map((group) => findingGroup(group, index, budget));
  return `<div class="account" data-account="${html(account === UNKNOWN_ACCOUNT ? '' : account)}">
<h3>${title} · ${plural(evaluations.length, 'non-compliant resource')}</h3>
${groups.join('\n')}
</div>`;
}

/**
 * With several accounts, a table of them under the summary, the most non-compliant first: where to start in
 * an organisation.
 */
function accountsTable(evaluations: readonly ReportEvaluation[]): string {
  const accounts = byAccount(evaluations);
  if (accounts.length < 2) return '';
  const rows = accounts
    .map(([account, members]) => {
      const counts: ComplianceCounts = { NON_COMPLIANT: 0, COMPLIANT: 0, NOT_APPLICABLE: 0 };
      for (const member of members) counts[member.compliance]++;
      const regions = new Set(members.map((member) => member.region).filter(Boolean)).size;
      return { account, counts, regions };
    })
    .sort((a, b) => b.counts.NON_COMPLIANT - a.counts.NON_COMPLIANT)
    .map(
      ({ account, counts, regions }) =>
        `<tr data-account="${html(account === UNKNOWN_ACCOUNT ? '' : account)}"><td class="mono">${html(account)}</td><td>${thousands(counts.NON_COMPLIANT)}</td><td>${thousands(counts.COMPLIANT)}</td><td>${thousands(counts.NOT_APPLICABLE)}</td><td>${thousands(regions)}</td></tr>`,
    );
  return `<section id="accounts"><h2>By account (${thousands(accounts.length)})</h2>
<table class="accounts">
<thead><tr><th>Account</th><th>Non-compliant</th><th>Compliant</th><th>Not applicable</th><th>Regions</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></section>`;
}

function openByDefault(rows: number, budget: { rows: number }): boolean {
  if (rows > OPEN_GROUP_ROWS || rows > budget.rows) return false;
  budget.rows -= rows;
  return true;
}

function findingGroup(
  group: FindingGroup,
  index: Map<ReportEvaluation, number>,
  budget: { rows: number },
): string {
  const count = group.evaluations.length;
  const own = JSON.stringify([group.code, group.message]);
  const alsoColumn = group.evaluations.some((evaluation) => evaluation.reasons.length > 1);
  const rows = group.evaluations.map((evaluation) => {
    const also = alsoColumn
      ? `\n<td class="also">${evaluation.reasons
          .filter((reason) => JSON.stringify([reason.code, reason.message]) !== own)
          .map((reason) => `${html(reason.message)} <span class="code mono">${html(reason.code)}</span>`)
          .join('<br>')}</td>`
      : '';
    return `${rowStart(evaluation, ` data-e="${index.get(evaluation)}"`)}${resourceCell(evaluation)}${evaluation.error !== undefined ? '<br><span class="badge NON_COMPLIANT">Error: could not be evaluated</span>' : ''}</td>
${placeCells(evaluation)}${also}
</tr>`;
  });
  const head = `<th>Resource</th><th>Type</th><th>Account · region</th>${alsoColumn ? '<th>Other findings</th>' : ''}`;
  return `<details class="group finding${group.error ? ' error' : ''}" data-code="${html(group.code)}" data-finding="${html(group.message)}" data-count="${count}"${openByDefault(count, budget) ? ' open' : ''}>
<summary>${group.error ? '<span class="badge NON_COMPLIANT">Error</span> ' : ''}<span class="finding">${html(group.message)}</span> <span class="code mono">${html(group.code)}</span> — <span class="resources">${plural(count, 'resource')}</span><span class="shown"></span></summary>
${rowsTable(head, rows)}
</details>`;
}

function otherGroup(group: OtherGroup): string {
  const count = group.evaluations.length;
  const rows = group.evaluations.map(
    (evaluation) => `${rowStart(evaluation, '')}${resourceCell(evaluation)}</td>
${placeCells(evaluation)}
</tr>`,
  );
  return `<details class="group other" data-compliance="${group.compliance}" data-finding="${html(group.annotation)}" data-count="${count}"${count <= OPEN_GROUP_ROWS ? ' open' : ''}>
<summary><span class="badge ${group.compliance}">${LABEL[group.compliance]}</span> ${html(group.annotation)} — <span class="resources">${plural(count, 'resource')}</span><span class="shown"></span></summary>
${rowsTable('<th>Resource</th><th>Type</th><th>Account · region</th>', rows)}
</details>`;
}

function rowsTable(head: string, rows: readonly string[]): string {
  return `<table class="rows">
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** The row's opening tag with what the filter reads, then its first cell opened. */
function rowStart(evaluation: ReportEvaluation, extra: string): string {
  return `<tr class="row" data-type="${html(evaluation.resourceType)}" data-account="${html(evaluation.accountId ?? '')}" data-region="${html(evaluation.region ?? '')}"${extra} data-resource-id="${html(evaluation.resourceId)}">
<td>`;
}

function placeCells(evaluation: ReportEvaluation): string {
  return `<td class="mono">${html(evaluation.resourceType)}</td>
<td class="mono">${html(evaluation.accountId ?? '')} ${html(evaluation.region ?? '')}</td>`;
}

/** Rules refused and items no evaluation stands for, then the items judged fail-closed, by rule. */
function errorsSection(report: ScanReport): string {
  const judged = errorResults(report);
  if (report.errors.length === 0 && judged.length === 0) return '';
  const items = report.errors.map((error) => {
    const where = error.location
      ? ` <span class="code mono">${html(error.location.file)}${error.location.line ? `:${error.location.line}` : ''}</span>`
      : '';
    return `<li class="error">${html(error.message)}${where}</li>`;
  });
  const byRule = new Map<string, number>();
  for (const evaluation of judged) byRule.set(evaluation.rule, (byRule.get(evaluation.rule) ?? 0) + 1);
  const failClosed = [...byRule].map(
    ([rule, count]) =>
      `<li class="error"><a href="#rule-${html(rule)}"><code>${html(rule)}</code></a>: ${plural(count, 'item')} could not be evaluated and ${count === 1 ? 'is' : 'are'} judged NON_COMPLIANT (listed first in the rule)</li>`,
  );
  return `<section class="errors" id="errors">\n<h2>Errors</h2>\n<ul class="errors">${[...items, ...failClosed].join('\n')}</ul>\n</section>\n`;
}

/** Selected rules that did not run, each with its reason: under the summary, so none reads as passed. */
function skippedSection(report: ScanReport): string {
  const skipped = report.skipped ?? [];
  if (skipped.length === 0) return '';
  const items = skipped.map(
    ({ rule, reason }) => `<li class="skipped"><code>${html(rule)}</code>: ${html(reason)}</li>`,
  );
  return `<section class="skipped" id="skipped">\n<h2>Skipped rules</h2>\n<ul class="skipped">${items.join('\n')}</ul>\n</section>\n`;
}

/** The id, and the name a person knows below it. */
function resourceCell(evaluation: ReportEvaluation): string {
  const name = evaluation.resourceName || evaluation.nameTag;
  const label = name && name !== evaluation.resourceId ? `<br><span class="name">${html(name)}</span>` : '';
  return `<span class="mono id">${html(evaluation.resourceId)}</span>${label}`;
}

/**
 * Entities for the markup characters, after `printable`: entities alone leave a bidi override (U+202E)
 * working, and it can make a finding read backwards.
 */
export function html(text: string): string {
  return printable(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
