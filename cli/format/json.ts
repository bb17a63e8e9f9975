/**
 * JSON: `{"summary": {...}, "evaluations": [...], "errors": [...]}`, one evaluation per rule and resource,
 * with the keys a pipeline can rely on (absent values are `null`, never missing). An error result (an item
 * that could not be read or judged) has `error` set; `errors` lists rules refused and items no evaluation
 * stands for.
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
      error: evaluation.error ?? null,
    })),
    errors: report.errors.map((error) => ({
      message: error.message,
      rule: error.rule ?? null,
      file: error.location?.file ?? null,
      line: error.location?.line ?? null,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
