/** Reading inputs and the small pure pieces of the report: item line numbers, fail-on, severity bands. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemStartLines } from '../../cli/input.ts';
import { renderProgress } from '../../cli/progress.ts';
import {
  failingEvaluations,
  type ReportEvaluation,
  type ScanReport,
  severityBand,
} from '../../cli/report.ts';

const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe('itemStartLines', () => {
  it('finds the line each element of the item array starts on, whatever the layout and the strings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('configurationItems', 'baseConfigurationItems', 'Results'),
        fc.array(fc.dictionary(fc.string(), jsonValue, { maxKeys: 4 }), { maxLength: 8 }),
        fc.dictionary(
          fc
            .string()
            .filter((key) => !['configurationItems', 'baseConfigurationItems', 'Results'].includes(key)),
          jsonValue,
          { maxKeys: 3 },
        ),
        fc.constantFrom(0, 2, 4),
        (key, elements, others, indent) => {
          const text = JSON.stringify({ ...others, [key]: elements }, null, indent);
          const expected = elements.map((_element, index) => {
            // Locate each element by serialising the document with a marker in its place.
            const marked = [...elements.slice(0, index), '\u0000'];
            const before = JSON.stringify({ ...others, [key]: marked }, null, indent);
            return before.slice(0, before.indexOf('"\\u0000"')).split('\n').length;
          });
          expect(itemStartLines(text)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives one line per element for a compact document', () => {
    expect(itemStartLines('{"configurationItems":[{"a":"]"},{"b":"\\"{"}]}')).toEqual([1, 1]);
    expect(itemStartLines('{"fileVersion":"1.0","configurationItems":[\n{"a":1},\n\n{"b":2}\n]}')).toEqual([
      2, 4,
    ]);
  });
});

describe('fail-on', () => {
  const rules = [
    { name: 'tags', description: '', severity: 3, resourceTypes: [], parameterDocs: [] },
    { name: 'buckets', description: '', severity: 9, resourceTypes: [], parameterDocs: [] },
  ];
  const evaluation = (rule: string, compliance: ReportEvaluation['compliance']): ReportEvaluation => ({
    rule,
    resourceType: 'AWS::S3::Bucket',
    resourceId: `${rule}-${compliance}`,
    compliance,
    annotation: '',
    reasons: [],
  });
  const report: ScanReport = {
    version: '0.0.0',
    generatedAt: '2026-11-22T10:00:00.000Z',
    source: { kind: 'snapshot', files: [] },
    rules,
    resources: 3,
    errors: [],
    evaluations: [
      evaluation('tags', 'NON_COMPLIANT'),
      evaluation('buckets', 'COMPLIANT'),
      evaluation('buckets', 'NOT_APPLICABLE'),
    ],
  };

  it('counts non-compliant results of rules at or above the level', () => {
    expect(failingEvaluations(report, 'non-compliant').map((e) => e.resourceId)).toEqual([
      'tags-NON_COMPLIANT',
    ]);
    expect(failingEvaluations(report, 'low')).toHaveLength(1);
    expect(failingEvaluations(report, 'medium')).toEqual([]);
    expect(failingEvaluations(report, 'none')).toEqual([]);
  });

  it('bands severities as GitHub reads security-severity', () => {
    expect([0, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityBand)).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });
});

describe('progress', () => {
  it('renders a bar, the counts and the current step, cut to the terminal width', () => {
    expect(renderProgress({ done: 1, total: 2, items: 340, label: 'eu-west-1' }, 120)).toBe(
      'scanning ▕████████████░░░░░░░░░░░░▏ 1/2 regions · 340 items · eu-west-1',
    );
    expect(Array.from(renderProgress({ done: 0, total: 1, items: 0, label: 'us-east-1' }, 30))).toHaveLength(
      29,
    );
  });
});
