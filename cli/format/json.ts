/**
 * JSON: `{"summary": {...}, "evaluations": [...]}`, one evaluation per rule and resource, with the keys a
 * pipeline can rely on (absent values are `null`, never missing).
 */
import { type ScanReport, summarise } from '../report.ts';

export function formatJson(report: ScanReport): string {
  const summary = summarise(report);
  const document = {
    summary,
    evaluations: report.evaluations.map((evaluation) => ({
      rule: evaluation.rule,
      resourceType: evaluation.resourceType,
      resourceId: evaluation.resourceId,
      resourceName: evaluation.resourceName ?? null,
      accountId: evaluation.accountId ?? null,
      region: evaluation.region ?? null,
      compliance: evaluation.compliance,
      annotation: evaluation.annotation,
      reasons: evaluation.reasons,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
