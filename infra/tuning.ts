/**
 * Every number that sizes a function, in one place, so that the benchmarks (bench/) can tune them.
 *
 * Lambda allocates CPU in proportion to memory (1,769 MB = one vCPU). The sizes follow the figures in
 * BENCHMARKS.md ("Lambda memory sizes", `npm run bench`):
 * - Config-rule functions: a 100,000-resource periodic run peaks at 128–167 MiB RSS, flat as the count grows
 *   (pages are streamed, ~110 bytes a resource are kept for the stale clean-up). 512 MB leaves room for
 *   inventories of millions and ~0.29 vCPU to evaluate a page while the next is fetched; Lambda's maximum 15-minute timeout
 *   covers 100,000 resources at up to ~500 ms a page (Config allows 15).
 * - Responders: latency-critical (a port or a bucket stays open until they finish) and their cold start is
 *   CPU-bound (246 ms and 170 ms of import on a full core; 83 / 70 MiB after import), so 512 MB, which roughly
 *   halves the cold start of 256 MB. The 3-minute timeout covers the SDK's throttled retries on every call.
 * - The notifier (63 MiB after import) is not latency-critical and waits on CloudTrail LookupEvents
 *   (2 requests per second per account and region): 256 MB and a longer timeout for throttled retries.
 */
import { Duration } from 'aws-cdk-lib';

export interface FunctionTuning {
  memoryMb: number;
  timeout: Duration;
  /** Lambda's own retries of a failed asynchronous invocation (0–2) before the event goes to the DLQ. */
  asyncRetries: number;
  /** How long an asynchronous event may wait (throttled, retrying) before it goes to the DLQ. */
  asyncMaxEventAge: Duration;
}

export const CONFIG_RULE_TUNING: FunctionTuning = {
  memoryMb: 512,
  timeout: Duration.minutes(15),
  asyncRetries: 2,
  // A periodic evaluation is still worth writing hours later; the next scheduled run supersedes it anyway.
  asyncMaxEventAge: Duration.hours(6),
};

export const RESPONDER_TUNING: FunctionTuning = {
  memoryMb: 512,
  // Up to 8 sequential calls, each with the SDK's worst throttled backoff (1+2+4+8 s): 120 s before any call time.
  timeout: Duration.minutes(3),
  asyncRetries: 2,
  // Remediation re-reads the current state before acting, so a late event is safe; after an hour it is news
  // for a person (the dead-letter alarm), not for a robot.
  asyncMaxEventAge: Duration.hours(1),
};

export const NOTIFIER_TUNING: FunctionTuning = {
  memoryMb: 256,
  timeout: Duration.seconds(120),
  asyncRetries: 2,
  asyncMaxEventAge: Duration.hours(6),
};

/** EventBridge's delivery of a matched event to the function (a failed delivery, not a failed run). */
export const EVENT_DELIVERY = {
  retryAttempts: 24,
  maxEventAge: Duration.hours(2),
};

/** Dead-letter queues keep failed events for the SQS maximum, so that nobody loses one over a long weekend. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Alarms: one failed invocation or one dead letter is worth a notification. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * StackSet roll-out: regions in parallel, a quarter of the accounts at a time, and stop when more than a
 * tenth fail (a broken template should not reach the whole organisation).
 */
export const STACKSET_OPERATION = {
  regionConcurrencyType: 'PARALLEL',
  maxConcurrentPercentage: 25,
  failureTolerancePercentage: 10,
} as const;
