/**
 * JUnit XML for CI systems (Jenkins, GitLab, Azure Pipelines, GitHub test reporters): a test suite per
 * rule, a test case per resource; non-compliant is a failure whose message is the annotation and whose
 * body lists each reason with its code; not applicable is skipped. An item that could not be read or judged
 * is an error (not a failure); rules refused and unreadable items without a resource are the errors of a
 * last suite, `plumbline.errors`.
 */

import { printable } from '../../shared/core/text.ts';
import {
  describeSource,
  errorResults,
  type ReportError,
  type ReportEvaluation,
  resourceLabel,
  type ScanReport,
  summarise,
} from '../report.ts';

export function formatJunit(report: ScanReport): string {
  const summary = summarise(report);
  const timestamp = report.generatedAt.replace(/\.\d+Z$/, '');
  const errored = errorResults(report);
  const tests = summary.evaluations + report.errors.length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="plumbline" tests="${tests}" failures="${summary.NON_COMPLIANT - errored.length}" errors="${summary.errors}" skipped="${summary.NOT_APPLICABLE}" time="0" timestamp="${timestamp}">`,
  ];
  for (const rule of report.rules) {
    const counts = summary.rules[rule.name] ?? { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
    const tests = counts.COMPLIANT + counts.NON_COMPLIANT + counts.NOT_APPLICABLE;
    const errors = errored.filter((evaluation) => evaluation.rule === rule.name).length;
    lines.push(
      `  <testsuite name="${xml(rule.name)}" tests="${tests}" failures="${counts.NON_COMPLIANT - errors}" errors="${errors}" skipped="${counts.NOT_APPLICABLE}" time="0" timestamp="${timestamp}">`,
      '    <properties>',
      `      <property name="description" value="${xml(rule.description)}"/>`,
      `      <property name="severity" value="${rule.severity}"/>`,
      `      <property name="source" value="${xml(describeSource(report.source))}"/>`,
      '    </properties>',
    );
    for (const evaluation of report.evaluations.filter((candidate) => candidate.rule === rule.name)) {
      lines.push(...testCase(evaluation));
    }
    lines.push('  </testsuite>');
  }
  if (report.errors.length > 0) lines.push(...errorSuite(report.errors, timestamp));
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function testCase(evaluation: ReportEvaluation): string[] {
  const where = [evaluation.accountId, evaluation.region].filter(Boolean).join(' ');
  const name = `${evaluation.resourceType} ${resourceLabel(evaluation)}${where ? ` [${where}]` : ''}`;
  const open = `    <testcase classname="plumbline.${xml(evaluation.rule)}" name="${xml(name)}" time="0"`;
  if (evaluation.compliance === 'COMPLIANT') return [`${open}/>`];
  if (evaluation.compliance === 'NOT_APPLICABLE') {
    return [`${open}>`, `      <skipped message="${xml(evaluation.annotation)}"/>`, '    </testcase>'];
  }
  const body = evaluation.reasons.map((reason) => xml(`[${reason.code}] ${reason.message}`)).join('\n');
  if (evaluation.error !== undefined) {
    return [
      `${open}>`,
      `      <error type="CANNOT_EVALUATE" message="${xml(evaluation.annotation)}">${body}</error>`,
      '    </testcase>',
    ];
  }
  return [
    `${open}>`,
    `      <failure type="NON_COMPLIANT" message="${xml(evaluation.annotation)}">${body}</failure>`,
    '    </testcase>',
  ];
}

function errorSuite(errors: readonly ReportError[], timestamp: string): string[] {
  return [
    `  <testsuite name="plumbline.errors" tests="${errors.length}" failures="0" errors="${errors.length}" skipped="0" time="0" timestamp="${timestamp}">`,
    ...errors.flatMap((error) => {
      const name = error.rule !== undefined ? `rule ${error.rule}` : (error.location?.file ?? 'input');
      return [
        `    <testcase classname="plumbline.errors" name="${xml(name)}" time="0">`,
        `      <error type="${error.rule !== undefined ? 'RULE_REFUSED' : 'UNREADABLE_ITEM'}" message="${xml(error.message)}"/>`,
        '    </testcase>',
      ];
    }),
    '  </testsuite>',
  ];
}

/**
 * Escapes text for XML attributes and content: control and bidi characters written visibly (`printable`),
 * then what XML 1.0 cannot carry dropped and markup characters as entities.
 */
export function xml(text: string): string {
  return (
    printable(text)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
