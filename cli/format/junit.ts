/**
 * JUnit XML for CI systems (Jenkins, GitLab, Azure Pipelines, GitHub test reporters): a test suite per
 * rule, a test case per resource; non-compliant is a failure whose message is the annotation and whose
 * body lists each reason with its code; not applicable is skipped. An item that could not be read or judged
 * is an error (not a failure); rules refused and unreadable items without a resource are the errors of a
 * last suite, `plumbline.errors`. A rule the scan skipped (a snapshot holds no credential report) is a suite
 * of its own whose one test case is skipped with the reason, so it never reads as passed.
 */

import { printable } from '../../shared/core/text.ts';
import {
  describeSource,
  type ReportError,
  type ReportEvaluation,
  resourceLabel,
  type ScanReport,
  type SkippedRule,
} from '../report.ts';
import {
  memorySpool,
  type ReportHeader,
  type ReportWriter,
  renderWhole,
  type Spool,
  type TextOut,
} from './stream.ts';

/**
 * JUnit written as results arrive: each test case goes to its rule's spool (a suite's counts open it, and
 * are known only at the end), and the document is written from the spools at the end.
 */
export function junitWriter(header: ReportHeader, out: TextOut, spool: () => Spool): ReportWriter {
  const spools = new Map(header.rules.map((rule) => [rule.name, spool()]));
  const dispose = () => {
    for (const each of spools.values()) each.dispose();
  };
  return {
    evaluation(evaluation) {
      spools.get(evaluation.rule)?.write(`${testCase(evaluation).join('\n')}\n`);
    },
    end({ summary, errors, errorResults: errored }) {
      const timestamp = header.generatedAt.replace(/\.\d+Z$/, '');
      const skippedRules = header.skipped ?? [];
      const tests = summary.evaluations + errors.length + skippedRules.length;
      out.write(
        `${[
          '<?xml version="1.0" encoding="UTF-8"?>',
          `<testsuites name="plumbline" tests="${tests}" failures="${summary.NON_COMPLIANT - errored.length}" errors="${summary.errors}" skipped="${summary.NOT_APPLICABLE + skippedRules.length}" time="0" timestamp="${timestamp}">`,
        ].join('\n')}\n`,
      );
      for (const rule of header.rules) {
        const counts = summary.rules[rule.name] ?? { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
        const tests = counts.COMPLIANT + counts.NON_COMPLIANT + counts.NOT_APPLICABLE;
        const ruleErrors = errored.filter((evaluation) => evaluation.rule === rule.name).length;
        out.write(
          `${[
            `  <testsuite name="${xml(rule.name)}" tests="${tests}" failures="${counts.NON_COMPLIANT - ruleErrors}" errors="${ruleErrors}" skipped="${counts.NOT_APPLICABLE}" time="0" timestamp="${timestamp}">`,
            '    <properties>',
            `      <property name="description" value="${xml(rule.description)}"/>`,
            `      <property name="severity" value="${rule.severity}"/>`,
            `      <property name="source" value="${xml(describeSource(header.source))}"/>`,
            '    </properties>',
          ].join('\n')}\n`,
        );
        spools.get(rule.name)?.drainTo(out);
        out.write('  </testsuite>\n');
      }
      dispose();
      for (const skipped of skippedRules) out.write(`${skippedSuite(skipped, timestamp).join('\n')}\n`);
      const tail =
        errors.length > 0 ? [...errorSuite(errors, timestamp), '</testsuites>'] : ['</testsuites>'];
      out.write(`${tail.join('\n')}\n`);
    },
    abort: dispose,
  };
}

export function formatJunit(report: ScanReport): string {
  return renderWhole(report, (out) => junitWriter(report, out, memorySpool));
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

function skippedSuite({ rule, reason }: SkippedRule, timestamp: string): string[] {
  return [
    `  <testsuite name="${xml(rule)}" tests="1" failures="0" errors="0" skipped="1" time="0" timestamp="${timestamp}">`,
    `    <testcase classname="plumbline.${xml(rule)}" name="${xml(`rule ${rule}`)}" time="0">`,
    `      <skipped message="${xml(reason)}"/>`,
    '    </testcase>',
    '  </testsuite>',
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
