/**
 * One self-contained HTML file a person opens in a browser: summary counts, then per rule the
 * non-compliant resources with every reason, and the compliant and not-applicable ones folded away.
 * No script, no external request (the Content-Security-Policy forbids both), so it can be mailed or
 * archived as a CI artifact and still render the same.
 */
import type { Compliance } from '../../shared/core/model.ts';
import { printable } from '../../shared/core/text.ts';
import {
  type ComplianceCounts,
  describeSource,
  type ReportEvaluation,
  type ReportRule,
  type ScanReport,
  severityBand,
  summarise,
} from '../report.ts';

const LABEL: Record<Compliance, string> = {
  NON_COMPLIANT: 'Non-compliant',
  COMPLIANT: 'Compliant',
  NOT_APPLICABLE: 'Not applicable',
};

const CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa;
  --bad: #cf222e; --bad-bg: #ffebe9; --good: #1a7f37; --good-bg: #dafbe1; --na: #59636e; --na-bg: #eff2f5; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
  --card: #151b23; --bad: #ff7b72; --bad-bg: #3c1618; --good: #3fb950; --good-bg: #12261e; --na: #9198a1; --na-bg: #212830; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 2rem clamp(1rem, 4vw, 3rem); background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header p { margin: .25rem 0; color: var(--muted); }
h1 { margin: 0 0 .5rem; font-size: 1.6rem; }
h2 { margin: 0; font-size: 1.25rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 1rem; margin: 1.5rem 0 2rem; }
.card { padding: 1rem 1.25rem; border: 1px solid var(--line); border-radius: 8px; background: var(--card); }
.card .count { display: block; font-size: 2rem; font-weight: 600; line-height: 1.1; }
.card.NON_COMPLIANT .count { color: var(--bad); } .card.COMPLIANT .count { color: var(--good); }
.card.NOT_APPLICABLE .count { color: var(--na); }
section.rule { margin: 0 0 2.5rem; border-top: 1px solid var(--line); padding-top: 1.25rem; }
.rule-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1rem; }
.rule-head p { margin: .25rem 0 0; color: var(--muted); flex-basis: 100%; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.badge.NON_COMPLIANT, .badge.high, .badge.critical { color: var(--bad); background: var(--bad-bg); }
.badge.COMPLIANT { color: var(--good); background: var(--good-bg); }
.badge.NOT_APPLICABLE, .badge.low, .badge.medium { color: var(--na); background: var(--na-bg); }
table { width: 100%; border-collapse: collapse; margin-top: 1rem; }
th, td { text-align: left; vertical-align: top; padding: .5rem .75rem; border-bottom: 1px solid var(--line); }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
td ul { margin: 0; padding-left: 1.1rem; }
td li + li { margin-top: .25rem; }
.code { color: var(--muted); }
.none { color: var(--good); margin-top: 1rem; }
.id { white-space: nowrap; font-weight: 600; } .name { color: var(--muted); }
details { margin-top: 1rem; } summary { cursor: pointer; color: var(--muted); }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: 1rem; }
`;

export function formatHtml(report: ScanReport): string {
  const summary = summarise(report);
  const source = describeSource(report.source);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Plumbline report · ${html(source)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Plumbline compliance report</h1>
<p>Source: <span class="mono">${html(source)}</span></p>
<p>Generated ${html(report.generatedAt)} by Plumbline ${html(report.version)} · ${summary.evaluations} evaluations of ${summary.resources} resources by ${report.rules.length} rules</p>
</header>
<main>
<div class="cards" id="summary">
${(['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'] as const)
  .map(
    (compliance) =>
      `<div class="card ${compliance}" data-compliance="${compliance}"><span class="count">${summary[compliance]}</span>${LABEL[compliance]}</div>`,
  )
  .join('\n')}
<div class="card" data-compliance="resources"><span class="count">${summary.resources}</span>Resources</div>
${summary.errors > 0 ? `<div class="card NON_COMPLIANT" data-compliance="errors"><span class="count">${summary.errors}</span>Errors</div>` : ''}
</div>
${errorsSection(report)}${report.rules.map((rule) => ruleSection(rule, report.evaluations, summary.rules[rule.name])).join('\n')}
</main>
<footer>Each finding names the exact cause, as the Config rule's annotation does. Non-compliant resources are listed first; compliant and not-applicable ones are folded under each rule.</footer>
</body>
</html>
`;
}

function ruleSection(
  rule: ReportRule,
  evaluations: readonly ReportEvaluation[],
  counts: ComplianceCounts | undefined,
): string {
  const own = evaluations.filter((evaluation) => evaluation.rule === rule.name);
  const findings = own.filter((evaluation) => evaluation.compliance === 'NON_COMPLIANT');
  const others = own.filter((evaluation) => evaluation.compliance !== 'NON_COMPLIANT');
  const band = severityBand(rule.severity);
  const tally = counts ?? { NON_COMPLIANT: 0, COMPLIANT: 0, NOT_APPLICABLE: 0 };
  return `<section class="rule" id="rule-${html(rule.name)}" data-rule="${html(rule.name)}">
<div class="rule-head">
<h2><code>${html(rule.name)}</code></h2>
<span class="badge ${band}">severity ${rule.severity} · ${band}</span>
<span class="badge NON_COMPLIANT">${tally.NON_COMPLIANT} non-compliant</span>
<span class="badge COMPLIANT">${tally.COMPLIANT} compliant</span>
<span class="badge NOT_APPLICABLE">${tally.NOT_APPLICABLE} not applicable</span>
<p>${html(rule.description)}</p>
</div>
${findings.length > 0 ? findingsTable(findings) : `<p class="none">${own.length > 0 ? 'No finding: every resource evaluated is compliant or not applicable.' : 'No resource of its types was read.'}</p>`}
${others.length > 0 ? `<details><summary>${tally.COMPLIANT} compliant and ${tally.NOT_APPLICABLE} not applicable</summary>\n${othersTable(others)}\n</details>` : ''}
</section>`;
}

/** Rules refused and items no evaluation stands for; items judged fail-closed are marked in their rule. */
function errorsSection(report: ScanReport): string {
  if (report.errors.length === 0) return '';
  const items = report.errors.map((error) => {
    const where = error.location
      ? ` <span class="code mono">${html(error.location.file)}${error.location.line ? `:${error.location.line}` : ''}</span>`
      : '';
    return `<li class="error">${html(error.message)}${where}</li>`;
  });
  return `<section class="rule" id="errors">\n<h2>Errors</h2>\n<ul>${items.join('\n')}</ul>\n</section>`;
}

function findingsTable(findings: readonly ReportEvaluation[]): string {
  const rows = findings.map(
    (evaluation) => `<tr class="finding" data-resource-id="${html(evaluation.resourceId)}">
<td>${resourceCell(evaluation)}${evaluation.error !== undefined ? '<br><span class="badge NON_COMPLIANT">Error: could not be evaluated</span>' : ''}</td>
<td class="mono">${html(evaluation.resourceType)}</td>
<td class="mono">${html(evaluation.accountId ?? '')}<br>${html(evaluation.region ?? '')}</td>
<td><ul>${evaluation.reasons.map((reason) => `<li>${html(reason.message)} <span class="code mono">${html(reason.code)}</span></li>`).join('')}</ul></td>
</tr>`,
  );
  return `<table class="findings">
<thead><tr><th>Resource</th><th>Type</th><th>Account · region</th><th>Reasons</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function othersTable(evaluations: readonly ReportEvaluation[]): string {
  const rows = evaluations.map(
    (evaluation) => `<tr data-resource-id="${html(evaluation.resourceId)}">
<td><span class="badge ${evaluation.compliance}">${LABEL[evaluation.compliance]}</span></td>
<td>${resourceCell(evaluation)}</td>
<td class="mono">${html(evaluation.resourceType)}</td>
<td>${html(evaluation.annotation)}</td>
</tr>`,
  );
  return `<table class="others">
<thead><tr><th>Compliance</th><th>Resource</th><th>Type</th><th>Annotation</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** The id on one line (ids never wrap), the name a person knows below it. */
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
