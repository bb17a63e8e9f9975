/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer): one reporting descriptor per rule with its
 * description, help and `security-severity`; one result per non-compliant resource, located at the item's
 * line in the snapshot file (or, for live scans, at the resource's ARN or a synthetic `aws/…` uri), with a fingerprint that stays the
 * same for the same rule and resource from run to run, so alerts are tracked rather than duplicated.
 */
import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';
import type * as Sarif from 'sarif';
import {
  errorResults,
  type ReportEvaluation,
  type ReportRule,
  resourceLabel,
  type ScanReport,
  summarise,
} from '../report.ts';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'plumblineResource/v1';

export interface SarifOptions {
  /** Snapshot paths are written relative to this folder (the repository root in CI). */
  cwd: string;
}

export function formatSarif(report: ScanReport, options: SarifOptions): string {
  const ruleIndex = new Map(report.rules.map((rule, index) => [rule.name, index]));
  const severities = new Map(report.rules.map((rule) => [rule.name, rule.severity]));
  const log: Sarif.Log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Plumbline',
            semanticVersion: report.version,
            version: report.version,
            rules: report.rules.map(descriptor),
          },
        },
        invocations: [
          {
            // A rule refused for a bad parameter did not run: the run is incomplete.
            executionSuccessful: report.errors.every((error) => error.rule === undefined),
            endTimeUtc: report.generatedAt,
            ...notifications(report),
          },
        ],
        results: report.evaluations
          .filter((evaluation) => evaluation.compliance === 'NON_COMPLIANT')
          .map((evaluation) =>
            result(
              evaluation,
              ruleIndex.get(evaluation.rule) ?? -1,
              severities.get(evaluation.rule) ?? 0,
              options,
            ),
          ),
        properties: { summary: summarise(report) },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * Each problem of the run as a tool execution notification (code scanning shows them as the tool's
 * errors): rules refused, items that could not be read or judged (whose error results are among the results).
 */
function notifications(report: ScanReport): Pick<Sarif.Invocation, 'toolExecutionNotifications'> {
  const items: Sarif.Notification[] = [
    ...report.errors.map(
      (error): Sarif.Notification => ({
        level: 'error',
        message: { text: error.message },
        ...(error.rule === undefined ? {} : { associatedRule: { id: error.rule } }),
      }),
    ),
    ...errorResults(report).map(
      (evaluation): Sarif.Notification => ({
        level: 'error',
        message: { text: `${evaluation.resourceType} ${evaluation.resourceId}: ${evaluation.error}` },
        associatedRule: { id: evaluation.rule },
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
  return createHash('sha256').update(identity).digest('hex');
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
