/**
 * JSON: `{"evaluations": [...], "errors": [...], "summary": {...}}`, one evaluation per rule and resource,
 * with the keys a pipeline can rely on (absent values are `null`, never missing). An error result (an item
 * that could not be read or judged) has `error` set; `errors` lists rules refused and items no evaluation
 * stands for; `skipped` lists the selected rules that did not run, each with its reason (an empty array when
 * every one ran). The evaluations are written as they are judged (in the order the items are read), so the
 * summary, which counts them, comes last.
 */
import type { ReportError, ReportEvaluation, ScanReport } from '../report.ts';
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

export function jsonWriter(header: Pick<ReportHeader, 'skipped'>, out: TextOut): ReportWriter {
  const skipped = (header.skipped ?? []).map(({ rule, reason }) => ({ rule, reason }));
  const start = frame({ evaluations: [ELEMENTS] });
  const evaluations = new FramedArray(out, start.before, start.indent);
  return {
    evaluation: (evaluation) => evaluations.element(jsonEvaluation(evaluation)),
    end({ summary, errors }: ReportTotals) {
      evaluations.close(
        frame({ evaluations: [ELEMENTS], errors: errors.map(jsonError), skipped, summary }).after,
      );
      out.write('\n');
    },
  };
}

/** The whole report as one JSON text. */
export function formatJson(report: ScanReport): string {
  return renderWhole(report, (out) => jsonWriter(report, out));
}

function jsonEvaluation(evaluation: ReportEvaluation) {
  return {
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
  };
}

function jsonError(error: ReportError) {
  return {
    message: error.message,
    rule: error.rule ?? null,
    file: error.location?.file ?? null,
    line: error.location?.line ?? null,
  };
}
