import {
  type Evaluation as ConfigEvaluation,
  type ConfigServiceClient,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import type { Evaluation } from '../core/model.ts';

/** `PutEvaluations` takes at most 100 evaluations a call. */
export const MAX_EVALUATIONS_PER_CALL = 100;

export interface WriterOptions {
  resultToken: string;
  testMode: boolean;
  /**
   * Calls per batch, counting the first: only the evaluations PutEvaluations answers as `FailedEvaluations`
   * are sent again. Throttling, 5xx and timeouts are the SDK's retry strategy's to retry (clients.ts): an
   * error that reaches the writer has been retried already, and fails the batch.
   */
  maxAttempts?: number;
  /** Batches in flight at once, so a long periodic scan overlaps reads and writes. */
  maxInFlight?: number;
  /** Backoff base in milliseconds before sending failed evaluations again (equal jitter, doubling, capped at 5 s). */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class EvaluationDeliveryError extends Error {
  constructor(
    readonly undelivered: ConfigEvaluation[],
    cause: unknown,
  ) {
    const ids = undelivered
      .slice(0, 5)
      .map((evaluation) => evaluation.ComplianceResourceId)
      .join(', ');
    super(
      `PutEvaluations could not deliver ${undelivered.length} evaluation(s) (${ids}${undelivered.length > 5 ? ', …' : ''}); ` +
        'failing the invocation so that AWS Config retries it',
      { cause },
    );
    this.name = 'EvaluationDeliveryError';
  }
}

export function toConfigEvaluation(evaluation: Evaluation): ConfigEvaluation {
  return {
    ComplianceResourceType: evaluation.resourceType,
    ComplianceResourceId: evaluation.resourceId,
    ComplianceType: evaluation.compliance,
    Annotation: evaluation.annotation,
    OrderingTimestamp: evaluation.orderingTimestamp,
  };
}

/**
 * Buffers evaluations and writes them in batches of 100 with up to `maxInFlight` calls at once.
 * `FailedEvaluations` are sent again with backoff; an error of the call (after the SDK's own retries) or
 * evaluations that keep failing make `flush()` throw an {@link EvaluationDeliveryError}, never a silent drop.
 */
export class EvaluationWriter {
  private buffer: ConfigEvaluation[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private readonly maxAttempts: number;
  private readonly maxInFlight: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  delivered = 0;
  calls = 0;

  constructor(
    private readonly config: ConfigServiceClient,
    private readonly options: WriterOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async add(evaluation: Evaluation): Promise<void> {
    this.throwIfFailed();
    this.buffer.push(toConfigEvaluation(evaluation));
    if (this.buffer.length >= MAX_EVALUATIONS_PER_CALL) await this.startBatch();
  }

  /** Writes what is buffered and waits for every batch; throws if any evaluation was not delivered. */
  async flush(): Promise<void> {
    if (this.buffer.length > 0) await this.startBatch();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  private async startBatch(): Promise<void> {
    const batch = this.buffer.splice(0, MAX_EVALUATIONS_PER_CALL);
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const write: Promise<void> = this.deliver(batch)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  private async deliver(batch: ConfigEvaluation[]): Promise<void> {
    let pending = batch;
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.backoff(attempt - 1));
      try {
        this.calls++;
        const response = await this.config.send(
          new PutEvaluationsCommand({
            Evaluations: pending,
            ResultToken: this.options.resultToken,
            ...(this.options.testMode ? { TestMode: true } : {}),
          }),
        );
        const failed = new Set(
          (response.FailedEvaluations ?? []).map(
            (failure) => `${failure.ComplianceResourceType}|${failure.ComplianceResourceId}`,
          ),
        );
        const retry = pending.filter((evaluation) =>
          failed.has(`${evaluation.ComplianceResourceType}|${evaluation.ComplianceResourceId}`),
        );
        this.delivered += pending.length - retry.length;
        if (retry.length === 0) return;
        lastError = new Error(`${retry.length} FailedEvaluations returned by PutEvaluations`);
        pending = retry;
      } catch (error) {
        // The SDK has already retried what can be retried (throttling, 5xx, timeouts): no second layer.
        throw new EvaluationDeliveryError(pending, error);
      }
    }
    throw new EvaluationDeliveryError(pending, lastError);
  }

  /** Equal jitter: half the doubling ceiling, plus a random part of the other half. */
  private backoff(retry: number): number {
    const ceiling = Math.min(5_000, this.baseDelayMs * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
