/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer): one reporting descriptor per rule with its
 * description, help and `security-severity`; one result per non-compliant resource, located at the item's
 * line in the snapshot file (or, for live scans, at the resource's ARN or a synthetic `aws/…` uri), with a fingerprint that stays the
 * same for the same rule and resource from run to run, so alerts are tracked rather than duplicated.
 */
import { relative, resolve, sep } from 'node:path';
import type * as Sarif from 'sarif';
import {
  type ReportEvaluation,
  type ReportRule,
  resourceLabel,
  type ScanReport,
  type SkippedRule,
} from '../report.ts';
import { sha256 } from './hash.ts';
import {
  ELEMENTS,
  FramedArray,
  frame,
  type ReportHeader,
  type ReportTotals,
  type ReportWriter,
  renderWhole,
  type TextOut,
} from './stream.ts';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'plumblineResource/v1';

export interface SarifOptions {
  /** Snapshot paths are written relative to this folder (the repository root in CI). */
  cwd: string;
}

/**
 * SARIF written as results arrive: the run's tool and rules first, each non-compliant result as it is
 * judged, then the invocation (its notifications need every error) and the summary.
 */
export function sarifWriter(header: ReportHeader, options: SarifOptions, out: TextOut): ReportWriter {
  const ruleIndex = new Map(header.rules.map((rule, index) => [rule.name, index]));
  const severities = new Map(header.rules.map((rule) => [rule.name, rule.severity]));
  const log = (run: Omit<Sarif.Run, 'tool'>): Sarif.Log => ({
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Plumbline',
            semanticVersion: header.version,
            version: header.version,
            rules: header.rules.map(descriptor),
          },
        },
        ...run,
      },
    ],
  });
  // A placeholder string stands for the results while the frame is printed.
  const placeholder = [ELEMENTS] as unknown as Sarif.Result[];
  const start = frame(log({ results: placeholder }));
  const results = new FramedArray(out, start.before, start.indent);
  return {
    evaluation(evaluation) {
      if (evaluation.compliance !== 'NON_COMPLIANT') return;
      results.element(
        result(
          evaluation,
          ruleIndex.get(evaluation.rule) ?? -1,
          severities.get(evaluation.rule) ?? 0,
          options,
        ),
      );
    },
    end(totals) {
      const end = log({
        results: placeholder,
        invocations: [
          {
            // A rule refused for a bad parameter did not run: the run is incomplete.
            executionSuccessful: totals.errors.every((error) => error.rule === undefined),
            endTimeUtc: header.generatedAt,
            ...notifications(totals, header.skipped ?? []),
          },
        ],
        properties: { summary: totals.summary },
      });
      results.close(frame(end).after);
      out.write('\n');
    },
  };
}

export function formatSarif(report: ScanReport, options: SarifOptions): string {
  return renderWhole(report, (out) => sarifWriter(report, options, out));
}

/**
 * Each problem of the run as a tool execution notification (code scanning shows them as the tool's
 * errors): rules refused, items that could not be read or judged (whose error results are among the
 * results), and, as warnings, rules skipped (not in the driver's rules, which lists the rules that ran: the
 * skipped rule is the notification's descriptor).
 */
function notifications(
  totals: Pick<ReportTotals, 'errors' | 'errorResults'>,
  skipped: readonly SkippedRule[],
): Pick<Sarif.Invocation, 'toolExecutionNotifications'> {
  const items: Sarif.Notification[] = [
    ...totals.errors.map(
      (error): Sarif.Notification => ({
        level: 'error',
        message: { text: error.message },
        ...(error.rule === undefined ? {} : { associatedRule: { id: error.rule } }),
      }),
    ),
    ...totals.errorResults.map(
      (evaluation): Sarif.Notification => ({
        level: 'error',
        message: { text: `${evaluation.resourceType} ${evaluation.resourceId}: ${evaluation.error}` },
        associatedRule: { id: evaluation.rule },
      }),
    ),
    ...skipped.map(
      ({ rule, reason }): Sarif.Notification => ({
        level: 'warning',
        message: { text: reason },
        descriptor: { id: rule },
      }),
    ),
  ];
  return items.length === 0 ? {} : { toolExecutionNotifications: items };
}

function descriptor(rule: ReportRule): Sarif.ReportingDescriptor {
  const parameters = rule.parameterDocs.map(
    (doc) =>
      `- \`${doc.name}\`${doc.default !== undefined ? ` (default \`${doc.default}\`)` : ''}: ${doc.description}`,
  );
  const types = rule.resourceTypes.join(', ');
  return {
    id: rule.name,
    name: pascalCase(rule.name),
    shortDescription: { text: rule.description },
    fullDescription: { text: `${rule.description} Evaluates ${types}.` },
    help: {
      text: `${rule.description}\nResource types: ${types}\nParameters:\n${parameters.join('\n')}`,
      markdown: `${rule.description}\n\n**Resource types:** ${types}\n\n**Parameters** (\`rules.${rule.name}\` in the configuration file):\n\n${parameters.join('\n')}`,
    },
    defaultConfiguration: { level: level(rule.severity) },
    properties: {
      tags: ['security', 'aws', 'compliance'],
      precision: 'very-high',
      'security-severity': rule.severity.toFixed(1),
    },
  };
}

function result(
  evaluation: ReportEvaluation,
  ruleIndex: number,
  severity: number,
  options: SarifOptions,
): Sarif.Result {
  const where = [evaluation.accountId, evaluation.region].filter(Boolean).join(' ');
  return {
    ruleId: evaluation.rule,
    ruleIndex,
    level: level(severity),
    message: {
      text: `${evaluation.resourceType} ${resourceLabel(evaluation)}${where ? ` (${where})` : ''}: ${evaluation.annotation}`,
    },
    locations: [location(evaluation, options)],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(evaluation) },
    properties: {
      resourceType: evaluation.resourceType,
      resourceId: evaluation.resourceId,
      resourceName: evaluation.resourceName ?? null,
      accountId: evaluation.accountId ?? null,
      region: evaluation.region ?? null,
      reasons: evaluation.reasons,
      error: evaluation.error ?? null,
    },
  };
}

function location(evaluation: ReportEvaluation, options: SarifOptions): Sarif.Location {
  const logical: Sarif.LogicalLocation = {
    name: evaluation.resourceId,
    fullyQualifiedName:
      evaluation.arn ??
      [evaluation.accountId, evaluation.region, evaluation.resourceType, evaluation.resourceId].join('/'),
    kind: 'resource',
  };
  const file = evaluation.location?.file;
  if (file !== undefined) {
    return {
      physicalLocation: {
        artifactLocation: { uri: fileUri(file, options.cwd), uriBaseId: '%SRCROOT%' },
        region: { startLine: evaluation.location?.line ?? 1 },
      },
      logicalLocations: [logical],
    };
  }
  // GitHub code scanning rejects a result without a physical location, so there is always one: the
  // snapshot file, else the resource's ARN, else (items without an ARN, such as
  // AWS::S3::AccountPublicAccessBlock) the stable relative uri aws/<account>/<region>/<type>/<id>.
  const uri = evaluation.arn ?? resourceUri(evaluation);
  return { physicalLocation: { artifactLocation: { uri } }, logicalLocations: [logical] };
}

/** `aws/<account>/<region>/<resourceType>/<resourceId>`, each segment percent-encoded, `-` when unknown. */
export function resourceUri(evaluation: ReportEvaluation): string {
  const segments = [evaluation.accountId, evaluation.region, evaluation.resourceType, evaluation.resourceId];
  return ['aws', ...segments.map((segment) => (segment ? encodeURIComponent(segment) : '-'))].join('/');
}

function fileUri(file: string, cwd: string): string {
  const path = relative(cwd, resolve(cwd, file)) || file;
  return path.split(sep).map(encodeURIComponent).join('/');
}

/** The same rule on the same resource gives the same fingerprint, whatever the reasons of the day. */
export function fingerprint(evaluation: ReportEvaluation): string {
  const identity = [
    evaluation.rule,
    evaluation.accountId ?? '',
    evaluation.region ?? '',
    evaluation.resourceType,
    evaluation.resourceId,
  ].join('|');
  return sha256().update(identity).digest('hex');
}

function level(severity: number): Sarif.ReportingConfiguration.level {
  if (severity >= 7) return 'error';
  if (severity >= 4) return 'warning';
  return 'note';
}

function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
