/**
 * What a scan produced, in one shape every output format reads: the rules that ran, one evaluation per
 * rule and resource, and where the items came from.
 */
import type { AnyRule, Compliance, Reason } from '../shared/core/model.ts';

export interface ReportRule {
  name: string;
  description: string;
  severity: number;
  resourceTypes: readonly string[];
  parameterDocs: AnyRule['parameterDocs'];
}

/** Where an item was read from: a snapshot file (with the line its item starts on, for plain JSON). */
export interface ItemLocation {
  file: string;
  line?: number | undefined;
}

export interface ReportEvaluation {
  rule: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string | undefined;
  /** The `Name` tag, which names EC2 resources in the console though Config gives them no resourceName. */
  nameTag?: string | undefined;
  arn?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  compliance: Compliance;
  annotation: string;
  reasons: Reason[];
  location?: ItemLocation | undefined;
  /**
   * Set on an error result: the item could not be read or judged (what could not be read, naming the
   * field); its verdict is the fail-closed NON_COMPLIANT.
   */
  error?: string | undefined;
}

/**
 * A problem no evaluation stands for: a rule refused for a bad parameter (it did not run), or an item that
 * could not be read and does not say which resource it is.
 */
export interface ReportError {
  message: string;
  rule?: string | undefined;
  location?: ItemLocation | undefined;
}

export type ScanSource =
  | { kind: 'snapshot'; files: string[] }
  | {
      kind: 'live';
      regions: string[];
      profile?: string | undefined;
      /** A scan of a Config aggregator's accounts and regions, read in `regions[0]`. */
      aggregator?: string | undefined;
    };

/** A selected rule the scan did not run, and why (a snapshot holds no IAM credential report, say). */
export interface SkippedRule {
  rule: string;
  reason: string;
}

export interface ScanReport {
  version: string;
  generatedAt: string;
  source: ScanSource;
  rules: ReportRule[];
  /** Selected rules that did not run, each with its reason: every format names them. */
  skipped?: readonly SkippedRule[] | undefined;
  evaluations: ReportEvaluation[];
  /** Distinct resources read (after newer captures superseded older ones). */
  resources: number;
  /** Rules refused and items no evaluation stands for; error results are among `evaluations`. */
  errors: ReportError[];
  /**
   * The counts of every evaluation, when `evaluations` holds only some of them (a streamed scan keeps the
   * findings the table and HTML list, and counts the rest).
   */
  summary?: ReportSummary | undefined;
}

export type ComplianceCounts = Record<Compliance, number>;

export interface ReportSummary extends ComplianceCounts {
  evaluations: number;
  resources: number;
  /** Error results (items that could not be read or judged) plus the report's errors. */
  errors: number;
  rules: Record<string, ComplianceCounts>;
}

export const emptyCounts = (): ComplianceCounts => ({ COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 });

export function summarise(report: ScanReport): ReportSummary {
  if (report.summary !== undefined) return report.summary;
  const total = emptyCounts();
  const rules: Record<string, ComplianceCounts> = {};
  for (const rule of report.rules) rules[rule.name] = emptyCounts();
  for (const evaluation of report.evaluations) {
    total[evaluation.compliance]++;
    const counts = rules[evaluation.rule] ?? emptyCounts();
    counts[evaluation.compliance]++;
    rules[evaluation.rule] = counts;
  }
  const errors = errorResults(report).length + report.errors.length;
  return { evaluations: report.evaluations.length, resources: report.resources, errors, ...total, rules };
}

/** The evaluations of items that could not be read or judged. */
export function errorResults(report: Pick<ScanReport, 'evaluations'>): ReportEvaluation[] {
  return report.evaluations.filter((evaluation) => evaluation.error !== undefined);
}

/** The resource as a person names it: `sg-0123 (web-tier)`, with the `Name` tag when Config has no name. */
export function resourceLabel(
  evaluation: Pick<ReportEvaluation, 'resourceId' | 'resourceName' | 'nameTag'>,
): string {
  const { resourceId } = evaluation;
  const name = evaluation.resourceName || evaluation.nameTag;
  return name && name !== resourceId ? `${resourceId} (${name})` : resourceId;
}

/** What the table and the HTML report call evaluations that name no account. */
export const UNKNOWN_ACCOUNT = 'account unknown';

/**
 * Distinct evaluations by account, in account order, those that name none last ({@link UNKNOWN_ACCOUNT}):
 * the table and the HTML report group by account when there are several.
 */
export function byAccount(evaluations: readonly ReportEvaluation[]): [string, ReportEvaluation[]][] {
  const accounts = new Map<string, Set<ReportEvaluation>>();
  for (const evaluation of evaluations) {
    const key = evaluation.accountId || UNKNOWN_ACCOUNT;
    const members = accounts.get(key);
    if (members === undefined) accounts.set(key, new Set([evaluation]));
    else members.add(evaluation);
  }
  return [...accounts]
    .map(([account, members]): [string, ReportEvaluation[]] => [account, [...members]])
    .sort(([a], [b]) => (a === UNKNOWN_ACCOUNT ? 1 : b === UNKNOWN_ACCOUNT ? -1 : a.localeCompare(b)));
}

/** Severity bands as GitHub code scanning reads `security-severity`. */
export type SeverityBand = 'critical' | 'high' | 'medium' | 'low';

export function severityBand(severity: number): SeverityBand {
  if (severity >= 9) return 'critical';
  if (severity >= 7) return 'high';
  if (severity >= 4) return 'medium';
  return 'low';
}

const BAND_FLOOR: Record<SeverityBand, number> = { critical: 9, high: 7, medium: 4, low: 0 };

/** `--fail-on`: never, any non-compliant result, or non-compliant results of rules at or above a band. */
export type FailOn = 'none' | 'non-compliant' | SeverityBand;
export const FAIL_ON_VALUES: readonly FailOn[] = [
  'non-compliant',
  'none',
  'low',
  'medium',
  'high',
  'critical',
];

/** The evaluations that make the scan fail under `failOn`. */
export function failingEvaluations(report: ScanReport, failOn: FailOn): ReportEvaluation[] {
  const fails = failsUnder(report.rules, failOn);
  return report.evaluations.filter(fails);
}

/** Whether an evaluation makes the scan fail under `failOn` (non-compliant, of a rule at or above it). */
export function failsUnder(
  rules: readonly Pick<ReportRule, 'name' | 'severity'>[],
  failOn: FailOn,
): (evaluation: Pick<ReportEvaluation, 'rule' | 'compliance'>) => boolean {
  if (failOn === 'none') return () => false;
  const floor = failOn === 'non-compliant' ? Number.NEGATIVE_INFINITY : BAND_FLOOR[failOn];
  const severities = new Map(rules.map((rule) => [rule.name, rule.severity]));
  return (evaluation) =>
    evaluation.compliance === 'NON_COMPLIANT' && (severities.get(evaluation.rule) ?? 0) >= floor;
}

/**
 * Counts a scan's evaluations as they pass: the summary, the failing ones under `failOn`, and the error
 * results (kept: few, and named on standard error at the end).
 */
export class ReportTally {
  private readonly total = emptyCounts();
  private readonly byRule: Record<string, ComplianceCounts> = {};
  private readonly fails: (evaluation: ReportEvaluation) => boolean;
  private count = 0;
  failing = 0;
  readonly errorResults: ReportEvaluation[] = [];

  constructor(rules: readonly ReportRule[], failOn: FailOn) {
    for (const rule of rules) this.byRule[rule.name] = emptyCounts();
    this.fails = failsUnder(rules, failOn);
  }

  add(evaluation: ReportEvaluation): void {
    this.count++;
    this.total[evaluation.compliance]++;
    const counts = this.byRule[evaluation.rule] ?? emptyCounts();
    counts[evaluation.compliance]++;
    this.byRule[evaluation.rule] = counts;
    if (this.fails(evaluation)) this.failing++;
    if (evaluation.error !== undefined) this.errorResults.push(evaluation);
  }

  summary(resources: number, errors: readonly ReportError[]): ReportSummary {
    return {
      evaluations: this.count,
      resources,
      errors: this.errorResults.length + errors.length,
      ...this.total,
      rules: this.byRule,
    };
  }

  get nonCompliant(): number {
    return this.total.NON_COMPLIANT;
  }
}

export function describeSource(source: ScanSource): string {
  if (source.kind === 'snapshot') {
    return source.files.length === 1 ? (source.files[0] ?? '') : `${source.files.length} snapshot files`;
  }
  const regions = source.regions.join(', ');
  if (source.aggregator !== undefined) {
    return `AWS Config aggregator ${source.aggregator} (live) in ${regions}${source.profile ? `, profile ${source.profile}` : ''}`;
  }
  return `AWS Config (live) in ${regions}${source.profile ? `, profile ${source.profile}` : ''}`;
}

export function toReportRule(rule: AnyRule): ReportRule {
  return {
    name: rule.name,
    description: rule.description,
    severity: rule.severity,
    resourceTypes: rule.resourceTypes,
    parameterDocs: rule.parameterDocs,
  };
}
