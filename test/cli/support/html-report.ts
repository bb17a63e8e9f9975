/**
 * Scan reports built in memory for the HTML report's tests: the shapes `cli/report.ts` defines, with the
 * reason codes and messages the real rules write (shared/rules/*), at any size.
 */

import type { ReportEvaluation, ReportRule, ScanReport } from '../../../cli/report.ts';
import type { Reason } from '../../../shared/core/model.ts';

export const RULES: ReportRule[] = [
  {
    name: 'required-tags',
    description: 'Resources carry the tags.',
    severity: 3,
    resourceTypes: [],
    parameterDocs: [],
  },
  {
    name: 'public-bucket',
    description: 'S3 buckets that are public.',
    severity: 9,
    resourceTypes: [],
    parameterDocs: [],
  },
  {
    name: 'security-group',
    description: 'No blocked port open.',
    severity: 8,
    resourceTypes: [],
    parameterDocs: [],
  },
];

export const MISSING_COST_CENTER: Reason = { code: 'missing-tag', message: 'missing: CostCenter' };
export const SSH_OPEN: Reason = { code: 'world-open-blocked-port', message: 'tcp 22 open to 0.0.0.0/0' };
export const RDP_OPEN: Reason = { code: 'world-open-blocked-port', message: 'tcp 3389 open to 0.0.0.0/0' };
export const PUBLIC_ACL: Reason = { code: 'public-acl', message: 'ACL grants READ to AllUsers' };

export function evaluation(
  rule: string,
  resourceId: string,
  reasons: Reason[],
  extra: Partial<ReportEvaluation> = {},
): ReportEvaluation {
  const compliance = extra.compliance ?? 'NON_COMPLIANT';
  return {
    rule,
    resourceType: 'AWS::EC2::Instance',
    resourceId,
    accountId: '111122223333',
    region: 'eu-west-1',
    compliance,
    annotation: reasons.map((reason) => reason.message).join('; ') || 'all required tags present',
    reasons,
    ...extra,
  };
}

export function reportOf(evaluations: ReportEvaluation[], extra: Partial<ScanReport> = {}): ScanReport {
  const resources = new Set(evaluations.map((item) => `${item.resourceType} ${item.resourceId}`)).size;
  return {
    version: '0.1.0',
    generatedAt: '2026-11-22T10:00:00.000Z',
    source: { kind: 'snapshot', files: ['snapshot.json'] },
    rules: RULES,
    evaluations,
    resources,
    errors: [],
    ...extra,
  };
}

/**
 * 4,812 instances missing CostCenter, 3 compliant; 2 groups with SSH open (one also RDP); one bucket with
 * a public ACL in a second account; one group that could not be judged.
 */
export function triageReport(): ScanReport {
  const tags = Array.from({ length: 4812 }, (_, index) =>
    evaluation('required-tags', `i-${index.toString(16).padStart(17, '0')}`, [MISSING_COST_CENTER]),
  );
  const compliant = Array.from({ length: 3 }, (_, index) =>
    evaluation('required-tags', `vol-${index}`, [], {
      compliance: 'COMPLIANT',
      resourceType: 'AWS::EC2::Volume',
    }),
  );
  const group = { resourceType: 'AWS::EC2::SecurityGroup' };
  return reportOf([
    evaluation('security-group', 'sg-0aaa', [SSH_OPEN], { ...group, resourceName: 'bastion' }),
    evaluation('security-group', 'sg-0bbb', [SSH_OPEN, RDP_OPEN], { ...group, resourceName: 'windows-jump' }),
    evaluation(
      'security-group',
      'sg-0bad',
      [{ code: 'cannot-evaluate', message: 'cannot evaluate: ipPermissions is not a list' }],
      {
        ...group,
        error: 'ipPermissions is not a list',
      },
    ),
    ...tags,
    ...compliant,
    evaluation('public-bucket', 'acme-downloads', [PUBLIC_ACL], {
      resourceType: 'AWS::S3::Bucket',
      accountId: '444455556666',
      region: 'us-east-1',
    }),
  ]);
}
